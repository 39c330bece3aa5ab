#!/usr/bin/env python3
"""docs/operations/configuration.md against the built stemedb-api and .env.example.

    configuration_doc_check.py --api build/release/src/tools/stemedb-api --root .

Checks that the page names every flag of `stemedb-api --help`, every environment variable of
the help and of .env.example, and every key, each key's table row showing the default that
`stemedb-api --check-config` prints; and, the other way round, that every STEMEDB_* variable
and every `section.key` the page names exists. Failures name the file and line. Exit 0 when
all hold, 1 otherwise.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

DOC = "docs/operations/configuration.md"
# Read by the scripts in scripts/ or other programs, not by the daemon's configuration.
OTHER_VARIABLES = {
    "STEMEDB_CONFIG", "STEMEDB_URL", "STEMEDB_API_KEY", "STEMEDB_API_KEY_FILE", "STEMEDB_BACKUP_TARGET",
    "STEMEDB_CHECKPOINT_DIR", "STEMEDB_WAL_ARCHIVE_TARGET", "STEMEDB_API_TIMEOUT_S", "STEMEDB_BIN_DIR",
}


def run(argv):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEMEDB_")}
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    if out.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {out.returncode}: {out.stderr}")
    return out.stdout


def help_facts(api):
    text = run([api, "--help"])
    flags = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", text))
    envs = set(re.findall(r"\benv (STEMEDB_[A-Z0-9_]+)", text))
    return flags, envs


def defaults(api):
    """{"section.key": toml literal} from --check-config with no file and a clean environment."""
    with tempfile.NamedTemporaryFile("w", suffix=".toml") as empty:
        text = run([api, "--check-config", "--config", empty.name])
    out, section = {}, None
    for line in text.splitlines():
        m = re.match(r"^\[([a-z_]+)\]$", line)
        if m:
            section = m.group(1)
            continue
        m = re.match(r"^([a-z_]+) = (.*?)  # ", line)
        if m and section:
            out[f"{section}.{m.group(1)}"] = m.group(2)
    return out


def env_example(root):
    names = set()
    with open(os.path.join(root, ".env.example"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^(?:# same as )?(STEMEDB_[A-Z0-9_]+)", line)
            if m:
                names.add(m.group(1))
    return names


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", required=True)
    parser.add_argument("--root", required=True)
    args = parser.parse_args()

    path = os.path.join(args.root, DOC)
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    text = "\n".join(lines)
    problems = []

    def where(pattern):
        """1-based line numbers of the lines matching pattern."""
        return [i + 1 for i, line in enumerate(lines) if re.search(pattern, line)]

    flags, help_envs = help_facts(args.api)
    for flag in sorted(flags):
        if not where(r"`[^`]*(?<![\w-])" + re.escape(flag) + r"(?![\w-])[^`]*`"):
            problems.append(f"{DOC}: the flag {flag} (stemedb-api --help) is not documented")
    known_envs = help_envs | env_example(args.root) | OTHER_VARIABLES
    for env in sorted(help_envs | env_example(args.root)):
        if not where(r"\b" + re.escape(env) + r"\b"):
            problems.append(f"{DOC}: the environment variable {env} is not documented")

    table = defaults(args.api)
    sections = {k.split(".")[0] for k in table}
    for key, literal in table.items():
        rows = [i + 1 for i, line in enumerate(lines) if line.startswith(f"| `{key}` |")]
        if not rows:
            problems.append(f"{DOC}: the key {key} has no table row")
            continue
        row = lines[rows[0] - 1]
        cells = [c.strip() for c in row.strip("|").split("|")]
        if len(cells) < 4 or cells[3] != f"`{literal}`":
            problems.append(f"{DOC}:{rows[0]}: {key}: the default column must be `{literal}` "
                            f"(stemedb-api --check-config), found {cells[3] if len(cells) > 3 else 'nothing'}")
        flag = "--" + key.replace(".", "-").replace("_", "-")
        env = "STEMEDB_" + key.replace(".", "_").upper()
        if f"`{flag}`" not in row or f"`{env}`" not in row:
            problems.append(f"{DOC}:{rows[0]}: {key}: the row must name `{env}` and `{flag}`")

    # The other way round: nothing documented that does not exist.
    for number, line in enumerate(lines, 1):
        for env in re.findall(r"\b(STEMEDB_[A-Z0-9_]*[A-Z0-9])\b", line):
            if env not in known_envs:
                problems.append(f"{DOC}:{number}: {env} is not a variable stemedb-api or the scripts read")
        for key in re.findall(r"`([a-z_]+\.[a-z_]+)`", line):
            if key.split(".")[0] in sections and key not in table:
                problems.append(f"{DOC}:{number}: {key} is not a configuration key")

    if "STEMEDB_<SECTION>_<KEY>" not in text:
        problems.append(f"{DOC}: must explain the STEMEDB_<SECTION>_<KEY> rule")
    for p in problems:
        print(p)
    print(f"{len(table)} keys, {len(flags)} flags, {len(known_envs)} variables checked; {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

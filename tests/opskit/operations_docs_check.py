#!/usr/bin/env python3
"""Checks the runbooks (and the alert rules, when deploy/prometheus/alerts.yml exists) against a
live stemedb-api and the built tools.

    operations_docs_check.py --root SRC --url http://127.0.0.1:PORT --bin-dir build/release/src/tools
        [--docs FILE_OR_DIR ...] [--alerts FILE]

- every metric named (stemedb_*, process_*) is in the daemon's /metrics, and every label a
  selector names is on that metric's samples (when it has samples);
- every StemeDB endpoint named (/v1/..., /metrics, /livez, /readyz) answers something other
  than "no route" (404 not_found) for the method the command uses; requests carry no API key,
  so admin routes answer 401 and nothing changes;
- every flag given to a stemedb* tool or to a script of scripts/ in a code span or block
  appears in that tool's --help, and the tool exists;
- no curl command gives curl a URL with a literal {...} or [...] (curl reads them as a glob:
  `curl 'http://h/q?query=up{job="x"}'` sends `query=upjob="x"`) unless it passes -g;
- every runbook_url of an alert names a file that exists.

Failures name the file and the line. Exit 0 when all hold, 1 otherwise.
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import urllib.error
import urllib.request

DEFAULT_DOCS = ["docs/operations/runbooks", "docs/operations/backup-and-dr.md",
                "docs/operations/upgrade.md", "docs/operations/configuration.md",
                "docs/operations/deployment.md", "docs/operations/monitoring.md",
                "docs/operations/tls.md", "docs/operations/sizing.md"]
SCRIPTS = {"backup.sh", "restore.sh", "wal-archive.sh", "dr-drill.sh"}
METRIC = re.compile(r"(?<![A-Za-z0-9_])((?:stemedb|process)_[a-z0-9_]*[a-z0-9])(?![A-Za-z0-9_*])(\{[^}]*\})?")
# Names with a metric's prefix that are not metrics: fields of metadata.json and checkpoint.json.
NOT_METRICS = {"stemedb_version"}
# Labels Prometheus adds or that belong to a histogram/summary's own series.
IMPLICIT_LABELS = {"job", "instance", "le", "quantile"}
ENDPOINT = re.compile(r"(?:(?<=[\s`\"'(=])|(?<=:18180)|(?<=STEMEDB_URL)|(?<=STEMEDB_URL\})|^)"
                      r"(/v1/[A-Za-z0-9_{}<>$.\-/]*[A-Za-z0-9_}>]|/metrics\b|/livez\b|/readyz\b)")
METHOD_BEFORE = re.compile(r"\b(GET|POST|PUT|DELETE|PATCH)\s+(?:`)?$")
SHELL_OPERATORS = {"|", "||", "&&", ";", "&", "(", ")", "{", "}", "!", "then", "do", "else"}
COMMAND_PREFIXES = {"sudo", "env", "time", "nohup", "exec", "command"}


class Doc:
    """A markdown or YAML file: its lines, and the code in it (fenced blocks, inline spans)."""

    def __init__(self, root, path):
        self.path = path
        self.name = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            self.lines = f.read().splitlines()

    def code(self):
        """(line number, code, inline) for each command line of a fenced block (continuations
        joined) and each inline code span."""
        out, fence, pending, start = [], None, "", 0
        for number, line in enumerate(self.lines, 1):
            stripped = line.strip()
            if stripped.startswith("```"):
                fence = None if fence else stripped[3:].strip() or "sh"
                continue
            if fence:
                if fence not in ("sh", "bash", "shell", "console"):
                    continue
                if not pending:
                    start = number
                if stripped.endswith("\\"):
                    pending += stripped[:-1] + " "
                    continue
                out.append((start, pending + stripped, False))
                pending = ""
            else:
                for span in re.findall(r"`([^`]+)`", line):
                    out.append((number, span, True))
        return out


def problem(problems, doc, number, text):
    problems.append(f"{doc.name}:{number}: {text}")


# ---- metrics

def fetch(url):
    request = urllib.request.Request(url)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def exported_metrics(base_url):
    """{name: set of label names seen on its samples} for every family and series name."""
    status, text = fetch(base_url + "/metrics")
    if status != 200:
        sys.exit(f"GET /metrics answered {status}")
    families, types = {}, {}
    for line in text.splitlines():
        m = re.match(r"^# TYPE (\S+) (\S+)", line)
        if m:
            types[m.group(1)] = m.group(2)
            families.setdefault(m.group(1), set())
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s", line)
        if m:
            labels = set(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', m.group(3) or ""))
            families.setdefault(m.group(1), set()).update(labels)
    for name, kind in types.items():
        if kind in ("histogram", "summary"):
            for suffix in ("_bucket", "_sum", "_count"):
                families.setdefault(name + suffix, set()).update(families[name])
    return families


def check_metrics(doc, lines_to_scan, families, problems):
    for number, line in lines_to_scan:
        for m in METRIC.finditer(line):
            name, selector = m.group(1), m.group(2)
            if name in NOT_METRICS:
                continue
            if name not in families:
                problem(problems, doc, number, f"metric {name} is not in the daemon's /metrics")
                continue
            if selector and families[name]:
                for label in re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", selector):
                    if label not in families[name] and label not in IMPLICIT_LABELS:
                        problem(problems, doc, number, f"metric {name} has no label {label} "
                                f"(it has {', '.join(sorted(families[name])) or 'none'})")


# ---- endpoints

def method_of(line, start):
    before = line[:start]
    m = METHOD_BEFORE.search(before)
    if m:
        return m.group(1)
    if re.search(r"\bcurl\b", before):
        m = re.search(r"(?:-X|--request)\s+([A-Z]+)", line)
        if m:
            return m.group(1)
        if re.search(r"\s(?:-d|--data(?:-binary|-raw)?|--json)\b", line):
            return "POST"
    return "GET"


def check_endpoints(doc, base_url, problems, seen):
    for number, line in enumerate(doc.lines, 1):
        for m in ENDPOINT.finditer(line):
            path = m.group(1)
            concrete = re.sub(r"\{[^}]*\}|<[^>]*>|\$\{?\w+\}?", "0" * 64, path)
            method = method_of(line, m.start(1))
            key = (method, concrete)
            if key not in seen:
                request = urllib.request.Request(base_url + concrete, method=method,
                                                 data=b"" if method in ("POST", "PUT", "PATCH") else None)
                try:
                    with urllib.request.urlopen(request, timeout=30) as reply:
                        seen[key] = (reply.status, "")
                except urllib.error.HTTPError as e:
                    body = e.read().decode("utf-8", "replace")
                    try:
                        code = json.loads(body).get("error", {}).get("code", "")
                    except ValueError:
                        code = ""
                    seen[key] = (e.code, code)
                except OSError as e:
                    seen[key] = (0, str(e))
            status, code = seen[key]
            if status == 404 and code == "not_found":
                problem(problems, doc, number, f"{method} {path}: the daemon has no such route (404)")
            elif status == 0:
                problem(problems, doc, number, f"{method} {path}: no answer ({code})")


# ---- tools and flags

def tool_path(name, bin_dir, root):
    candidates = [os.path.join(root, "scripts", name)] if name in SCRIPTS else [os.path.join(bin_dir, name)]
    return next((c for c in candidates if os.access(c, os.X_OK)), None)


def tool_help(name, subcommand, bin_dir, root, cache):
    """The tool's --help, and its subcommand's when the tool lists one by that name: a flag may
    be the tool's own or the subcommand's (`stemedb-bench query --each-pair-once`). None when the
    tool is not in the build."""
    key = (name, subcommand)
    if key not in cache:
        if subcommand:
            # The tool's own help is asked for once, whatever the subcommands the docs name.
            text = tool_help(name, None, bin_dir, root, cache)
            if text is not None and re.search(r"^\s+" + re.escape(subcommand) + r"\s", text, re.M):
                text += run_help([tool_path(name, bin_dir, root), subcommand, "--help"], bin_dir)
        else:
            path = tool_path(name, bin_dir, root)
            text = None if path is None else run_help([path, "--help"], bin_dir)
        cache[key] = text
    return cache[key]


def run_help(argv, bin_dir):
    out = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "STEMEDB_BIN_DIR": bin_dir})
    return out.stdout + out.stderr


def invocations(code):
    """[tool, word or None, [flags]] for each stemedb tool or script in command position in a line
    of code; the word is the first argument before any flag, perhaps a subcommand."""
    try:
        tokens = shlex.split(code, comments=True, posix=True)
    except ValueError:
        tokens = code.split()
    out, command_position, current = [], True, None
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in SHELL_OPERATORS or token.endswith(";"):
            command_position, current = True, None
        elif command_position:
            if token in COMMAND_PREFIXES or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", token):
                if token == "sudo" and i + 2 < len(tokens) and tokens[i + 1] == "-u":
                    i += 2
            else:
                base = os.path.basename(token)
                if re.match(r"^stemedb(-[a-z-]+)?$", base) or base in SCRIPTS:
                    current = [base, None, []]
                    out.append(current)
                command_position = False
        elif current is not None and token.startswith("-") and token not in ("-", "--"):
            current[2].append(token.split("=", 1)[0])
        elif current is not None and not current[2] and current[1] is None:
            # The first argument, when a word before any flag, may be a subcommand; tool_help
            # decides whether it is one.
            current[1] = token if re.match(r"^[a-z][a-z0-9-]*$", token) else ""
        i += 1
    return out


def check_tools(doc, bin_dir, root, cache, problems):
    for number, code, inline in doc.code():
        for tool, subcommand, flags in invocations(code):
            # In prose, `stemedb` is also the user, `stemedb-api` the unit: a span is a command
            # only when it gives the tool a flag.
            if inline and not flags:
                continue
            text = tool_help(tool, subcommand, bin_dir, root, cache)
            if text is None:
                problem(problems, doc, number, f"{tool} is not a tool of this build (not in {bin_dir})")
                continue
            for flag in flags:
                if not re.search(r"(?<![\w-])" + re.escape(flag) + r"(?![\w-])", text):
                    problem(problems, doc, number, f"{tool} has no flag {flag} (see {tool} --help)")


def check_curl_globs(doc, problems):
    for number, code, _ in doc.code():
        if not re.search(r"(?<![\w-])curl\s", code):
            continue
        if re.search(r"\s(-g|--globoff|-[A-Za-z]*g[A-Za-z]*)(?=\s|$)", code):
            continue
        for url in re.findall(r"https?://[^\s'\"]+|'https?://[^']*'|\"https?://[^\"]*\"", code):
            literal = re.sub(r"\$\{[^}]*\}", "", url) if not url.startswith("'") else url
            if re.search(r"[{}\[\]]", literal):
                problem(problems, doc, number, f"curl would read {{...}} or [...] in {url} as a glob "
                        "(use --data-urlencode, or -g)")


# ---- alert rules

def check_alerts(root, path, families, problems):
    """Metrics anywhere in the rule file (expressions, descriptions, comments) and each alert's
    runbook_url. Returns the number of alerts."""
    try:
        import yaml  # Debian's python3-yaml
    except ImportError:
        sys.exit("python3-yaml is needed to read the alert rules (scripts/setup.sh installs it)")
    doc = Doc(root, path)
    check_metrics(doc, list(enumerate(doc.lines, 1)), families, problems)
    with open(path, encoding="utf-8") as f:
        rules = yaml.safe_load(f) or {}

    def line_of(text):
        return next((i + 1 for i, line in enumerate(doc.lines) if text in line), 0)

    count = 0
    for group in rules.get("groups", []):
        for rule in group.get("rules", []):
            if "alert" not in rule:
                continue
            count += 1
            name = rule["alert"]
            url = (rule.get("annotations") or {}).get("runbook_url")
            if not url:
                problem(problems, doc, line_of(f"alert: {name}"), f"alert {name} has no runbook_url")
            elif not os.path.isfile(os.path.join(root, url)):
                problem(problems, doc, line_of(f"runbook_url: {url}") or line_of(f"alert: {name}"),
                        f"alert {name}: runbook_url {url} does not exist")
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--docs", nargs="*", help="files or directories (default: the runbooks and ops docs)")
    parser.add_argument("--alerts", help="default deploy/prometheus/alerts.yml when it exists")
    args = parser.parse_args()
    base_url = args.url.rstrip("/")

    paths = []
    for entry in args.docs or [os.path.join(args.root, d) for d in DEFAULT_DOCS]:
        if os.path.isdir(entry):
            paths += sorted(os.path.join(entry, f) for f in os.listdir(entry) if f.endswith(".md"))
        elif os.path.exists(entry):
            paths.append(entry)
    if not paths:
        sys.exit("no documents to check")

    families = exported_metrics(base_url)
    problems, endpoints, helps = [], {}, {}
    for path in paths:
        doc = Doc(args.root, path)
        check_metrics(doc, list(enumerate(doc.lines, 1)), families, problems)
        check_endpoints(doc, base_url, problems, endpoints)
        check_tools(doc, args.bin_dir, args.root, helps, problems)
        check_curl_globs(doc, problems)
    alerts = args.alerts or os.path.join(args.root, "deploy/prometheus/alerts.yml")
    alert_count = check_alerts(args.root, alerts, families, problems) if os.path.exists(alerts) else 0

    for p in problems:
        print(p)
    print(f"{len(paths)} documents, {alert_count} alerts, {len(endpoints)} endpoints, "
          f"{len([h for h in helps.values() if h])} tools checked; {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

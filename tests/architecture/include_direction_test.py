#!/usr/bin/env python3
"""Includes point one way (docs/architecture.md):

    tools -> cluster -> replication -> http -> query -> storage -> index -> wal -> core -> ops -> ground

A file of a module may include its own module and the modules below it, never one above.
`client` (the HTTP client of the CLI, the benchmark and the tests) sits at the tools layer.
Also checked: a module's private header (src/<module>/x.h) is included only from that module.
"""
import pathlib
import re
import sys

RANK = {"ground": -1, "ops": 0, "core": 1, "wal": 2, "index": 3, "storage": 4, "query": 5, "http": 6, "client": 6, "replication": 6.5, "cluster": 6.7, "tools": 7}
INCLUDE = re.compile(r'#include\s+"stemedb/([a-z_]+)/')


def module_of(path: pathlib.Path, root: pathlib.Path):
    parts = path.relative_to(root).parts
    if parts[0] in ("src", "include") and len(parts) > 2:
        m = parts[1] if parts[0] == "src" else parts[2] if parts[1] == "stemedb" and len(parts) > 3 else None
        return m if m in RANK else None
    return None


def main(root: pathlib.Path) -> int:
    problems = []
    files = [p for p in list(root.glob("src/**/*")) + list(root.glob("include/**/*")) if p.suffix in (".h", ".cpp")]
    for path in files:
        module = module_of(path, root)
        if module is None:
            continue
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.search(line)
            if not m or m.group(1) not in RANK:
                continue
            target = m.group(1)
            if module != "tools" and target != module and RANK[target] >= RANK[module]:
                problems.append(f"{path.relative_to(root)}:{n}: {module} must not include {target} ({line.strip()})")
    if len(files) < 50:
        problems.append(f"only {len(files)} source files found under {root}: wrong root?")
    for p in problems:
        print(p)
    print(f"checked {len(files)} files: {'OK' if not problems else str(len(problems)) + ' upward includes'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()))

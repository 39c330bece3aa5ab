#!/usr/bin/env python3
"""docs/python.md's code, run as written against a live stemedb-api:

- examples/reference_scenario.py (the lenses' reference scenario) prints the figures
  docs/lenses.md derives by hand, section 10, and a second run posts nothing new and prints the
  same answers;
- the Quickstart's Python blocks, concatenated, with the daemon's URL in place of
  http://127.0.0.1:18180 (the address ./scripts/run.sh serves on).

    python3 -B clients/python/tests/test_example.py build/release/src/tools/stemedb-api
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import support  # noqa: E402

EXAMPLE = os.path.join(support.PACKAGE_DIR, "examples", "reference_scenario.py")
GUIDE = os.path.join(support.REPO_ROOT, "docs", "python.md")
DEFAULT_URL = "http://127.0.0.1:18180"


def python_blocks(path, section):
    """The ```python blocks under the `## section` heading of a Markdown file."""
    blocks, current, block = [], None, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if block is None and line.startswith("## "):
                current = line[3:].strip()
            elif block is None and line.strip() == "```python":
                block = []
            elif block is not None and line.strip() == "```":
                if current == section:
                    blocks.append("".join(block))
                block = None
            elif block is not None:
                block.append(line)
    return blocks


class ExampleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = support.Daemon()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.close()

    def run_python(self, argv, cwd=None):
        # The example finds the package itself when it is not installed (the source tree).
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        run = subprocess.run([sys.executable, "-B"] + argv, capture_output=True, text=True, timeout=120,
                             env=env, cwd=cwd)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        return run.stdout

    def test_reference_scenario_prints_the_figures_of_lenses_md(self):
        first = self.run_python([EXAMPLE, "--server", self.daemon.url])
        self.assertIn("57 created, 0 already there", first)
        rows = dict(re.findall(r"^(\w+) +(\w+ +[0-9.]+ +[0-9.]+)$", first, re.M))
        expected = {  # lenses.md, section 10: decay off, trust 0.5, no votes
            "recency": ("significant", "0.5000"),    # the newest claim of another value: < 1 min
            "confidence": ("rare", "0.9000"),        # the largest confidence
            "consensus": ("significant", "0.6250"),  # 5 of 8 distinct agents
            "authority": ("significant", "0.4075"),  # 0.6 / 1.4725
            "vote": ("significant", "0.6107"),       # support 4.0 / 6.55 (an author once per value)
            "epoch": ("significant", "0.5000"),      # no epochs: the inner lens, recency
        }
        for lens, (winner, resolution) in expected.items():
            with self.subTest(lens=lens):
                self.assertEqual(rows[lens].split()[:2], [winner, resolution])
        self.assertEqual(rows["consensus"].split()[2], "0.7744")
        self.assertEqual(rows["authority"].split()[2], "0.8485")
        self.assertIn("skeptic: contested, conflict 0.8485, 57 assertions", first)
        self.assertRegex(first, r"none +0\.0400 +0\.0272 +50 +anecdotal")
        self.assertIn("layered: winner rare, cross-tier conflict true", first)
        self.assertRegex(first, r"as of step 3 \(\d+ ms\): contested, conflict 0\.9953; rare 0\.5405, no_signal 0\.4595")
        self.assertIn("verified offline", first)

        again = self.run_python([EXAMPLE, "--server", self.daemon.url])
        self.assertIn("0 created, 57 already there", again)
        self.assertEqual(again.splitlines()[1:], first.splitlines()[1:])

    def test_quickstart_runs_as_written(self):
        blocks = python_blocks(GUIDE, "Quickstart")
        self.assertTrue(blocks, "docs/python.md has no Quickstart python block")
        code = "\n".join(blocks)
        self.assertIn(DEFAULT_URL, code)
        with tempfile.TemporaryDirectory() as work:
            path = os.path.join(work, "quickstart.py")
            with open(path, "w", encoding="utf-8") as f:
                f.write(f"import sys\nsys.path.insert(0, {support.PACKAGE_DIR!r})\n")
                f.write(code.replace(DEFAULT_URL, self.daemon.url))
            out = self.run_python([path], cwd=work)
        self.assertIn("created", out)


if __name__ == "__main__":
    sys.exit(support.main())

#!/usr/bin/env python3
"""Installs the package with pip into a fresh virtual environment, as docs/python.md says, and
uses it from there: no package index (PyPI is not reachable in CI), the build backend
(setuptools) and the signing library (cryptography) from Debian's python3-* packages, which a
--system-site-packages environment sees.

    python3 -B clients/python/tests/test_install.py

The source is copied first, so setuptools' build/ and *.egg-info/ land in the copy, not in the
working tree (and two runs cannot race on them). Then, with the environment's interpreter and
the source tree off sys.path: the package imports from site-packages, reports its version and
dependency, and passes the offline protocol tests (every vector).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import support  # noqa: E402

SYSTEM_PYTHON = "/usr/bin/python3"
PIP_TIMEOUT_S = 120


class InstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="stemedb-venv-")
        cls.venv = os.path.join(cls.work, "venv")
        cls.source = os.path.join(cls.work, "python")
        shutil.copytree(support.PACKAGE_DIR, cls.source,
                        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "tests", "examples"))
        python = SYSTEM_PYTHON if os.access(SYSTEM_PYTHON, os.X_OK) else sys.executable
        cls.run_checked([python, "-m", "venv", "--system-site-packages", cls.venv])
        cls.python = os.path.join(cls.venv, "bin", "python")
        cls.install = cls.run_checked([os.path.join(cls.venv, "bin", "pip"), "install", "--no-build-isolation",
                                       "--no-index", "--disable-pip-version-check", cls.source])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    @classmethod
    def run_checked(cls, argv, env=None, cwd=None):
        # Outside the source tree, with nothing from it on the path.
        env = dict(os.environ if env is None else env)
        env.pop("PYTHONPATH", None)
        run = subprocess.run(argv, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, env=env,
                             cwd=cwd or cls.work)
        if run.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} exited {run.returncode}:\n{run.stdout}\n{run.stderr}")
        return run

    def test_pip_installed_it(self):
        self.assertIn("Successfully installed stemedb-0.1.0", self.install.stdout)
        shown = self.run_checked([self.python, "-m", "pip", "show", "stemedb"]).stdout
        self.assertIn("Version: 0.1.0", shown)
        self.assertIn("Requires: cryptography", shown)

    def test_imports_from_site_packages(self):
        out = self.run_checked([self.python, "-B", "-c",
                                "import stemedb, sys; print(stemedb.__file__); print(stemedb.__version__); "
                                "a = stemedb.Agent.generate(); "
                                "s = stemedb.Assertion('s', 'p', 'v', 0.5).sign(a); print(s.verify().id == s.id)"
                                ]).stdout.split()
        self.assertTrue(out[0].startswith(os.path.join(self.venv, "lib")), out[0])
        self.assertEqual(out[1:], ["0.1.0", "True"])

    def test_protocol_tests_pass_with_the_installed_package(self):
        env = dict(os.environ, STEMEDB_TEST_INSTALLED="1")
        run = self.run_checked([self.python, "-B", os.path.join(support.TESTS_DIR, "test_protocol.py")], env=env)
        self.assertIn("OK", run.stderr)
        # ...and the stemedb it tested was the installed one.
        probe = self.run_checked([self.python, "-B", "-c",
                                  "import sys; sys.path.insert(0, sys.argv[1]); import support, stemedb; "
                                  "print(stemedb.__file__)", support.TESTS_DIR], env=env).stdout.strip()
        self.assertTrue(probe.startswith(self.venv), probe)


if __name__ == "__main__":
    sys.exit(support.main(needs_daemon=False))

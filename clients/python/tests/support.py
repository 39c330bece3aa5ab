"""What the package's tests share: the source tree on sys.path, a live stemedb-api started on a
free loopback port with a temporary data directory, and a unittest main that takes the
daemon's binary path from the command line.

    python3 -B clients/python/tests/test_client.py build/release/stemedb-api [unittest args]

The daemon is the real binary (ctest passes $<TARGET_FILE:stemedb-api>): `--bind 127.0.0.1:0`
lets the kernel pick the port, which the daemon logs ("listening on 127.0.0.1:PORT"); its root
admin key is generated into <data dir>/root.key at the first start. The kernel kills it if the
test dies (PR_SET_PDEATHSIG), and the test stops it with SIGTERM at the end.
"""

import ctypes
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
PACKAGE_DIR = os.path.dirname(TESTS_DIR)  # clients/python
REPO_ROOT = os.path.dirname(os.path.dirname(PACKAGE_DIR))
VECTORS_PATH = os.path.join(REPO_ROOT, "docs", "protocol_vectors.json")

# The installation test runs the protocol tests with an installed package: it sets this so the
# source tree stays off sys.path.
if not os.environ.get("STEMEDB_TEST_INSTALLED"):
    sys.path.insert(0, PACKAGE_DIR)

START_TIMEOUT_S = 30
_LISTENING = re.compile(rb"listening on [0-9.]+:([0-9]+)")

# Set by main() from the command line.
API_BINARY = None
CLI_BINARY = None


def load_vectors():
    with open(VECTORS_PATH, encoding="utf-8") as f:
        return json.load(f)


def _die_with_parent():
    """Runs in the child before exec: the kernel kills the daemon if the test dies."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Daemon:
    """A stemedb-api process on 127.0.0.1 with its own data directory."""

    def __init__(self, binary=None, args=(), env=None, data_dir=None, port=0, wait_ready=True, tls=None):
        self.binary = binary or API_BINARY
        if not self.binary or not os.access(self.binary, os.X_OK):
            raise RuntimeError(f"no stemedb-api binary at {self.binary!r} (pass its path as the first argument)")
        self.work = tempfile.mkdtemp(prefix="stemedb-py-")
        self.data_dir = data_dir or os.path.join(self.work, "data")
        self.log_path = os.path.join(self.work, "daemon.log")
        self.args = list(args)
        self.env = dict(os.environ, **(env or {}))
        self.port = port
        self.wait_ready = wait_ready
        self.tls = tls  # (cert_file, key_file): serve HTTPS
        if tls:
            self.args += ["--tls-cert-file", tls[0], "--tls-key-file", tls[1]]
        self.proc = None
        self.start()

    @property
    def url(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def root_key(self):
        with open(os.path.join(self.data_dir, "root.key"), encoding="utf-8") as f:
            return f.read().strip()

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def start(self):
        argv = [self.binary, "--bind", f"127.0.0.1:{self.port}", "--data-dir", self.data_dir,
                "--log-level", "info"] + self.args
        log = open(self.log_path, "ab")
        start_offset = log.tell()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                     env=self.env, preexec_fn=_die_with_parent)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        port = None
        while port is None:
            with open(self.log_path, "rb") as f:
                f.seek(start_offset)
                m = _LISTENING.search(f.read())
            if m:
                port = int(m.group(1))
                break
            if self.proc.poll() is not None:
                raise RuntimeError(f"stemedb-api exited during start-up ({self.proc.returncode}):\n{self.log()}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"stemedb-api did not listen within {START_TIMEOUT_S} s:\n{self.log()}")
            time.sleep(0.02)
        self.port = port
        if not self.wait_ready:
            return
        context = None
        if self.tls:
            context = ssl.create_default_context(cafile=self.tls[0])
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/v1/ready", timeout=5, context=context) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"stemedb-api did not become ready:\n{self.log()}")

    def stop(self, sig=signal.SIGTERM, timeout_s=30):
        """Stops the process (SIGTERM: a clean shutdown); returns its exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            return self.kill()

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            return self.proc.wait(10)
        return None

    def restart(self, same_port=True):
        """Stops and starts again on the same data directory (and port, by default)."""
        self.stop()
        if not same_port:
            self.port = 0
        self.start()

    def close(self):
        self.stop()
        shutil.rmtree(self.work, ignore_errors=True)


def standby_of(primary, name="s1", args=(), causal_wait_ms=5000):
    """A standby streaming from `primary` (docs/replication.md); a read with min_position waits
    up to causal_wait_ms for it to apply that far."""
    return Daemon(args=["--rate-limit-enabled", "false"] + list(args), env={
        "STEMEDB_REPLICATION_ROLE": "standby",
        "STEMEDB_REPLICATION_PRIMARY_URL": primary.url,
        "STEMEDB_REPLICATION_API_KEY": primary.root_key,
        "STEMEDB_REPLICATION_NAME": name,
        "STEMEDB_REPLICATION_CAUSAL_WAIT_MS": str(causal_wait_ms),
    })


def self_signed_certificate(directory):
    """(cert_file, key_file) for 127.0.0.1, made with openssl; None when openssl is missing."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=60)
    except FileNotFoundError:
        return None
    return cert, key


def wait_until(predicate, timeout_s=10.0, interval_s=0.02, what="condition"):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def main(needs_daemon=True):
    """unittest's main, after taking the binary path (and --cli PATH) off the command line."""
    global API_BINARY, CLI_BINARY
    args = sys.argv[1:]
    if "--cli" in args:
        at = args.index("--cli")
        CLI_BINARY = args[at + 1]
        del args[at:at + 2]
    if needs_daemon:
        if not args or args[0].startswith("-"):
            print(f"usage: {sys.argv[0]} PATH/TO/stemedb-api [--cli PATH/TO/stemedb] [unittest args]",
                  file=sys.stderr)
            return 2
        API_BINARY = os.path.abspath(args.pop(0))
        if CLI_BINARY is None:
            beside = os.path.join(os.path.dirname(API_BINARY), "stemedb")
            CLI_BINARY = beside if os.access(beside, os.X_OK) else None
    started = time.monotonic()
    program = unittest.main(module="__main__", argv=[sys.argv[0]] + args, exit=False, verbosity=2)
    print(f"{sys.argv[0]}: {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0 if program.result.wasSuccessful() else 1

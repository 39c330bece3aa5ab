#!/usr/bin/env python3
"""deploy/haproxy/haproxy.cfg routing real requests, with the real haproxy binary.

A copy of the file is rewritten to free loopback ports (its frontends and stats page) and to
three small HTTP servers of this process playing the nodes: the primary answers 200 on /v1/role
and 503 on /v1/replica, a healthy standby the other way round, and every other request with the
node's name. The global lines that need root or the packaged layout (chroot, user, group, the
runtime socket, /dev/log) are dropped; nothing else changes. Then, through HAProxy:

- writes reach the primary, and only it; reads reach both standbys, never the primary;
- HAProxy passes the client's X-Request-Id and makes one when the client sent none;
- the primary moves to another node: writes follow within 5 s, reads leave the new primary;
- a request open on the old primary is cut when it is marked down (on-marked-down
  shutdown-sessions), not left to finish there;
- no standby healthy: reads fall back to the primary (its backup line); no primary: writes get
  503 from HAProxy;
- the stats page and HAProxy's Prometheus metrics answer.

Usage: haproxy_routes_test.py HAPROXY_CFG
Exit 0 passed, 1 failed, 77 skipped (no haproxy binary: scripts/setup.sh installs it).
"""

import ctypes
import http.client
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

FOLLOW_S = 5.0          # the brief: writes follow a new primary within 5 s
SLOW_REQUEST_S = 20.0   # a request the old primary would answer only after this
NODES = ("node1", "node2", "node3")
# The addresses in the shipped file, in node order, and its frontends.
NODE_ADDRS = ("127.0.0.1:18180", "127.0.0.1:18181", "127.0.0.1:18182")
FRONTENDS = {"writes": "127.0.0.1:18190", "reads": "127.0.0.1:18191", "stats": "127.0.0.1:8404"}
# Global lines the test drops: they need root (chroot, user, group), a directory the package
# makes (/run/haproxy) or syslog's socket (the first log line goes to stderr instead, shown when
# the test fails).
DROPPED = re.compile(r"^\s*(chroot|user|group|stats socket|log /dev/log)\b")
SYSLOG = re.compile(r"^(\s*)log /dev/log\s+local0\s*$", re.M)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklist import check, failures, log  # noqa: E402


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # HAProxy ends its health checks with a reset, and the test cuts connections on purpose.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class Node:
    """One StemeDB node as HAProxy sees it: its two health endpoints and a name on the rest."""

    def __init__(self, name):
        self.name = name
        self.primary = False
        self.replica_healthy = True
        self.request_ids = []
        node = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("X-Node", node.name)
                self.end_headers()
                self.wfile.write(data)

            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                path = self.path.split("?")[0]
                if path == "/v1/role":
                    if node.primary:
                        self.answer(200, {"role": "primary"})
                    else:
                        self.answer(503, {"error": {"code": "not_primary"}})
                elif path == "/v1/replica":
                    if not node.primary and node.replica_healthy:
                        self.answer(200, {"role": "standby"})
                    else:
                        self.answer(503, {"error": {"code": "not_replica"}})
                else:
                    node.request_ids.append(self.headers.get("X-Request-Id"))
                    if path == "/slow":
                        time.sleep(SLOW_REQUEST_S)
                    self.answer(200, {"node": node.name})

            do_GET = handle_any
            do_POST = handle_any

            def log_message(self, *args):
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rewrite(text, nodes, ports):
    """The shipped file with the test's addresses; fails the test when an address it should
    replace is not where the file had it (the test would otherwise check nothing)."""
    text = SYSLOG.sub(r"\g<1>log stderr format short local0", text, count=1)
    lines = [l for l in text.splitlines() if not DROPPED.match(l)]
    out = "\n".join(lines) + "\n"
    for name, addr in FRONTENDS.items():
        pattern = rf"^(\s*bind\s+){re.escape(addr)}(\s|$)"
        out, n = re.subn(pattern, rf"\g<1>127.0.0.1:{ports[name]}\2", out, flags=re.M)
        if not check(n == 1, f"the file binds the {name} frontend to {addr}"):
            return None
    for node, addr in zip(nodes, NODE_ADDRS):
        pattern = rf"^(\s*server\s+{node.name}(?:-primary)?\s+){re.escape(addr)}(\s|$)"
        out, n = re.subn(pattern, rf"\g<1>127.0.0.1:{node.port}\2", out, flags=re.M)
        if not check(n == 3, f"the file names {node.name} at {addr} three times (writes, reads, backup)"):
            return None
    return out


def request(port, method="GET", path="/v1/claims", headers=None, timeout=10):
    """(status, X-Node or None, body) of one request on a fresh connection; status 0 when the
    connection failed or was closed without an answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=b"{}" if method == "POST" else None, headers=headers or {})
        reply = conn.getresponse()
        return reply.status, reply.getheader("X-Node"), reply.read()
    except (OSError, http.client.HTTPException):
        return 0, None, b""
    finally:
        conn.close()


def wait_for(what, predicate, timeout_s):
    """Polls predicate until it holds; returns the seconds it took, or None."""
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.1)
    return None


def targets(port, method, count=12):
    return [request(port, method)[1] for _ in range(count)]


def set_primary(nodes, name):
    for node in nodes:
        node.primary = node.name == name


def die_with_parent():
    """Runs in the child before exec: the kernel kills HAProxy if this test dies (even SIGKILL)."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: haproxy_routes_test.py HAPROXY_CFG")
    haproxy = shutil.which("haproxy")
    if haproxy is None:
        log("SKIP: no haproxy binary (Debian's haproxy package; scripts/setup.sh installs it)")
        return 77
    with open(sys.argv[1], encoding="utf-8") as f:
        shipped = f.read()

    # ctest's timeout sends SIGTERM: leave through the finally blocks, which stop HAProxy.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    nodes = [Node(name) for name in NODES]
    work = tempfile.mkdtemp(prefix="stemedb-haproxy-")
    proc = None
    try:
        ports = {name: free_port() for name in FRONTENDS}
        config = rewrite(shipped, nodes, ports)
        if config is None:
            return 1
        cfg_path = os.path.join(work, "haproxy.cfg")
        with open(cfg_path, "w", encoding="utf-8") as f:
            f.write(config)
        errors = open(os.path.join(work, "haproxy.log"), "w+", encoding="utf-8")
        set_primary(nodes, "node1")
        # -db: in the foreground, as one process, so terminating it ends HAProxy.
        proc = subprocess.Popen([haproxy, "-db", "-f", cfg_path], stdin=subprocess.DEVNULL,
                                stdout=errors, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        writes, reads = ports["writes"], ports["reads"]

        took = wait_for("writes", lambda: request(writes, "POST")[1] == "node1", FOLLOW_S)
        if not check(took is not None, "writes reach the primary node1 once HAProxy is up"):
            return 1
        check(wait_for("reads", lambda: set(targets(reads, "GET", 6)) == {"node2", "node3"}, FOLLOW_S)
              is not None, "reads reach both standbys once their checks pass")
        got = targets(writes, "POST")
        check(set(got) == {"node1"}, f"12 writes all reach node1 (got {got})")
        got = targets(reads, "GET")
        check(set(got) == {"node2", "node3"}, f"12 reads reach node2 and node3, never node1 (got {got})")

        nodes[0].request_ids.clear()
        request(writes, "POST", headers={"X-Request-Id": "client-id-1"})
        request(writes, "POST")
        ids = nodes[0].request_ids
        check(len(ids) == 2 and ids[0] == "client-id-1", f"the client's X-Request-Id passes unchanged ({ids})")
        check(len(ids) == 2 and bool(ids[1]) and re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", ids[1] or ""),
              f"HAProxy makes an X-Request-Id the daemon accepts when the client sent none ({ids})")

        # A request open on the primary when it stops being primary.
        slow = {}

        def slow_write():
            start = time.monotonic()
            slow["status"], slow["node"], _ = request(writes, "POST", "/slow", timeout=SLOW_REQUEST_S + 10)
            slow["seconds"] = time.monotonic() - start

        slow_thread = threading.Thread(target=slow_write)
        slow_thread.start()
        time.sleep(0.5)  # the request is at node1 now

        set_primary(nodes, "node2")
        took = wait_for("writes follow", lambda: request(writes, "POST")[1] == "node2", FOLLOW_S)
        check(took is not None, f"writes follow the new primary node2 within {FOLLOW_S:.0f} s"
              + (f" ({took:.1f} s)" if took is not None else ""))
        got = targets(writes, "POST")
        check(set(got) == {"node2"}, f"then 12 writes all reach node2 (got {got})")
        check(wait_for("reads leave node2", lambda: set(targets(reads, "GET", 6)) == {"node1", "node3"},
                       FOLLOW_S) is not None, "reads move to node1 and node3, off the new primary")
        slow_thread.join(SLOW_REQUEST_S + 15)
        # HAProxy answers the cut request 502 itself (or closes the connection: status 0).
        check(slow.get("status") in (0, 502) and slow.get("node") is None
              and slow.get("seconds", SLOW_REQUEST_S) < SLOW_REQUEST_S - 5,
              "the write open on the old primary is cut when it is marked down, not answered there "
              f"(status {slow.get('status')} after {slow.get('seconds', 0):.1f} s; node1 would answer "
              f"at {SLOW_REQUEST_S:.0f} s)")

        for node in nodes:
            node.replica_healthy = False
        check(wait_for("reads fall back", lambda: set(targets(reads, "GET", 6)) == {"node2"}, FOLLOW_S)
              is not None, "no standby healthy: reads go to the primary node2 (its backup line)")
        for node in nodes:
            node.replica_healthy = True

        set_primary(nodes, None)
        check(wait_for("no primary", lambda: request(writes, "POST")[0] == 503, FOLLOW_S) is not None,
              "no primary: writes get 503 from HAProxy")
        set_primary(nodes, "node3")
        check(wait_for("writes follow", lambda: request(writes, "POST")[1] == "node3", FOLLOW_S) is not None,
              "a primary again (node3): writes reach it")

        status, _, body = request(ports["stats"], path="/")
        check(status == 200 and b"writes" in body and b"node1-primary" in body,
              f"the stats page answers on its port ({status})")
        status, _, body = request(ports["stats"], path="/metrics")
        check(status == 200 and b"haproxy_backend_active_servers" in body,
              f"HAProxy's Prometheus metrics answer at /metrics ({status})")

        check(proc.poll() is None, "HAProxy ran throughout")
    finally:
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            errors.seek(0)
            output = errors.read().strip()
            errors.close()
            if failures and output:
                log("haproxy's output:\n" + output)
        for node in nodes:
            node.stop()
        shutil.rmtree(work, ignore_errors=True)
    log(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""deploy/etcd/: the three members' command lines, as stemedb-etcd@.service builds them from the
example environment files, form one etcd 3.4 cluster.

The test reads ExecStart= of the unit, puts in each member's instance number (%i) and the
variables of its etcd-N.env exactly as systemd would, then runs the real etcd with those
arguments, changed only where the test must: every port becomes a free loopback port and the
data directory a temporary one. Checked:

- each file sets every variable the unit uses, and nothing named ETCD_* (etcd would read it too);
- the files agree: one INITIAL_CLUSTER, each member's name and peer URL in it, distinct ports;
- the three members start, report healthy, list each other by name, and a key written through
  one is read through another;
- with one member stopped the other two still take writes (a quorum of two); with two stopped
  the last refuses them (which is what keeps two StemeDB nodes from both holding the lease).

Usage: etcd_cluster_test.py UNIT_FILE ENV_DIR
Exit 0 passed, 1 failed, 77 skipped (no etcd or etcdctl: Debian's etcd-server and etcd-client,
which scripts/setup.sh installs).
"""

import ctypes
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

START_TIMEOUT_S = 30
# The flags that carry a member's own addresses (--initial-cluster holds everyone's).
OWN_URL_FLAGS = ("--listen-peer-urls", "--initial-advertise-peer-urls", "--listen-client-urls",
                 "--advertise-client-urls")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklist import check, failures, log  # noqa: E402


def exec_start(unit_text):
    """The ExecStart= command of a unit, its continuation lines joined, split into words."""
    joined = re.sub(r"\\\n", " ", unit_text)
    m = re.search(r"^ExecStart=[-@:+!]*(.+)$", joined, re.M)
    if not m:
        sys.exit("FAIL: the unit has no ExecStart=")
    return m.group(1).split()


def read_env(path):
    """KEY=VALUE lines of an EnvironmentFile (comments and blank lines skipped)."""
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip().strip('"')
    return env


def expand(words, instance, env):
    """%i and ${VAR} as systemd expands them in ExecStart= (each ${VAR} stays one word)."""
    out = []
    for w in words:
        w = w.replace("%i", instance)
        out.append(re.sub(r"\$\{(\w+)\}", lambda m: env.get(m.group(1), ""), w))
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def die_with_parent():
    """Runs in the child before exec: the kernel kills etcd if this test dies (even SIGKILL)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def flag(args, name):
    i = args.index(name)
    return args[i + 1]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: etcd_cluster_test.py UNIT_FILE ENV_DIR")
    with open(sys.argv[1], encoding="utf-8") as f:
        command = exec_start(f.read())
    binary = command[0]
    etcdctl = shutil.which("etcdctl")
    if not os.access(binary, os.X_OK) or etcdctl is None:
        log(f"SKIP: {binary} or etcdctl missing (Debian's etcd-server and etcd-client; scripts/setup.sh)")
        return 77

    used = sorted(set(re.findall(r"\$\{(\w+)\}", " ".join(command))))
    files = sorted(glob.glob(os.path.join(sys.argv[2], "etcd-*.env")))
    if not check(len(files) == 3, f"three member files etcd-N.env ({len(files)} found)"):
        return 1
    members = []
    for path in files:
        instance = re.search(r"etcd-(\w+)\.env$", path).group(1)
        env = read_env(path)
        name = os.path.basename(path)
        missing = [v for v in used if not env.get(v)]
        check(not missing, f"{name} sets every variable the unit uses ({', '.join(used)})"
              + (f"; missing {', '.join(missing)}" if missing else ""))
        etcd_vars = [k for k in env if k.startswith("ETCD_")]
        check(not etcd_vars, f"{name} names no variable ETCD_* ({', '.join(etcd_vars) or 'none'})")
        members.append((instance, env, expand(command, instance, env)))

    clusters = {m[1].get("INITIAL_CLUSTER") for m in members}
    check(len(clusters) == 1, "the three files have the same INITIAL_CLUSTER")
    cluster = dict(e.split("=", 1) for e in next(iter(clusters)).split(","))
    for instance, env, args in members:
        check(cluster.get(flag(args, "--name")) == flag(args, "--initial-advertise-peer-urls"),
              f"member {instance}: --name and its peer URL are an entry of --initial-cluster")
        check(flag(args, "--advertise-client-urls") in flag(args, "--listen-client-urls").split(","),
              f"member {instance}: it listens on the client URL it advertises")
        check(flag(args, "--data-dir") == f"/var/lib/etcd/stemedb-{instance}",
              f"member {instance}: data in /var/lib/etcd/stemedb-{instance} (the unit's StateDirectory)")
    own = {}  # port -> the members listening on or advertising it
    for instance, _, args in members:
        for name in OWN_URL_FLAGS:
            for port in re.findall(r"//[^/:,]+:(\d+)", flag(args, name)):
                own.setdefault(port, set()).add(instance)
    shared = sorted(p for p, users in own.items() if len(users) > 1)
    check(own and not shared, "no two members use the same port, as on one machine "
          f"({', '.join(shared) or 'none shared'})")
    if failures:
        return 1

    # Every port to a free one, every host to loopback, the data to a temporary directory.
    port_map = {p: str(free_port()) for p in own}
    work = tempfile.mkdtemp(prefix="stemedb-etcd-")
    procs = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        runs = []
        for instance, _, args in members:
            args = [re.sub(r"//[^/:,]+:(\d+)", lambda m: f"//127.0.0.1:{port_map[m.group(1)]}", a) for a in args]
            args[args.index("--data-dir") + 1] = os.path.join(work, f"member-{instance}")
            runs.append((instance, args))
        endpoints = [flag(args, "--advertise-client-urls") for _, args in runs]
        clean_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "ETCDCTL_API": "3"}
        for instance, args in runs:
            out = open(os.path.join(work, f"member-{instance}.log"), "w", encoding="utf-8")
            procs.append((instance, subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out,
                                                     stderr=subprocess.STDOUT, env=clean_env,
                                                     preexec_fn=die_with_parent), out))

        def ctl(*words, endpoint=None, timeout="3s"):
            res = subprocess.run([etcdctl, f"--endpoints={endpoint or ','.join(endpoints)}",
                                  f"--command-timeout={timeout}", *words], capture_output=True,
                                 text=True, env=clean_env, timeout=30)
            return res.returncode, res.stdout + res.stderr

        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            code, health = ctl("endpoint", "health")
            if code == 0 or any(p.poll() is not None for _, p, _ in procs):
                break
            time.sleep(0.5)
        check(code == 0, f"the three members are healthy within {START_TIMEOUT_S} s:\n{health.rstrip()}")
        code, members_out = ctl("member", "list")
        names = sorted(re.findall(r", started, ([^,]+),", members_out))
        check(names == sorted(flag(a, "--name") for _, a in runs),
              f"one cluster, its members listed by name ({', '.join(names)})")
        code, _ = ctl("put", "/stemedb/test/key", "v1", endpoint=endpoints[0])
        code2, got = ctl("get", "/stemedb/test/key", "--print-value-only", endpoint=endpoints[2])
        check(code == 0 and code2 == 0 and got.strip() == "v1",
              f"a key written through member 1 is read through member 3 ({got.strip()!r})")

        procs[0][1].terminate()
        procs[0][1].wait(15)
        code, out = ctl("put", "/stemedb/test/key", "v2", endpoint=endpoints[1])
        check(code == 0, f"one member stopped: the other two still take a write ({out.strip()})")
        procs[1][1].terminate()
        procs[1][1].wait(15)
        code, out = ctl("put", "/stemedb/test/key", "v3", endpoint=endpoints[2], timeout="2s")
        check(code != 0, f"two stopped: the last member refuses the write ({out.strip().splitlines()[-1:]})")
    finally:
        for instance, proc, out in procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            out.close()
            if failures:
                with open(out.name, encoding="utf-8", errors="replace") as f:
                    tail = f.read().splitlines()[-15:]
                log(f"member {instance}'s last lines:\n" + "\n".join(tail))
        shutil.rmtree(work, ignore_errors=True)
    log(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

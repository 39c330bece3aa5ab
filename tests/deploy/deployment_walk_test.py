#!/usr/bin/env python3
"""Walks docs/operations/deployment.md on a real systemd host, the way a newcomer would.

The host is a fresh Debian 12 root file system (debootstrap) booted with systemd as PID 1 in a
container (systemd-nspawn, its own network namespace so its ports cannot meet other tests').
StemeDB goes in the way the guide's "built on another machine" path says: `cmake --install`
with DESTDIR onto the host's /. Then every `sh` block of the guide runs, in order, as a sudo
user on that host, exactly as written, with three exceptions that a person at a keyboard
supplies: the build block (done by the install above), `sudoedit` and `sudo systemctl edit`
(interactive editors; the example files work unedited). Two stand-ins replace what the
newcomer's site would have: DNS for stemedb.example.com (an /etc/hosts line) and trust in the
self-signed certificate of tls.md (update-ca-certificates).

After the blocks that promise something, the test checks the promise: the unit is
`active (running)` with `Status: "serving"`, the root key is 0600 stemedb, a backup archive is
written, nginx answers over TLS, Prometheus scrapes the node, a crash is restarted, a reboot
starts the node again with every acknowledged write, the uninstall leaves the data.

Usage: deployment_walk_test.py --cmake CMAKE --build BUILD_DIR --source SOURCE_DIR --work DIR
Exit 0 passed, 1 failed (also when debootstrap or systemd-nspawn is missing: scripts/setup.sh
installs them), 77 skipped (not root: no container can be booted). The base root file system is
cached in DIR between runs.
"""

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

GUIDE = "docs/operations/deployment.md"
TLS_GUIDE = "docs/operations/tls.md"
SUITE = "bookworm"
# What a minimal Debian 12 server has besides the guide's own apt-get lines.
BASE_PACKAGES = ["systemd", "systemd-sysv", "dbus", "sudo", "ca-certificates", "openssl", "curl"]
USER = "admin"
BOOT_TIMEOUT_S = 90
BLOCK_TIMEOUT_S = 300
# The sections whose promises check_after tests: a guide that lost one must fail, not pass quietly.
SECTIONS_CHECKED = ("3", "4", "5", "6", "7", "8", "9", "10", "Uninstall")
INTERACTIVE = re.compile(r"^\s*(sudoedit\b|sudo systemctl edit\b)")


def log(msg):
    print(msg, flush=True)


class WalkFailed(Exception):
    pass


def skip(why):
    log(f"SKIP: {why}")
    sys.exit(77)


def run(cmd, timeout_s=BLOCK_TIMEOUT_S, check=True, **kw):
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, **kw)
    if check and res.returncode != 0:
        raise WalkFailed(f"{' '.join(cmd)} exited {res.returncode}:\n{res.stdout}{res.stderr}")
    return res


def sh_blocks(path):
    """Returns [(section heading, block text)] for every ```sh block of a Markdown file."""
    blocks, section, block = [], "", None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if block is None and line.startswith("## "):
                section = line[3:].strip()
            elif block is None and line.strip() == "```sh":
                block = []
            elif block is not None and line.strip() == "```":
                blocks.append((section, "".join(block)))
                block = None
            elif block is not None:
                block.append(line)
    if block is not None:
        raise WalkFailed(f"{path}: an sh block is not closed")
    return blocks


def apt_packages(blocks):
    """Every package the guide's `apt-get install` lines name (continuation lines joined)."""
    names = []
    for _, text in blocks:
        for cmd in text.replace("\\\n", " ").splitlines():
            m = re.search(r"apt-get install\s+(.*)", cmd.split("#")[0])
            if m:
                names += [w for w in m.group(1).split() if not w.startswith("-")]
    return names


def mirror():
    try:
        with open("/etc/apt/sources.list.d/debian.sources", encoding="utf-8") as f:
            m = re.search(r"^URIs:\s*(\S+)", f.read(), re.M)
            if m:
                return m.group(1)
    except OSError:
        pass
    return "http://deb.debian.org/debian"


def base_root(work, packages):
    """A debootstrapped root with the packages, cached under work by the package list's hash."""
    key = hashlib.sha256(" ".join(sorted(set(packages))).encode()).hexdigest()[:12]
    base = os.path.join(work, f"base-{SUITE}-{key}")
    if not os.path.exists(os.path.join(base, ".complete")):
        shutil.rmtree(base, ignore_errors=True)
        start = time.monotonic()
        log(f"debootstrap {SUITE} with {len(set(packages))} packages into {base}")
        run(["debootstrap", "--include=" + ",".join(sorted(set(packages))), SUITE, base, mirror()],
            timeout_s=900)
        open(os.path.join(base, ".complete"), "w").close()
        log(f"debootstrap took {time.monotonic() - start:.0f} s")
    return base


def container_using(root):
    """The PID of a systemd-nspawn still running on root (an earlier run killed mid-walk)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if argv and os.path.basename(argv[0]) == "systemd-nspawn" and root in argv:
            return int(pid)
    return None


def prepare_host(root, args):
    run(["env", f"DESTDIR={root}", args.cmake, "--install", args.build, "--prefix", "/usr"])
    with open(os.path.join(root, "etc/hostname"), "w") as f:
        f.write("stemedb-host\n")
    with open(os.path.join(root, "etc/hosts"), "a") as f:
        # The site's DNS, for the guide's https://stemedb.example.com.
        f.write("127.0.1.1 stemedb-host\n127.0.0.1 stemedb.example.com\n")
    run(["chroot", root, "useradd", "-m", "-s", "/bin/bash", "-G", "sudo", USER])
    with open(os.path.join(root, f"etc/sudoers.d/{USER}"), "w") as f:
        f.write(f"{USER} ALL=(ALL) NOPASSWD:ALL\n")
    os.chmod(os.path.join(root, f"etc/sudoers.d/{USER}"), 0o440)


class Host:
    """The booted container; commands run in all of its namespaces."""

    def __init__(self, root, name):
        self.root, self.name, self.proc = os.path.realpath(root), name, None

    def boot(self):
        self.proc = subprocess.Popen(
            ["systemd-nspawn", "-D", self.root, "-b", "--register=no", "--keep-unit",
             "--private-network", f"--machine={self.name}", "--console=passive"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + BOOT_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise WalkFailed(f"systemd-nspawn exited {self.proc.returncode}:\n{self.proc.stdout.read()}")
            pid = self.init_pid()
            if pid:
                state = self.sh("systemctl is-system-running", check=False, user=None).stdout.strip()
                if state in ("running", "degraded"):
                    if state == "degraded":
                        log(self.sh("systemctl --failed --no-pager", check=False, user=None).stdout)
                    return
            time.sleep(0.5)
        raise WalkFailed(f"the host did not finish booting in {BOOT_TIMEOUT_S} s")

    def init_pid(self):
        """The host-side PID of the container's PID 1: a child of systemd-nspawn."""
        if self.proc is None or self.proc.poll() is not None:
            return None
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/status", encoding="utf-8") as f:
                    status = f.read()
            except OSError:
                continue
            if (re.search(rf"^PPid:\s+{self.proc.pid}$", status, re.M)
                    and re.search(r"^NSpid:\s+\d+\s+1$", status, re.M)):
                return int(pid)
        return None

    def sh(self, script, check=True, user=USER, timeout_s=BLOCK_TIMEOUT_S):
        pid = self.init_pid()
        if pid is None:
            raise WalkFailed("the host's init is gone")
        enter = ["nsenter", "-t", str(pid), "-a"]
        cmd = enter + (["su", "-", user, "-c", "bash -s"] if user else ["bash", "-s"])
        return run(cmd, input="set -euo pipefail\n" + script, check=check, timeout_s=timeout_s)

    def poweroff(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            self.sh("systemctl poweroff", check=False, user=None)
        except WalkFailed:
            pass
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def expect(host, script, pattern, what, timeout_s=0):
    """Runs script on the host until its output matches pattern (once, or for timeout_s)."""
    deadline = time.monotonic() + timeout_s
    while True:
        out = host.sh(script, check=False)
        if re.search(pattern, out.stdout + out.stderr, re.M):
            log(f"  ok: {what}")
            return
        if time.monotonic() >= deadline:
            raise WalkFailed(f"{what}: `{script.strip()}` printed:\n{out.stdout}{out.stderr}")
        time.sleep(1)


def walk_block(host, section, text):
    lines = [l for l in text.splitlines() if not INTERACTIVE.match(l)]
    script = "\n".join(lines) + "\n"
    log(f"--- {section}\n{script.rstrip()}")
    start = time.monotonic()
    res = host.sh(script, check=False)
    out = (res.stdout + res.stderr).rstrip()
    if out:
        log("\n".join("  | " + l for l in out.splitlines()[-25:]))
    if res.returncode != 0:
        raise WalkFailed(f"section '{section}': the block exited {res.returncode}")
    log(f"  block ran in {time.monotonic() - start:.1f} s")


WRITE = ("mkdir -p ~/.stemedb && {{ [ -f ~/.stemedb/agent.key ] || stemedb keygen ~/.stemedb/agent.key; }} && "
         "stemedb assert --key ~/.stemedb/agent.key --subject walk/{n} --predicate checked --text yes --confidence 0.9\n")
READ = "stemedb query --subject walk/{n} --predicate checked --lens recency\n"


def check_after(host, section, writes):
    """The promises the guide makes at the end of a section."""
    number = section.split(".")[0]
    if number == "5":
        expect(host, "systemctl status stemedb-api --no-pager", r"active \(running\)", "the unit is active (running)")
        expect(host, "systemctl status stemedb-api --no-pager", r'Status: "serving"', 'Status: "serving"')
        expect(host, "sudo stat -c '%a %U' /var/lib/stemedb/root.key /var/lib/stemedb",
               r"\A600 stemedb\n750 stemedb\n?\Z", "root.key is 0600 stemedb, /var/lib/stemedb 0750")
        host.sh(WRITE.format(n=len(writes)))
        writes.append(len(writes))
        log("  ok: a signed write through the CLI")
    elif number == "6":
        expect(host, "sudo ls /var/backups/stemedb", r"^stemedb-backup-\d+T\d+Z\.tar\.gz$", "a backup archive")
        expect(host, "systemctl list-units --failed 'stemedb-*' --no-pager", r"^0 loaded units listed", "no failed unit")
    elif number == "7":
        expect(host, "curl -s https://stemedb.example.com/v1/ready", r'"status":"ready"', "nginx answers over TLS")
    elif number == "8":
        expect(host, "curl -s http://127.0.0.1:18180/metrics", r"^stemedb_wal_state 1$", "stemedb_wal_state 1")
    elif number == "9":
        expect(host, "curl -s http://127.0.0.1:9090/api/v1/query --data-urlencode 'query=up{job=\"stemedb\"}'",
               r'"job":"stemedb"\},"value":\[[0-9.]+,"1"\]', "Prometheus scrapes the node", timeout_s=60)
    elif number == "10":
        expect(host, "systemctl status stemedb-api --no-pager", r'Status: "serving"', "serving after the restart")
        for n in writes:
            expect(host, READ.format(n=n), r"^winner\s+yes", f"write {n} read back")


def crash_and_reboot(host, writes):
    pid = host.sh("systemctl show -p MainPID --value stemedb-api").stdout.strip()
    host.sh(f"sudo kill -9 {pid}")
    expect(host, 'echo "$(systemctl show -p MainPID --value stemedb-api) $(systemctl is-active stemedb-api)"',
           rf"\A(?!{pid} |0 )\d+ active$", "Restart=on-failure started a new daemon after SIGKILL", timeout_s=20)
    expect(host, "curl -s http://127.0.0.1:18180/v1/ready", r'"ready"', "ready after the crash", timeout_s=20)
    host.sh(WRITE.format(n=len(writes)))
    writes.append(len(writes))
    host.poweroff()
    log("--- reboot")
    host.boot()
    expect(host, "systemctl status stemedb-api --no-pager", r'Status: "serving"', "started at boot, serving")
    for n in writes:
        expect(host, READ.format(n=n), r"^winner\s+yes", f"write {n} read back after the reboot")


def walk(host, source):
    guide = sh_blocks(os.path.join(source, GUIDE))
    tls_block = next(t for _, t in sh_blocks(os.path.join(source, TLS_GUIDE)) if "openssl req" in t)
    seen = {section.split(".")[0] for section, _ in guide}
    if not seen.issuperset(SECTIONS_CHECKED):
        raise WalkFailed(f"{GUIDE} has no sh block in section(s) {sorted(set(SECTIONS_CHECKED) - seen)}")
    writes = []
    for i, (section, text) in enumerate(guide):
        if "git clone" in text:
            log(f"--- {section}: the build block; installed with DESTDIR instead (the guide's other path)")
            continue
        if section.startswith("7.") and "nginx -t" in text:
            walk_block(host, "tls.md: a self-signed certificate", tls_block)
            host.sh("sudo cp /etc/stemedb/tls/fullchain.pem /usr/local/share/ca-certificates/stemedb.crt"
                    " && sudo update-ca-certificates >/dev/null")
        if section == "Uninstall":
            crash_and_reboot(host, writes)
        walk_block(host, section, text)
        last_of_section = i + 1 == len(guide) or guide[i + 1][0] != section
        if last_of_section:
            check_after(host, section, writes)
    expect(host, 'echo "$(systemctl is-enabled stemedb-api || true) $(systemctl is-active stemedb-api || true)"',
           r"\Adisabled inactive$", "the uninstall stops and disables the unit")
    expect(host, "sudo ls /var/lib/stemedb /var/backups/stemedb", r"root\.key", "the data stays")


def main():
    p = argparse.ArgumentParser()
    for flag in ("--cmake", "--build", "--source", "--work"):
        p.add_argument(flag, required=True)
    args = p.parse_args()
    if os.geteuid() != 0:
        skip("booting a systemd host needs root (systemd-nspawn, debootstrap)")
    missing = [t for t in ("debootstrap", "systemd-nspawn", "nsenter") if shutil.which(t) is None]
    if missing:
        log(f"FAIL: {', '.join(missing)} missing: run scripts/setup.sh (it installs them)")
        return 1
    os.makedirs(args.work, exist_ok=True)
    start = time.monotonic()
    host, root = None, os.path.join(args.work, "host")
    try:
        blocks = sh_blocks(os.path.join(args.source, GUIDE))
        base = base_root(args.work, BASE_PACKAGES + apt_packages(blocks))
        leftover = container_using(root)
        if leftover:
            raise WalkFailed(f"systemd-nspawn (PID {leftover}) from an earlier run still runs on {root}: "
                             "stop it first (kill it, then remove the directory)")
        shutil.rmtree(root, ignore_errors=True)
        run(["cp", "-a", base, root], timeout_s=300)
        prepare_host(root, args)
        host = Host(root, f"stemedb-walk-{os.getpid()}")
        host.boot()
        log(f"host booted ({time.monotonic() - start:.0f} s in)")
        walk(host, args.source)
    except (WalkFailed, subprocess.TimeoutExpired, StopIteration) as e:
        log(f"FAIL: {e}")
        if host and host.init_pid():
            log(host.sh("journalctl -n 60 --no-pager", check=False, user=None).stdout)
        return 1
    finally:
        if host:
            host.poweroff()
    # The booted copy goes (about 1 GB); the cached base stays. A failed run keeps it to look at.
    shutil.rmtree(root, ignore_errors=True)
    log(f"PASS: {GUIDE} walked on a booted Debian 12 systemd host in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

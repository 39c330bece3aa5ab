#!/usr/bin/env python3
"""deploy/grafana/*.json: checked against Grafana's dashboard schema, then every panel's PromQL
evaluated by the real Prometheus scraping live daemons.

1. Each file: the fields Grafana's dashboard schema requires (kinds/dashboard in Grafana's
   repository: editable, graphTooltip, schemaVersion; for a panel type, options, fieldConfig,
   transformations; a gridPos of h, w, x, y inside the 24 columns) and what these dashboards
   promise besides: a title, a uid unique across the files, schemaVersion 39, template variables
   `datasource` (of type datasource, Prometheus), `job` and `instance`; every panel with an id
   unique in its dashboard, a type, a title, a gridPos that overlaps no other panel, and targets
   with an expr and a refId unique in the panel; every variable an expr or a datasource uses is
   defined (or one of Grafana's own, such as $__rate_interval).
2. A primary stemedb-api and a standby streaming from it (so the replication panels have their
   series), each on a free loopback port with a temporary data directory. A background client
   posts signed assertions and votes (tests/clients/python/stemedb_client.py), now and then an
   assertion with a wrong signature, queries through each lens view, and GETs of records that do
   not exist.
3. Debian's prometheus on a free port scrapes both daemons every second under the job name of
   deploy/prometheus/prometheus.yml. Each variable's label_values() query is answered through
   Prometheus's API and must list the job and both instances. Then every target of every panel,
   its variables substituted as Grafana would ($job the job, $instance every instance as a
   regular expression, $__rate_interval 10s, ...), goes to /api/v1/query: no error, at least one
   series, and at least one value that is a number (not NaN). Every stemedb_* and process_*
   metric an expr names must be one the daemons export.

Usage: grafana_dashboards_test.py GRAFANA_DIR STEMEDB_API_BINARY
Exit 0 passed, 1 failed, 77 skipped (no prometheus binary: scripts/setup.sh installs it; the
static checks of step 1 still run, and a failure there still fails the test).
"""

import glob
import json
import math
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
import urllib.error
import urllib.parse
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "clients", "python"))
from checklist import check, failures, log  # noqa: E402

TITLES = {"StemeDB WAL Health", "StemeDB Overview"}  # the first is named by runbooks/wal-fsync-failure.md
SCHEMA_VERSION = 39
PANEL_TYPES = {"timeseries", "stat", "gauge", "bargauge", "table", "state-timeline", "heatmap", "text"}
# Grafana's own variables (https://grafana.com/docs/grafana/latest/dashboards/variables/add-template-variables/#global-variables),
# and what the test puts in their place: windows with enough 1 s scrapes in them.
BUILTINS = {"__rate_interval": "10s", "__interval": "2s", "__interval_ms": "2000", "__range": "1m",
            "__range_s": "60", "__range_ms": "60000", "__dashboard": "test", "__from": "0", "__to": "0"}
VARIABLE = re.compile(r"\$(\w+)|\$\{(\w+)(?::[\w-]+)?\}|\[\[(\w+)(?::[\w-]+)?\]\]")
METRIC = re.compile(r"\b((?:stemedb|process)_[a-z0-9_]+)")
SCRAPE_S = 1
SCRAPES = 12  # each target scraped this often before the queries: a 10 s rate() window is full
SCRAPES_WAIT_S = 60  # at most this long for them (Prometheus starts in a second or two)
SETTLE_S = 30  # then at most this long for every panel to have its series (usually all at once)


# ---------------------------------------------------------------- 1. the files


def variables_in(text):
    return {next(g for g in m.groups() if g) for m in VARIABLE.finditer(text)}


def check_grid(name, panels):
    """Each gridPos inside the 24 columns, no two panels on the same cell: one line for all."""
    problems, taken = [], {}
    for p in panels:
        g = p.get("gridPos") or {}
        ok = all(isinstance(g.get(k), int) for k in "hwxy")
        if not (ok and g["h"] > 0 and 0 < g["w"] <= 24 and 0 <= g["x"] < 24 and g["x"] + g["w"] <= 24 and g["y"] >= 0):
            problems.append(f"panel {p.get('id')}: gridPos {g} is not h>0, w 1..24, x 0..23, x+w <= 24, y >= 0")
            continue
        overlaps = {taken[(x, y)] for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])
                    if (x, y) in taken}
        if overlaps:
            problems.append(f"panel {p.get('id')} overlaps panel(s) {sorted(overlaps)}")
        taken.update({(x, y): p.get("id") for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])})
    check(not problems, f"{name}: gridPos of {len(panels)} panels inside the grid, no overlap" + (f": {problems}" if problems else ""))


def check_dashboard(path):
    name = os.path.basename(path)
    try:
        d = json.load(open(path, encoding="utf-8"))
    except ValueError as e:
        check(False, f"{name}: JSON: {e}")
        return None
    check(isinstance(d.get("title"), str) and d["title"].strip() != "", f"{name}: title {d.get('title')!r}")
    uid = d.get("uid")
    check(isinstance(uid, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,40}", uid or "") is not None,
          f"{name}: uid {uid!r} is 1-40 of A-Z a-z 0-9 _ -")
    check(d.get("schemaVersion") == SCHEMA_VERSION, f"{name}: schemaVersion {d.get('schemaVersion')} is {SCHEMA_VERSION}")
    check(isinstance(d.get("editable"), bool), f"{name}: editable is a boolean")
    check(d.get("graphTooltip") in (0, 1, 2), f"{name}: graphTooltip is 0, 1 or 2")
    check(isinstance(d.get("time"), dict) and {"from", "to"} <= set(d["time"]), f"{name}: time has from and to")
    check(d.get("id") is None, f"{name}: no numeric id (an instance-local id would clash on import)")
    for a in d.get("annotations", {}).get("list", []):
        check({"name", "datasource", "enable", "iconColor"} <= set(a), f"{name}: annotation {a.get('name')!r} complete")

    # Template variables.
    templating = d.get("templating", {}).get("list", [])
    defined = {}
    for v in templating:
        ok = isinstance(v.get("name"), str) and v.get("type") in (
            "query", "adhoc", "constant", "datasource", "interval", "textbox", "custom", "system")
        check(ok, f"{name}: variable {v.get('name')!r} has a name and a known type ({v.get('type')!r})")
        if ok:
            check(v["name"] not in defined, f"{name}: variable {v['name']!r} defined once")
            defined[v["name"]] = v
    ds = defined.get("datasource", {})
    check(ds.get("type") == "datasource" and ds.get("query") == "prometheus",
          f"{name}: variable datasource is of type datasource, plugin prometheus")
    for var in ("job", "instance"):
        v = defined.get(var, {})
        check(v.get("type") == "query" and "label_values(" in query_of(v),
              f"{name}: variable {var} is a label_values() query")
        check(variables_in(json.dumps(v.get("datasource", {}))) <= {"datasource"} and v.get("datasource"),
              f"{name}: variable {var} queries the datasource variable")
    for v in defined.values():
        used = variables_in(query_of(v))
        check(used <= set(defined) - {v["name"]},
              f"{name}: variable {v['name']} uses only other variables ({sorted(used)})")

    # Panels.
    panels = d.get("panels")
    if not check(isinstance(panels, list) and panels, f"{name}: has panels"):
        return None
    ids = [p.get("id") for p in panels]
    check(all(isinstance(i, int) and i > 0 for i in ids), f"{name}: every panel id is a positive integer")
    check(len(ids) == len(set(ids)), f"{name}: panel ids are unique ({len(ids)} panels)")
    check_grid(name, panels)
    for p in panels:
        where = f"{name} panel {p.get('id')} {p.get('title')!r}"
        ok = (p.get("type") in PANEL_TYPES and isinstance(p.get("title"), str) and p["title"].strip()
              and isinstance(p.get("options"), dict) and isinstance(p.get("transformations"), list)
              and isinstance(p.get("fieldConfig", {}).get("defaults"), dict)
              and isinstance(p.get("fieldConfig", {}).get("overrides"), list))
        check(bool(ok), f"{where}: type, title, options, fieldConfig.defaults/overrides, transformations")
        targets = p.get("targets")
        if not check(isinstance(targets, list) and targets, f"{where}: has targets"):
            continue
        refs = [t.get("refId") for t in targets]
        check(all(isinstance(r, str) and r for r in refs) and len(refs) == len(set(refs)),
              f"{where}: refIds {refs} present and unique")
        check(all(isinstance(t.get("expr"), str) and t["expr"].strip() for t in targets), f"{where}: every target has an expr")
        by_ref = [o["matcher"].get("options") for o in p.get("fieldConfig", {}).get("overrides", [])
                  if o.get("matcher", {}).get("id") == "byFrameRefID"]
        if by_ref:
            check(set(by_ref) <= set(refs), f"{where}: overrides name its queries ({by_ref})")
        sources = [p.get("datasource")] + [t.get("datasource") for t in targets]
        check(all(isinstance(s, dict) and s.get("type") == "prometheus" and s.get("uid") == "${datasource}" for s in sources),
              f"{where}: the panel and its targets use the datasource variable")
        used = set()
        for t in targets:
            used |= variables_in(t.get("expr", "")) | variables_in(t.get("legendFormat", ""))
        undefined = {u for u in used if u not in defined and u not in BUILTINS}
        check(not undefined, f"{where}: template variables defined ({sorted(used)}; undefined: {sorted(undefined)})")
        for t in targets:
            if "$job" not in t.get("expr", "") or "$instance" not in t.get("expr", ""):
                check(False, f"{where} target {t.get('refId')}: selects job and instance ({t.get('expr')})")
    return d


def query_of(variable):
    q = variable.get("query", "")
    return q.get("query", "") if isinstance(q, dict) else str(q)


# ---------------------------------------------------------------- 2. the daemons


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A program started in the background, its output in `log_path`."""

    def start(self, argv, log_path, env=None):
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, env=env)

    def read_log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Daemon(Process):
    def __init__(self, binary, work, name, env=None):
        self.name = name
        self.data = os.path.join(work, name)
        os.makedirs(self.data)
        self.start([binary, "--bind", "127.0.0.1:0", "--data-dir", self.data, "--log-level", "info"],
                   os.path.join(work, name + ".log"), env=dict(os.environ, **(env or {})))
        self.port = None
        deadline = time.monotonic() + 30
        while self.port is None:
            m = re.search(r"listening on [0-9.]+:([0-9]+)", self.read_log())
            if m:
                self.port = int(m.group(1))
            elif self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start:\n{self.read_log()}")
            else:
                time.sleep(0.02)
        self.url = f"http://127.0.0.1:{self.port}"
        while time.monotonic() < deadline:
            if http_get(self.url + "/v1/ready")[0] == 200:
                return
            time.sleep(0.05)
        raise RuntimeError(f"{name} never ready:\n{self.read_log()}")

    def root_key(self):
        with open(os.path.join(self.data, "root.key"), encoding="utf-8") as f:
            return f.read().strip()


def http_get(url, timeout=10):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError:
        return None, b""


class Traffic(threading.Thread):
    """Writes, votes, lens queries and failed requests against the primary (reads also against
    the standby) until stopped, a few a second: the rate() panels need something to count."""

    def __init__(self, primary, standby):
        super().__init__(daemon=True)
        import stemedb_client as client  # python3-cryptography, as tests/clients/python
        self.client = client
        self.primary, self.standby = primary, standby
        self.agents = [client.Signer(bytes([i] * 32)) for i in (1, 2)]
        self.stopping = threading.Event()
        self.writes = 0
        self.errors = []

    def assertion(self, n):
        body = {"subject": f"grafana/{uuid.uuid4().hex}", "predicate": "dashboard_test",
                "object": {"type": "number", "value": n}, "confidence": 0.8, "timestamp": int(time.time())}
        return self.client.sign_record("assertion", body, [self.agents[n % 2]])

    def step(self, n):
        c = self.client
        signed = self.assertion(n)
        reply = c.post_assertion(self.primary.url, signed)
        self.writes += 1
        vote = {"assertion_hash": reply["id"], "weight": 1.0, "timestamp": int(time.time())}
        c.post_vote(self.primary.url, c.sign_record("vote", vote, [self.agents[(n + 1) % 2]]))
        query = urllib.parse.urlencode({"subject": signed["subject"], "predicate": signed["predicate"]})
        for node in (self.primary, self.standby):
            for view in ("query", "skeptic", "layered"):
                http_get(f"{node.url}/v1/{view}?{query}")
            http_get(f"{node.url}/v1/assertions/{'0' * 64}")  # 404
        if n % 5 == 0:  # refused: the signature is over another record (assertions_rejected_total)
            bad = self.assertion(n + 1)
            bad["signatures"] = self.assertion(n + 2)["signatures"]
            try:
                c.post_assertion(self.primary.url, bad)
                self.errors.append("an assertion with a wrong signature was accepted")
            except c.StemeDBError:
                pass

    def run(self):
        n = 0
        while not self.stopping.is_set():
            try:
                self.step(n)
            except Exception as e:  # noqa: BLE001 (kept, reported at the end)
                if not isinstance(e, self.client.StemeDBError) or e.status != 429:
                    self.errors.append(f"{type(e).__name__}: {e}")
            n += 1
            self.stopping.wait(0.2)


# ---------------------------------------------------------------- 3. Prometheus


class Prometheus(Process):
    def __init__(self, work, job, targets):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(f"global:\n  scrape_interval: {SCRAPE_S}s\n  scrape_timeout: {SCRAPE_S}s\n"
                    f"scrape_configs:\n  - job_name: {job}\n    metrics_path: /metrics\n"
                    f"    static_configs:\n      - targets: {json.dumps(targets)}\n")
        self.start(["prometheus", f"--config.file={config}", f"--storage.tsdb.path={os.path.join(work, 'tsdb')}",
                    f"--web.listen-address=127.0.0.1:{self.port}"], os.path.join(work, "prometheus.log"))

    def api(self, path, params):
        """(data, error): the answer's data, or why there is none."""
        url = f"{self.url}/api/v1/{path}?{urllib.parse.urlencode(params, doseq=True)}"
        status, body = http_get(url)
        if status is None:
            return None, "no answer"
        try:
            answer = json.loads(body)
        except ValueError:
            return None, f"HTTP {status}: {body[:200]!r}"
        if answer.get("status") != "success":
            return None, f"HTTP {status} {answer.get('errorType')}: {answer.get('error')}"
        return answer["data"], None



def regex_escape(value):
    """What Grafana's Prometheus datasource makes of one value of a multi-value variable inside
    =~"...": regex characters escaped, the backslash doubled for the PromQL string."""
    return re.sub(r"[$^*{}\[\]'+?.()|\\]", lambda m: "\\\\" + m.group(0), value)


def interpolate(text, values):
    def one(m):
        var = next(g for g in m.groups() if g)
        return values[var] if var in values else BUILTINS[var]
    return VARIABLE.sub(one, text)


def label_values(prometheus, query, values):
    m = re.fullmatch(r"\s*label_values\(\s*(.*?)\s*,\s*(\w+)\s*\)\s*", interpolate(query, values))
    if not m:
        return None, f"not label_values(selector, label): {query}"
    data, error = prometheus.api(f"label/{m.group(2)}/values", {"match[]": m.group(1)})
    return data, error


def evaluate(prometheus, expr):
    """(why it fails or None, the number of series, whether the failure is final)."""
    data, error = prometheus.api("query", {"query": expr})
    if error:
        return error, 0, error.startswith("HTTP 4")  # refused (bad_data): asking again will not help
    result = data["result"]
    if data["resultType"] == "scalar":
        result = [{"value": result}]
    if not result:
        return "no series", 0, False
    values = [float(r["value"][1]) for r in result if "value" in r]
    if not any(math.isfinite(v) for v in values):
        return f"{len(result)} series, none with a number (all NaN)", len(result), False
    return None, len(result), False


def live(dashboards, binary, job):
    work = tempfile.mkdtemp(prefix="stemedb-grafana-")
    daemons, prometheus, traffic = [], None, None
    try:
        primary = Daemon(binary, work, "primary")
        daemons.append(primary)
        standby = Daemon(binary, work, "standby", {
            "STEMEDB_REPLICATION_ROLE": "standby", "STEMEDB_REPLICATION_PRIMARY_URL": primary.url,
            "STEMEDB_REPLICATION_API_KEY": primary.root_key(), "STEMEDB_REPLICATION_NAME": "standby-a"})
        daemons.append(standby)
        log(f"ok   primary on {primary.url}, standby on {standby.url}")
        traffic = Traffic(primary, standby)
        traffic.start()
        instances = [f"127.0.0.1:{d.port}" for d in daemons]
        prometheus = Prometheus(work, job, instances)

        # Both targets scraped for a while: every rate window has samples, the standby has caught up.
        deadline = time.monotonic() + SCRAPES_WAIT_S
        scrapes = 0
        while time.monotonic() < deadline and prometheus.proc.poll() is None:
            data, _ = prometheus.api("query", {"query": f'min(count_over_time(up{{job="{job}"}}[1m]) and up{{job="{job}"}} == 1)'})
            scrapes = int(float(data["result"][0]["value"][1])) if data and data["result"] else 0
            if scrapes >= SCRAPES:
                break
            time.sleep(0.5)
        if not check(scrapes >= SCRAPES, f"prometheus scraped both daemons ({scrapes} scrapes each)"):
            log(prometheus.read_log()[-3000:])
            return

        # Every metric an expr names is exported (the daemons' own /metrics, both roles).
        exported = set()
        for d in daemons:
            exported |= set(re.findall(r"^# TYPE (\S+) ", http_get(d.url + "/metrics")[1].decode(), re.M))

        pending = {}  # (dashboard, panel id, refId) -> (title, expr as Grafana would send it)
        for name, d in dashboards.items():
            defined = {v["name"]: v for v in d["templating"]["list"]}
            values = {}
            # $job, then $instance (its query uses $job), as Grafana resolves them.
            jobs, error = label_values(prometheus, query_of(defined["job"]), values)
            check(error is None and job in (jobs or []), f"{name}: $job query lists {job!r} ({jobs or error})")
            values["job"] = job
            found, error = label_values(prometheus, query_of(defined["instance"]), values)
            check(error is None and sorted(found or []) == sorted(instances),
                  f"{name}: $instance query lists both daemons ({found or error})")
            values["instance"] = "(" + "|".join(regex_escape(i) for i in instances) + ")"  # "All"
            used, missing = set(), []
            for p in d["panels"]:
                for t in p["targets"]:
                    names = {re.sub(r"_(bucket|count|sum)$", "", m) for m in METRIC.findall(t["expr"])}
                    used |= names
                    if names - exported:
                        missing.append(f"panel {p['id']} {t['refId']}: {sorted(names - exported)}")
                    pending[(name, p["id"], t["refId"])] = (p["title"], interpolate(t["expr"], values))
            check(not missing, f"{name}: the {len(used)} stemedb_/process_ metrics its queries name are exported"
                  + (f"; not: {missing}" if missing else ""))

        # Evaluated until each has its series (a histogram_quantile may need one more scrape), for
        # at most SETTLE_S; a query Prometheus refuses is not asked again.
        results = {}
        end = time.monotonic() + SETTLE_S
        while True:
            for key in [k for k in pending if k not in results or (results[k][0] and not results[k][2])]:
                results[key] = evaluate(prometheus, pending[key][1])
            if all(r[0] is None or r[2] for r in results.values()) or time.monotonic() > end:
                break
            time.sleep(1)
        for key, (error, series, _) in sorted(results.items()):
            title, expr = pending[key]
            check(error is None, f"{key[0]} panel {key[1]} {title!r} {key[2]}: "
                  + (f"{series} series" if error is None else f"{error}\n       {expr}"))
        check(traffic.writes > 0 and not traffic.errors,
              f"background client: {traffic.writes} writes, errors {traffic.errors[:3]}")
    finally:
        if traffic:
            traffic.stopping.set()
            traffic.join(timeout=15)
        if prometheus:
            prometheus.stop()
        for d in reversed(daemons):
            d.stop()
        if failures:
            for d in daemons:
                log(f"---- {d.name} log (last lines)\n" + "\n".join(d.read_log().splitlines()[-15:]))
        shutil.rmtree(work, ignore_errors=True)


def main():
    if len(sys.argv) != 3:
        print("usage: grafana_dashboards_test.py GRAFANA_DIR STEMEDB_API_BINARY", file=sys.stderr)
        return 2
    grafana_dir, binary = sys.argv[1], sys.argv[2]
    paths = sorted(glob.glob(os.path.join(grafana_dir, "*.json")))
    check(len(paths) >= 2, f"{len(paths)} dashboards in {grafana_dir}")
    dashboards = {}
    for path in paths:
        d = check_dashboard(path)
        if d is not None:
            dashboards[os.path.basename(path)] = d
    uids = [d.get("uid") for d in dashboards.values()]
    check(len(uids) == len(set(uids)), f"uids unique across the files ({uids})")
    titles = {d.get("title") for d in dashboards.values()}
    check(TITLES <= titles, f"dashboards {sorted(TITLES)} present ({sorted(titles)})")

    # The job the dashboards select by default is the one the shipped scrape config names.
    shipped = open(os.path.join(grafana_dir, "..", "prometheus", "prometheus.yml"), encoding="utf-8").read()
    job = re.search(r"job_name:\s*(\S+)", shipped).group(1)
    for name, d in dashboards.items():
        current = {v["name"]: v.get("current", {}).get("value") for v in d["templating"]["list"]}
        check(current.get("job") == job, f"{name}: $job defaults to {job!r}, the job of deploy/prometheus/prometheus.yml")

    if shutil.which("prometheus") is None:
        log("SKIP live checks: no prometheus binary (scripts/setup.sh installs Debian's)")
        return 1 if failures else 77
    if not failures:
        try:
            live(dashboards, binary, job)
        except (RuntimeError, OSError) as e:  # a daemon that did not start (its log), a missing binary
            check(False, str(e))
    for f in failures:
        print("FAIL", f.splitlines()[0])
    if not failures:
        panels = sum(len(d["panels"]) for d in dashboards.values())
        targets = sum(len(p["targets"]) for d in dashboards.values() for p in d["panels"])
        log(f"ok   {len(dashboards)} dashboards, {panels} panels, {targets} queries: each answered with a series")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

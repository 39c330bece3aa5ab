#!/usr/bin/env python3
"""Writes for the console's browser test (run.mjs), with the Python client (clients/python).

    helper.py URL API_KEY

Reads one JSON command a line on stdin and answers one JSON line on stdout, so the test keeps one
process (and one kept-alive connection) for all its writes:

  {"cmd": "scenario"}   the reference scenario of docs/lenses.md (clients/python/examples/
                        reference_scenario.py, its play()): {"as_of": ms, "lines": [...]}
  {"cmd": "predicates"} four more predicates of the scenario's subject (agreement, dispute, a
                        number, a reference)
  {"cmd": "trace"}      a claim with a source, two epochs (the second supersedes the first), a
                        co-signed child at a later lifecycle stage and two votes: their ids
  {"cmd": "bulk", "subject": S, "predicate": P, "n": N}
                        N claims on one pair (100 agents, 20 values, every tier), in batches of
                        1000: {"posted": N, "seconds": s}
  {"cmd": "claim", "subject": S, "predicate": P, "value": V}
                        one claim: {"id", "seq"}
"""

import hashlib
import json
import os
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
sys.path.insert(0, os.path.join(ROOT, "clients", "python", "examples"))

import stemedb  # noqa: E402
import reference_scenario  # noqa: E402

TIERS = ["regulatory", "clinical", "observational", "expert", "community", "anecdotal"]


def agent(name):
    return stemedb.Agent(hashlib.sha256(b"stemedb console test: " + name.encode()).digest())


def scenario(db, cmd):
    lines = []
    reference_scenario.play(db, cmd.get("subject", "drugs/semaglutide"), out=lines.append)
    as_of = None
    for line in lines:
        if line.startswith("\nas of step 3 (") or line.startswith("as of step 3 ("):
            as_of = int(line.split("(")[1].split(" ms")[0])
    return {"as_of": as_of, "lines": lines}


def trace(db, cmd):
    a, b, c = agent("trace-a"), agent("trace-b"), agent("trace-c")
    subject, predicate = "drugs/metformin", "lactic_acidosis_risk"
    e1 = db.epoch(a, "2025-guidelines", description="the 2025 review")
    e2 = db.epoch(a, "2026-guidelines", description="the 2026 review", supersedes=e1.id)
    src = db.source("https://example.org/trial-42", title="Trial 42", source_class="clinical",
                    content="trial 42: no excess of lactic acidosis")
    parent = db.assert_(a, subject, predicate, "rare", 0.9, source_class="clinical", epoch=e1.id,
                        source_hash=src.id, timestamp=1735689600)
    child = db.assert_([b, c], subject, predicate, "rare", 0.92, source_class="clinical",
                       lifecycle="under_review", parent_hash=parent.id, epoch=e2.id,
                       timestamp=1767225600, valid_from=1704067200, valid_until=1798761599)
    other = db.assert_(c, subject, predicate, "common", 0.6, source_class="observational",
                       timestamp=1767312000)
    db.vote(b, parent.id, -0.5)
    db.vote(agent("trace-d"), parent.id, 1)
    return {"parent": parent.id, "child": child.id, "other": other.id, "epochs": [e1.id, e2.id], "source": src.id}


def predicates(db, cmd):
    """More predicates of the scenario's subject, so its page lists agreement and dispute."""
    subject = cmd.get("subject", "drugs/semaglutide")
    reg, clinic, forum = agent("pred-regulator"), agent("pred-clinic"), agent("pred-forum")
    claims = [
        (reg, "approval_status", "approved", 0.95, "regulatory"),
        (clinic, "approval_status", "approved", 0.9, "clinical"),
        (reg, "weekly_dose_mg", 2.4, 0.9, "regulatory"),
        (forum, "weekly_dose_mg", 1.0, 0.5, "community"),
        (clinic, "weekly_dose_mg", 2.4, 0.8, "clinical"),
        (forum, "nausea_rate", "common", 0.7, "community"),
        (clinic, "nausea_rate", "20%", 0.85, "clinical"),
        (reg, "class", stemedb.Reference("classes/glp1-agonist"), 1.0, "regulatory"),
    ]
    for i, (who, predicate, value, confidence, tier) in enumerate(claims):
        db.assert_(who, subject, predicate, value, confidence, source_class=tier, timestamp=1735689600 + 3600 * i)
    return {"posted": len(claims)}


def bulk(db, cmd):
    subject, predicate, n = cmd["subject"], cmd["predicate"], int(cmd["n"])
    agents = [agent(f"bulk-{i}") for i in range(100)]
    start = time.monotonic()
    posted = 0
    base = 1735689600
    for first in range(0, n, 1000):
        records = []
        for i in range(first, min(n, first + 1000)):
            records.append(stemedb.Assertion(
                subject, predicate, f"value-{i % 20:02d}", 0.5 + (i % 50) / 100,
                timestamp=base + i, source_class=TIERS[i % len(TIERS)]).sign(agents[i % len(agents)]))
        result = db.batch(records)
        if not result.ok:
            raise RuntimeError(f"batch refused: {result.errors[0].error}")
        posted += len(records)
    return {"posted": posted, "seconds": round(time.monotonic() - start, 3)}


def claim(db, cmd):
    w = db.assert_(agent("live"), cmd["subject"], cmd["predicate"], cmd["value"], 0.7,
                   source_class="expert")
    return {"id": w.id, "seq": w.seq}


COMMANDS = {"scenario": scenario, "predicates": predicates, "trace": trace, "bulk": bulk, "claim": claim}


def main():
    url, key = sys.argv[1], sys.argv[2]
    with stemedb.Client(url, api_key=key) as db:
        for line in sys.stdin:
            if not line.strip():
                continue
            cmd = json.loads(line)
            try:
                reply = {"ok": True, **COMMANDS[cmd["cmd"]](db, cmd)}
            except Exception as e:  # the test prints it and fails
                reply = {"ok": False, "error": f"{type(e).__name__}: {e}"}
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()

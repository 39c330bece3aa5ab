#!/usr/bin/env python3
"""The reference scenario of docs/lenses.md, played against a running stemedb-api.

Agents disagree about one claim, the gastroparesis risk of semaglutide:

  1. a regulator says "rare" (regulatory, confidence 0.9);
  2. a clinical trial says "no_signal" (clinical, 0.85);
  3. (the moment `as_of` looks back to)
  4. one anecdotal agent says "none", 50 times (anecdotal, 0.8);
  5. five community agents each say "significant" (community, 0.8).

Then it prints what each lens answers, the skeptic view, the layered view, and the skeptic view
as of step 3. Every lens is right by its own rule: the answers differ because the rules do.

    python3 clients/python/examples/reference_scenario.py [--server URL] [--subject S]

The agents' keys derive from fixed seeds and the claims have fixed dates, so a second run posts
the same records (each answers "exists") and prints the same answers. The queries turn
confidence decay off (decay=False), as lenses.md's worked example does, so the figures are
exactly the ones it derives by hand.
"""

import argparse
import hashlib
import os
import sys
import time

try:
    import stemedb
except ImportError:  # run from the source tree without installing the package
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import stemedb

PREDICATE = "gastroparesis_risk"
START = 1735689600  # 2025-01-01T00:00:00Z: the claims' dates are start + an offset in seconds


def agent(name):
    """An example agent whose seed is derived from its name (never do this with real keys)."""
    return stemedb.Agent(hashlib.sha256(b"stemedb reference scenario: " + name.encode()).digest())


REGULATOR = agent("regulator")
TRIAL = agent("trial")
ANECDOTE = agent("anecdote")
COMMUNITY = [agent(f"community-{i}") for i in range(5)]


def play(db, subject, out=print):
    """Posts the scenario (idempotently) and prints every lens's answer; returns the answers."""

    def claim(who, value, tier, confidence, offset):
        return stemedb.Assertion(subject, PREDICATE, value, confidence, timestamp=START + offset,
                                 source_class=tier).sign(who)

    # Steps 1 and 2, one write each.
    rare = db.post(claim(REGULATOR, "rare", "regulatory", 0.9, 0))
    no_signal = db.post(claim(TRIAL, "no_signal", "clinical", 0.85, 1))
    # Step 3: knowledge time as of the second claim (unix ms, when the node stored it).
    as_of = db.get(no_signal.id).ingested_at
    if no_signal.created:
        time.sleep(0.01)  # the later claims are stored in a later millisecond
    # Steps 4 and 5: one batch of 55 claims, one group commit.
    later = [claim(ANECDOTE, "none", "anecdotal", 0.8, 10 + i) for i in range(50)]
    later += [claim(who, "significant", "community", 0.8, 100 + i) for i, who in enumerate(COMMUNITY)]
    batch = db.batch(later)
    if not batch.ok:
        raise SystemExit(f"refused: {batch.errors[0].error}")
    statuses = [rare.status, no_signal.status] + [i.status for i in batch]
    out(f"posted 57 claims about {subject} {PREDICATE}: "
        f"{statuses.count('created')} created, {statuses.count('exists')} already there")

    answers = {}
    out("\nlens        winner       resolution  conflict")
    for lens in stemedb.LENSES:
        answer = db.query(subject, PREDICATE, lens=lens, decay=False)
        answers[lens] = answer
        out(f"{lens:<11} {str(answer.winner.object):<12} {answer.resolution_confidence:<11.4f} "
            f"{answer.conflict_score:.4f}")

    skeptic = db.skeptic(subject, PREDICATE, decay=False)
    answers["skeptic"] = skeptic
    out(f"\nskeptic: {skeptic.status}, conflict {skeptic.conflict_score:.4f}, "
        f"{skeptic.candidates_count} assertions")
    out("claim        support  share   assertions  tiers")
    for c in skeptic.claims:
        out(f"{str(c.object):<12} {c.support:<8.4f} {c.share:<7.4f} {len(c.assertions):<11} {', '.join(c.tiers)}")

    layered = db.layered(subject, PREDICATE, decay=False)
    answers["layered"] = layered
    out(f"\nlayered: winner {layered.winner.object}, cross-tier conflict {str(layered.cross_tier_conflict).lower()}")
    for t in layered.tiers:
        out(f"  {t.tier:<13} {str(t.winner.object):<12} conflict {t.conflict_score:.4f}  "
            f"{t.candidates_count} assertions")

    then = db.skeptic(subject, PREDICATE, decay=False, as_of=as_of)
    answers["as_of"] = then
    shares = ", ".join(f"{c.object} {c.share:.4f}" for c in then.claims)
    out(f"\nas of step 3 ({as_of} ms): {then.status}, conflict {then.conflict_score:.4f}; {shares}")

    # Anyone can check the winner without trusting the node: its id is the hash of its content
    # and each signature signs that id.
    winner = db.get(answers["authority"].winner.id)
    verified = winner.verify()
    out(f"\nauthority's winner {verified.id[:16]}… verified offline, signed by {verified.signers[0][:16]}…")
    return answers


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default=os.environ.get("STEMEDB_URL", "http://127.0.0.1:18180"),
                        help="the daemon (default $STEMEDB_URL or http://127.0.0.1:18180)")
    parser.add_argument("--api-key", default=os.environ.get("STEMEDB_API_KEY"),
                        help="an API key, needed only when the node runs with auth.mode = all")
    parser.add_argument("--subject", default="drugs/semaglutide")
    args = parser.parse_args()
    try:
        with stemedb.Client(args.server, api_key=args.api_key) as db:
            play(db, args.subject)
    except stemedb.TransportError as e:
        print(f"reference_scenario: {e} (is stemedb-api running? ./scripts/run.sh starts one)", file=sys.stderr)
        return 3
    except stemedb.ApiError as e:
        print(f"reference_scenario: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

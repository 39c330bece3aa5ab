#!/usr/bin/env python3
"""Posts signed records to a running stemedb-api and checks the ids and statuses it returns.

    python3 tests/clients/python/test_live.py http://127.0.0.1:18180 [--api-key KEY]

(or STEMEDB_URL / STEMEDB_API_KEY in the environment). Every record's id is computed here,
independently of the server, from docs/protocol.md; the server must return the same id. Each run
uses fresh subjects, so it can run against a database that already holds data.

Exit codes: 0 passed, 1 failed, 77 skipped (no URL given, or nothing answers at it; ctest's
SKIP_RETURN_CODE).
"""

import json
import os
import sys
import time
import unittest
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import stemedb_client as client  # noqa: E402

BASE_URL = None
API_KEY = None

AGENT_A = client.Signer(bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
AGENT_B = client.Signer(bytes(range(32)))
AGENT_C = client.Signer(bytes(range(32, 64)))


def fresh_assertion(**overrides):
    body = {
        "subject": f"test/live/{uuid.uuid4().hex}",
        "predicate": "gastroparesis_risk",
        "object": {"type": "text", "value": "rare"},
        "confidence": 0.9,
        "timestamp": int(time.time()),
    }
    body.update(overrides)
    return body


def post_raw(path, data):
    """POSTs raw bytes; returns (status, parsed JSON body)."""
    request = urllib.request.Request(BASE_URL.rstrip("/") + path, data=data, method="POST")
    request.add_header("Content-Type", "application/json")
    if API_KEY:
        request.add_header("X-API-Key", API_KEY)
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


class LiveTest(unittest.TestCase):
    def post(self, kind, body):
        post = {
            "assertion": client.post_assertion,
            "vote": client.post_vote,
            "epoch": client.post_epoch,
            "source": client.post_source,
        }[kind]
        return post(BASE_URL, body, api_key=API_KEY)

    def assert_created(self, kind, body):
        reply = self.post(kind, body)
        self.assertEqual(reply.status, 201, reply)
        self.assertEqual(reply["id"], client.content_id_hex(kind, body))
        return reply

    def test_assertion_created_exists_cosigned(self):
        unsigned = fresh_assertion()
        signed = client.sign_record("assertion", unsigned, [AGENT_A])
        first = self.assert_created("assertion", signed)
        self.assertEqual(first["status"], "created")
        self.assertIsInstance(first["seq"], int)
        self.assertIsInstance(first["ingested_at"], int)

        again = self.post("assertion", signed)
        self.assertEqual((again.status, again["status"], again["id"]), (200, "exists", first["id"]))

        cosigned = client.sign_record("assertion", unsigned, [AGENT_B])
        reply = self.post("assertion", cosigned)
        self.assertEqual((reply.status, reply["status"], reply["id"]), (200, "cosigned", first["id"]))

        read = client.get_assertion(BASE_URL, first["id"], api_key=API_KEY)
        self.assertEqual(read["id"], first["id"])

    def test_every_object_type_and_negative_zero(self):
        for obj in (
            {"type": "number", "value": 96.7},
            {"type": "boolean", "value": False},
            {"type": "reference", "value": "drugs/tirzepatide"},
        ):
            with self.subTest(object=obj):
                body = client.sign_record("assertion", fresh_assertion(object=obj), [AGENT_A])
                self.assert_created("assertion", body)
        negative = fresh_assertion(object={"type": "number", "value": -0.0})
        positive = dict(negative, object={"type": "number", "value": 0.0})
        reply = self.assert_created("assertion", client.sign_record("assertion", negative, [AGENT_A]))
        self.assertEqual(reply["id"], client.content_id_hex("assertion", positive))

    def test_vote(self):
        target = self.assert_created(
            "assertion", client.sign_record("assertion", fresh_assertion(), [AGENT_A])
        )
        vote = client.sign_record(
            "vote",
            {"assertion_hash": target["id"], "weight": -0.5, "timestamp": int(time.time())},
            [AGENT_C],
        )
        reply = self.assert_created("vote", vote)
        self.assertIsInstance(reply["seq"], int)

    def test_epochs_sources_and_an_assertion_with_every_field(self):
        stamp = uuid.uuid4().hex
        epoch = self.assert_created(
            "epoch",
            client.sign_record("epoch", {"name": f"live-{stamp}", "started_at": 1577836800}, [AGENT_A]),
        )
        successor = self.assert_created(
            "epoch",
            client.sign_record(
                "epoch",
                {
                    "name": f"live-{stamp}-next",
                    "description": "Supersedes the first.",
                    "started_at": 1609459200,
                    "supersedes": epoch["id"],
                    "supersession_type": "refines",
                },
                [AGENT_A, AGENT_B],
            ),
        )
        with_content = self.assert_created(
            "source", {"uri": f"https://example.org/{stamp}", "content": f"report {stamp}\n"}
        )
        self.assert_created(
            "source",
            {"uri": f"https://example.org/{stamp}/page", "title": "A page", "source_class": "expert"},
        )
        parent_body = fresh_assertion()
        parent = self.assert_created(
            "assertion", client.sign_record("assertion", parent_body, [AGENT_A])
        )
        # A child (revision or lifecycle stage) is about the same subject and predicate.
        full = fresh_assertion(
            subject=parent_body["subject"],
            source_hash=with_content["id"].upper(),
            source_class="observational",
            lifecycle="proposed",
            epoch=successor["id"],
            parent_hash=parent["id"],
            narrative="Révision:\nsee the report.",
            valid_from=1672531200,
            valid_until=1704067199,
        )
        self.assert_created("assertion", client.sign_record("assertion", full, [AGENT_A, AGENT_B, AGENT_C]))

    def test_batch_reports_items_separately(self):
        good = [client.sign_record("assertion", fresh_assertion(), [AGENT_A]) for _ in range(2)]
        bad = client.sign_record("assertion", fresh_assertion(), [AGENT_A])
        bad["confidence"] = 0.5  # content changed after signing
        reply = client.post_assertion_batch(BASE_URL, [good[0], bad, good[1]], api_key=API_KEY)
        self.assertEqual(reply.status, 200)
        results = {r["index"]: r for r in reply["results"]}
        self.assertEqual(results[0]["id"], client.content_id_hex("assertion", good[0]))
        self.assertEqual(results[2]["id"], client.content_id_hex("assertion", good[1]))
        self.assertEqual(results[1]["error"]["code"], "invalid_signature")

    def assert_refused(self, kind, body, status, code, field):
        with self.assertRaises(client.StemeDBError) as caught:
            self.post(kind, body)
        refused = caught.exception
        self.assertEqual((refused.status, refused.code, refused.field), (status, code, field), refused)
        self.assertTrue(refused.body["error"]["request_id"], refused.body)

    def test_lifecycle_chain(self):
        proposed_body = fresh_assertion()
        proposed = self.assert_created("assertion", client.sign_record("assertion", proposed_body, [AGENT_A]))

        def stage(lifecycle, parent_id):
            body = dict(proposed_body, lifecycle=lifecycle, parent_hash=parent_id)
            return client.sign_record("assertion", body, [AGENT_A])

        review = self.assert_created("assertion", stage("under_review", proposed["id"]))
        rejected = self.assert_created("assertion", stage("rejected", review["id"]))
        self.assert_refused(
            "assertion", stage("approved", rejected["id"]), 422, "invalid_lifecycle_transition", "lifecycle"
        )
        self.assert_refused("assertion", stage("under_review", "ab" * 32), 422, "unknown_parent", "parent_hash")

    def test_vote_on_an_unknown_assertion(self):
        vote = client.sign_record(
            "vote", {"assertion_hash": "cd" * 32, "weight": 1.0, "timestamp": int(time.time())}, [AGENT_B]
        )
        self.assert_refused("vote", vote, 404, "assertion_not_found", "assertion_hash")

    def test_source_retraction(self):
        if not API_KEY:
            self.skipTest("retraction needs an admin API key (--api-key)")
        stamp = uuid.uuid4().hex
        source = self.assert_created("source", {"uri": f"https://example.org/{stamp}", "content": stamp})
        citing = self.assert_created(
            "assertion", client.sign_record("assertion", fresh_assertion(source_hash=source["id"]), [AGENT_A])
        )
        reply = client.retract_source(BASE_URL, source["id"], "withdrawn by its authors", api_key=API_KEY)
        self.assertEqual((reply.status, reply["status"], reply["id"]), (200, "retracted", source["id"]))
        read = client.get_assertion(BASE_URL, citing["id"], api_key=API_KEY)
        self.assertTrue(read["flags"]["source_retracted"], read)

    def test_refusals(self):
        tampered = client.sign_record("assertion", fresh_assertion(), [AGENT_A])
        tampered["timestamp"] += 1
        with self.assertRaises(client.StemeDBError) as caught:
            self.post("assertion", tampered)
        self.assertEqual((caught.exception.status, caught.exception.code), (422, "invalid_signature"))
        self.assertEqual(caught.exception.field, "signatures[0].signature")

        too_long = client.sign_record("assertion", fresh_assertion(subject="s" * 513), [AGENT_A])
        with self.assertRaises(client.StemeDBError) as caught:
            self.post("assertion", too_long)
        self.assertEqual((caught.exception.status, caught.exception.code), (422, "string_too_long"))

        status, body = post_raw("/v1/assert", b'{"subject": NaN}')
        self.assertEqual((status, body["error"]["code"]), (400, "malformed_json"))


def main():
    global BASE_URL, API_KEY
    args = sys.argv[1:]
    API_KEY = os.environ.get("STEMEDB_API_KEY")
    if "--api-key" in args:
        at = args.index("--api-key")
        API_KEY = args[at + 1]
        del args[at : at + 2]
    BASE_URL = args[0] if args else os.environ.get("STEMEDB_URL")
    if not BASE_URL:
        print("skipped: no daemon URL (argument or STEMEDB_URL)", file=sys.stderr)
        return 77
    try:
        urllib.request.urlopen(BASE_URL.rstrip("/") + "/v1/health", timeout=5).close()
    except (urllib.error.URLError, OSError) as e:
        print(f"skipped: nothing answers at {BASE_URL} ({e})", file=sys.stderr)
        return 77
    program = unittest.main(argv=[sys.argv[0]] + args[1:], exit=False, verbosity=2)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())

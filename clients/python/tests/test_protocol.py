#!/usr/bin/env python3
"""The package offline: every protocol vector, records, agents and key files, verification,
the SSE parser and Retry-After. Needs no daemon.

    python3 -B clients/python/tests/test_protocol.py [unittest args]

For every vector of docs/protocol_vectors.json (made by the server's C++ code from fixed
seeds): the canonical bytes, the id, the signing message and every signature are recomputed
from the JSON body and the seeds and must match byte for byte, the record classes rebuild the
body, and verify_record accepts it and refuses it once tampered with.
"""

import json
import os
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import support  # noqa: E402  (puts the package on sys.path)

import stemedb  # noqa: E402
from stemedb.transport import encode_params, parse_retry_after  # noqa: E402


def without_signatures(kind, body):
    body = dict(body)
    body.pop("signatures", None)
    if kind == "vote":
        body.pop("signature", None)
    return body


def record_of(kind, body):
    """The package's record class rebuilt from a vector's body, signatures left out."""
    b = without_signatures(kind, body)
    if kind == "assertion":
        return stemedb.Assertion(**b)
    if kind == "vote":
        return stemedb.Vote(**b)
    if kind == "epoch":
        return stemedb.Epoch(**b)
    return stemedb.Source(**b)


class VectorsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.document = support.load_vectors()
        cls.vectors = {v["name"]: v for v in cls.document["vectors"]}
        cls.seeds = {s["public_key"]: s["seed"] for s in cls.document["seeds"]}

    def test_file_header(self):
        self.assertEqual(self.document["version"], 1)
        self.assertEqual(self.document["signing_tag"], stemedb.SIGNING_TAG.decode())
        self.assertGreaterEqual(len(self.vectors), 12)
        self.assertEqual({v["kind"] for v in self.document["vectors"]}, set(stemedb.DOMAIN_TAGS))

    def test_seeds_derive_their_public_keys(self):
        for seed in self.document["seeds"]:
            with self.subTest(seed=seed["name"]):
                self.assertEqual(stemedb.Agent(bytes.fromhex(seed["seed"])).agent_id, seed["public_key"])
                self.assertEqual(stemedb.Agent.from_seed(seed["seed"]).agent_id, seed["public_key"])

    def test_every_vector_byte_for_byte(self):
        for v in self.document["vectors"]:
            with self.subTest(vector=v["name"]):
                kind, body = v["kind"], v["json"]
                self.assertEqual(stemedb.canonical_encoding(kind, body).hex(), v["canonical_hex"])
                self.assertEqual(stemedb.content_id_hex(kind, body), v["id"])
                self.assertEqual(stemedb.content_id(kind, body), bytes.fromhex(v["id"]))
                rule = "sha256(content)" if kind == "source" and "content" in body else "sha256(canonical)"
                self.assertEqual(v["id_rule"], rule)
                if v["signing_message_hex"]:  # empty for sources, which are not signed
                    self.assertEqual(stemedb.signing_message(v["id"]).hex(), v["signing_message_hex"])
                    self.assertEqual(stemedb.signing_message(bytes.fromhex(v["id"])).hex(),
                                     v["signing_message_hex"])
                else:
                    self.assertEqual((kind, v["signers"]), ("source", []))
                for s in v["signers"]:
                    agent = stemedb.Agent(bytes.fromhex(s["seed"]))
                    self.assertEqual(agent.agent_id, s["public_key"])
                    self.assertEqual(agent.sign(v["id"]).hex(), s["signature"])
                    self.assertTrue(stemedb.verify_signature(s["public_key"], v["id"], s["signature"]))

    def test_record_classes_rebuild_every_vector(self):
        for v in self.document["vectors"]:
            with self.subTest(vector=v["name"]):
                kind, body = v["kind"], v["json"]
                record = record_of(kind, body)
                self.assertEqual(record.id, v["id"])
                self.assertEqual(record.canonical().hex(), v["canonical_hex"])
                agents = [stemedb.Agent(bytes.fromhex(s["seed"])) for s in v["signers"]]
                if kind == "source":
                    self.assertEqual(record.to_json(), body)
                    continue
                if kind == "vote":
                    record.agent_id = None  # sign() sets it from the voter
                    signed = record.sign(agents[0])
                else:
                    signed = record.sign(*agents)
                self.assertEqual(signed.id, v["id"])
                self.assertEqual(signed.signers, [s["public_key"] for s in v["signers"]])
                # The signatures are the vector's (Ed25519 is deterministic); the body may differ
                # from the vector's only where the package normalises (-0.0), not in its id.
                self.assertEqual(stemedb.content_id_hex(kind, signed.body), v["id"])
                self.assertEqual(signed.body.get("signatures"), body.get("signatures"))
                self.assertEqual(signed.body.get("signature"), body.get("signature"))

    def test_sign_record_rebuilds_the_request_bodies(self):
        for v in self.document["vectors"]:
            if not v["signers"]:
                continue
            with self.subTest(vector=v["name"]):
                agents = [stemedb.Agent(bytes.fromhex(s["seed"])) for s in v["signers"]]
                unsigned = without_signatures(v["kind"], v["json"])
                if v["kind"] == "vote":
                    unsigned.pop("agent_id")
                self.assertEqual(stemedb.sign_record(v["kind"], unsigned, agents).body, v["json"])

    def test_every_vector_verifies_offline_and_tampering_is_caught(self):
        for v in self.document["vectors"]:
            with self.subTest(vector=v["name"]):
                kind, body = v["kind"], v["json"]
                verified = stemedb.verify_record(kind, body, v["id"])
                self.assertEqual(verified.id, v["id"])
                self.assertEqual(list(verified.signers), [s["public_key"] for s in v["signers"]])
                # The id it claims must be the id of its content.
                with self.assertRaises(stemedb.VerificationError):
                    stemedb.verify_record(kind, body, "00" * 32)
                if not v["signers"]:
                    continue
                # A changed member changes the id: the signatures no longer sign it.
                tampered = dict(body)
                if kind == "assertion":
                    tampered["confidence"] = 0.5 if body["confidence"] != 0.5 else 0.25
                elif kind == "vote":
                    tampered["weight"] = 0.75
                else:
                    tampered["started_at"] += 1
                with self.assertRaises(stemedb.VerificationError):
                    stemedb.verify_record(kind, tampered)
                # A signature moved to another agent fails.
                if kind != "vote" and len(body["signatures"]) > 1:
                    swapped = dict(body, signatures=[
                        {"agent_id": body["signatures"][0]["agent_id"],
                         "signature": body["signatures"][1]["signature"]}])
                    with self.assertRaises(stemedb.VerificationError):
                        stemedb.verify_record(kind, swapped)

    def test_defaults_sent_explicitly_give_the_same_id(self):
        self.assertEqual(self.vectors["assertion_minimal"]["id"], self.vectors["assertion_defaults_explicit"]["id"])

    def test_negative_zero_is_encoded_as_zero(self):
        v = self.vectors["assertion_negative_zero"]
        self.assertEqual(str(v["json"]["object"]["value"]), "-0.0")
        positive = dict(v["json"], object={"type": "number", "value": 0.0})
        self.assertEqual(stemedb.content_id_hex("assertion", positive), v["id"])
        self.assertIn("0408000000" + "00" * 8, v["canonical_hex"])
        claim = stemedb.Assertion("drugs/semaglutide", "gastroparesis_risk", -0.0, 0.9, timestamp=1700000000)
        self.assertEqual(claim.id, v["id"])

    def test_upper_case_hex_is_the_same_value(self):
        v = self.vectors["assertion_all_fields"]
        self.assertNotEqual(v["json"]["source_hash"], v["json"]["source_hash"].lower())
        lower = dict(v["json"], source_hash=v["json"]["source_hash"].lower())
        self.assertEqual(stemedb.content_id_hex("assertion", lower), v["id"])

    def test_every_optional_field_and_object_type_is_covered(self):
        body = self.vectors["assertion_all_fields"]["json"]
        optional = {"source_hash", "source_class", "lifecycle", "epoch", "parent_hash", "narrative",
                    "valid_from", "valid_until"}
        self.assertLessEqual(optional, set(body))
        kinds = {v["json"]["object"]["type"] for v in self.document["vectors"] if v["kind"] == "assertion"}
        self.assertEqual(kinds, set(stemedb.OBJECT_TYPES))


class RecordsTest(unittest.TestCase):
    def test_python_values_become_objects(self):
        self.assertEqual(stemedb.Object.of("rare"), stemedb.Object("text", "rare"))
        self.assertEqual(stemedb.Object.of(True), stemedb.Object("boolean", True))
        self.assertEqual(stemedb.Object.of(3), stemedb.Object("number", 3.0))
        self.assertEqual(stemedb.Object.of(96.7), stemedb.Object("number", 96.7))
        self.assertEqual(stemedb.Object.of(stemedb.Reference("drugs/x")), stemedb.Object("reference", "drugs/x"))
        self.assertEqual(stemedb.Object.of({"type": "text", "value": "a"}), stemedb.Object("text", "a"))
        self.assertEqual(stemedb.Object("reference", "drugs/x").python, stemedb.Reference("drugs/x"))
        self.assertEqual(str(stemedb.Object("number", 3.0)), "3")
        with self.assertRaises(stemedb.ProtocolError):
            stemedb.Object.of([1, 2])

    def test_timestamps_default_to_now_and_are_fixed(self):
        claim = stemedb.Assertion("s", "p", "v", 0.5)
        self.assertIsInstance(claim.timestamp, int)
        self.assertEqual(claim.id, claim.id)
        self.assertIsInstance(stemedb.Epoch("e").started_at, int)
        self.assertIsInstance(stemedb.Vote("ab" * 32, 1.0).timestamp, int)

    def test_cosign_adds_signatures_and_keeps_the_id(self):
        a, b = stemedb.Agent.generate(), stemedb.Agent.generate()
        signed = stemedb.Assertion("s", "p", "v", 0.5, timestamp=1).sign(a)
        both = signed.cosign(b)
        self.assertEqual(both.id, signed.id)
        self.assertEqual(both.signers, [a.agent_id, b.agent_id])
        self.assertEqual(both.verify().signers, (a.agent_id, b.agent_id))

    def test_signing_refuses_what_the_server_would(self):
        a = stemedb.Agent.generate()
        with self.assertRaises(stemedb.ProtocolError):
            stemedb.Assertion("s", "p", "v", 0.5).sign(a, a)  # an agent signs once
        with self.assertRaises(stemedb.ProtocolError):
            stemedb.Assertion("s", "p", "v", 0.5).sign(*[stemedb.Agent.generate() for _ in range(17)])
        with self.assertRaises(stemedb.ProtocolError):
            stemedb.sign_record("vote", {"assertion_hash": "ab" * 32, "weight": 1.0, "timestamp": 1}, [a, a])
        with self.assertRaises(stemedb.ProtocolError):
            stemedb.sign_record("source", {"uri": "u"}, [a])

    def test_encoding_refuses_what_has_no_encoding(self):
        base = {"subject": "s", "predicate": "p", "object": {"type": "text", "value": "v"},
                "confidence": 0.5, "timestamp": 1700000000}
        for change in (
            {"timestamp": -1},
            {"timestamp": 1.5},
            {"timestamp": True},
            {"timestamp": stemedb.TIME_MAX + 1},
            {"confidence": float("nan")},
            {"confidence": "high"},
            {"object": {"type": "number", "value": float("inf")}},
            {"object": {"type": "colour", "value": "red"}},
            {"object": {"type": "text"}},
            {"object": {"type": "boolean", "value": 1}},
            {"source_hash": "ab"},
            {"source_hash": "zz" * 32},
            {"subject": "\ud800"},
            {"subject": None},
        ):
            with self.subTest(change=change):
                with self.assertRaises(stemedb.ProtocolError):
                    stemedb.canonical_encoding("assertion", dict(base, **change))
        with self.assertRaises(stemedb.ProtocolError):
            stemedb.canonical_encoding("claim", base)

    def test_source_ids(self):
        with_content = stemedb.Source("https://example.org/a", content="report\n")
        self.assertEqual(with_content.id, __import__("hashlib").sha256(b"report\n").hexdigest())
        # Without content: the hash of uri, title and class; community is the default.
        self.assertEqual(stemedb.Source("u").id, stemedb.Source("u", source_class="community").id)
        self.assertNotEqual(stemedb.Source("u").id, stemedb.Source("u", title="t").id)

    def test_verify_ignores_the_servers_members_and_checks_its_id(self):
        a = stemedb.Agent.generate()
        signed = stemedb.Assertion("s", "p", 1.5, 0.5, timestamp=7).sign(a)
        read_back = dict(signed.body, id=signed.id, seq=3, ingested_at=9, signers=[a.agent_id],
                         votes={"count": 0, "net_weight": 0.0}, flags={}, source_class="community",
                         lifecycle="proposed")
        self.assertEqual(stemedb.verify_record("assertion", read_back).id, signed.id)
        self.assertEqual(stemedb.StoredAssertion.from_json(read_back).verify().id, signed.id)
        with self.assertRaises(stemedb.VerificationError):
            stemedb.verify_record("assertion", dict(read_back, id="ab" * 32))
        with self.assertRaises(stemedb.VerificationError):
            stemedb.verify_record("assertion", dict(read_back, signatures=[]))
        twice = dict(read_back, signatures=signed.body["signatures"] * 2)
        with self.assertRaises(stemedb.VerificationError):
            stemedb.verify_record("assertion", twice)


class AgentKeyFileTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="stemedb-keys-")

    def tearDown(self):
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))
        os.rmdir(self.dir)

    def path(self, name="agent.key"):
        return os.path.join(self.dir, name)

    def test_save_writes_the_cli_format_0600_and_load_reads_it(self):
        agent = stemedb.Agent.generate()
        agent.save(self.path())
        st = os.stat(self.path())
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        with open(self.path(), encoding="ascii") as f:
            text = f.read()
        self.assertEqual(text, '{"format":"stemedb-ed25519-seed-v1","agent_id":"%s","seed":"%s"}\n'
                         % (agent.agent_id, agent.seed.hex()))
        self.assertEqual(stemedb.Agent.load(self.path()), agent)
        self.assertEqual(os.listdir(self.dir), ["agent.key"])  # no temporary file left

    def test_save_refuses_to_replace_unless_forced(self):
        first, second = stemedb.Agent.generate(), stemedb.Agent.generate()
        first.save(self.path())
        with self.assertRaises(stemedb.KeyFileError):
            second.save(self.path())
        self.assertEqual(stemedb.Agent.load(self.path()), first)
        second.save(self.path(), force=True)
        self.assertEqual(stemedb.Agent.load(self.path()), second)
        self.assertEqual(os.listdir(self.dir), ["agent.key"])

    def write(self, text, mode=0o600, name="agent.key"):
        with open(self.path(name), "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(self.path(name), mode)
        return self.path(name)

    def test_load_refuses_what_the_cli_refuses(self):
        agent = stemedb.Agent.generate()
        good = json.loads(agent.key_file_text())
        cases = {
            "group_readable": (agent.key_file_text(), 0o640, "mode 0640 lets others read"),
            "not_json": ("seed=abc\n", 0o600, "not a JSON object"),
            "other_format": (json.dumps(dict(good, format="other")), 0o600, "format"),
            "short_seed": (json.dumps(dict(good, seed="ab")), 0o600, "seed"),
            "no_agent_id": (json.dumps({"format": good["format"], "seed": good["seed"]}), 0o600, "agent_id"),
            "wrong_agent": (json.dumps(dict(good, agent_id=stemedb.Agent.generate().agent_id)), 0o600,
                            "not the public key"),
            "too_large": (agent.key_file_text() + " " * 5000, 0o600, "exceeds the limit of 4096"),
        }
        for name, (text, mode, message) in cases.items():
            with self.subTest(case=name):
                path = self.write(text, mode, name)
                with self.assertRaises(stemedb.KeyFileError) as caught:
                    stemedb.Agent.load(path)
                self.assertIn(message, str(caught.exception))
        self.assertEqual(stemedb.Agent.load(self.path("group_readable"), check_permissions=False), agent)
        with self.assertRaises(stemedb.KeyFileError):
            stemedb.Agent.load(self.path("missing"))

    def test_agent_repr_hides_the_seed(self):
        agent = stemedb.Agent.generate()
        self.assertNotIn(agent.seed.hex(), repr(agent))


class WireTest(unittest.TestCase):
    def test_sse_parser(self):
        lines = [b": keep-alive\n", b"\n", b"id: 7\n", b"event: assertion\n", b'data: {"a":\n', b"data: 1}\n",
                 b"\n", b"id: 8\r\n", b"data:x\r\n", b"\r\n", b"retry: 10\n", b"data: tail"]
        events = list(stemedb.parse_events(lines))
        self.assertEqual([(e.id, e.event, e.data) for e in events],
                         [("7", "assertion", '{"a":\n1}'), ("8", "message", "x")])

    def test_retry_after(self):
        self.assertEqual(parse_retry_after("5"), 5.0)
        self.assertIsNone(parse_retry_after(None))
        self.assertIsNone(parse_retry_after("soon"))
        self.assertAlmostEqual(parse_retry_after("Thu, 01 Jan 1970 00:01:40 GMT", now=40), 60.0)

    def test_query_strings(self):
        self.assertEqual(encode_params({"a": "x y/é", "b": None, "c": True, "d": 5}),
                         "a=x%20y%2F%C3%A9&c=true&d=5")

    def test_errors_carry_the_answers_fields(self):
        from stemedb.transport import api_error
        e = api_error(503, {"retry-after": "2", "x-request-id": "r1"},
                      b'{"error":{"code":"not_primary","message":"m","primary":"http://p:1","request_id":"r2"}}')
        self.assertIsInstance(e, stemedb.ServiceUnavailable)
        self.assertEqual((e.status, e.code, e.field, e.request_id, e.retry_after, e.primary),
                         (503, "not_primary", None, "r2", 2.0, "http://p:1"))
        e = api_error(422, {}, b'{"error":{"code":"string_too_long","message":"subject: ...","field":"subject"}}')
        self.assertIsInstance(e, stemedb.Unprocessable)
        self.assertEqual(e.field, "subject")
        e = api_error(502, {"x-request-id": "r3"}, b"<html>bad gateway</html>")
        self.assertIsInstance(e, stemedb.ServerError)
        self.assertEqual((e.code, e.request_id), ("http_error", "r3"))


if __name__ == "__main__":
    sys.exit(support.main(needs_daemon=False))

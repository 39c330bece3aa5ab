#!/usr/bin/env python3
"""Reproduces docs/protocol_vectors.json with the Python client.

    python3 tests/clients/python/test_vectors.py docs/protocol_vectors.json

For every vector: the canonical bytes, the id, the signing message and every signature are
recomputed from the JSON body and the seeds, and must match byte for byte. Since the vectors were
made by the server's C++ code and Ed25519 is deterministic, equal signatures show both ways at
once: signatures made here verify in C++, and the C++ ones verify here (checked as well, with
cryptography's own verifier).
"""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import stemedb_client as client  # noqa: E402

VECTORS_PATH = None  # set from the command line


def load_vectors():
    with open(VECTORS_PATH, encoding="utf-8") as f:
        return json.load(f)


def without_signatures(kind, body):
    body = dict(body)
    body.pop("signatures", None)
    if kind == "vote":
        body.pop("signature", None)
    return body


class VectorsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.document = load_vectors()
        cls.vectors = {v["name"]: v for v in cls.document["vectors"]}

    def test_file_header(self):
        self.assertEqual(self.document["version"], 1)
        self.assertEqual(self.document["signing_tag"], client.SIGNING_TAG.decode())
        self.assertGreaterEqual(len(self.vectors), 10)

    def test_seeds_derive_their_public_keys(self):
        for seed in self.document["seeds"]:
            with self.subTest(seed=seed["name"]):
                signer = client.Signer(bytes.fromhex(seed["seed"]))
                self.assertEqual(signer.agent_id, seed["public_key"])

    def test_canonical_bytes(self):
        for v in self.document["vectors"]:
            with self.subTest(vector=v["name"]):
                encoded = client.canonical_encoding(v["kind"], v["json"])
                self.assertEqual(encoded.hex(), v["canonical_hex"])

    def test_ids(self):
        for v in self.document["vectors"]:
            with self.subTest(vector=v["name"]):
                self.assertEqual(client.content_id_hex(v["kind"], v["json"]), v["id"])
                expected_rule = (
                    "sha256(content)"
                    if v["kind"] == "source" and "content" in v["json"]
                    else "sha256(canonical)"
                )
                self.assertEqual(v["id_rule"], expected_rule)

    def test_signing_messages(self):
        for v in self.document["vectors"]:
            if not v["signers"]:
                continue
            with self.subTest(vector=v["name"]):
                message = client.signing_message(bytes.fromhex(v["id"]))
                self.assertEqual(len(message), 51)
                self.assertEqual(message.hex(), v["signing_message_hex"])

    def test_signatures_made_here_equal_the_servers(self):
        for v in self.document["vectors"]:
            with self.subTest(vector=v["name"]):
                record_id = bytes.fromhex(v["id"])
                for signer_vector in v["signers"]:
                    signer = client.Signer(bytes.fromhex(signer_vector["seed"]))
                    self.assertEqual(signer.agent_id, signer_vector["public_key"])
                    self.assertEqual(signer.sign_id(record_id).hex(), signer_vector["signature"])

    def test_server_signatures_verify_here(self):
        for v in self.document["vectors"]:
            with self.subTest(vector=v["name"]):
                record_id = bytes.fromhex(v["id"])
                for s in v["signers"]:
                    self.assertTrue(client.verify(s["public_key"], record_id, s["signature"]))
                    tampered = bytearray(record_id)
                    tampered[0] ^= 1
                    self.assertFalse(client.verify(s["public_key"], bytes(tampered), s["signature"]))

    def test_sign_record_rebuilds_the_request_bodies(self):
        for v in self.document["vectors"]:
            if not v["signers"]:
                continue
            with self.subTest(vector=v["name"]):
                signers = [client.Signer(bytes.fromhex(s["seed"])) for s in v["signers"]]
                unsigned = without_signatures(v["kind"], v["json"])
                if v["kind"] == "vote":
                    unsigned.pop("agent_id")  # sign_record sets it from the signer
                self.assertEqual(client.sign_record(v["kind"], unsigned, signers), v["json"])

    def test_defaults_sent_explicitly_give_the_same_id(self):
        self.assertEqual(
            self.vectors["assertion_minimal"]["id"],
            self.vectors["assertion_defaults_explicit"]["id"],
        )

    def test_negative_zero_is_encoded_as_zero(self):
        v = self.vectors["assertion_negative_zero"]
        self.assertEqual(str(v["json"]["object"]["value"]), "-0.0")
        positive = dict(v["json"], object={"type": "number", "value": 0.0})
        self.assertEqual(client.content_id_hex("assertion", positive), v["id"])
        self.assertIn("0408000000" + "00" * 8, v["canonical_hex"])

    def test_upper_case_hex_is_the_same_value(self):
        v = self.vectors["assertion_all_fields"]
        self.assertNotEqual(v["json"]["source_hash"], v["json"]["source_hash"].lower())
        lower = dict(v["json"], source_hash=v["json"]["source_hash"].lower())
        self.assertEqual(client.content_id_hex("assertion", lower), v["id"])

    def test_every_optional_field_is_covered(self):
        body = self.vectors["assertion_all_fields"]["json"]
        optional = {"source_hash", "source_class", "lifecycle", "epoch", "parent_hash",
                    "narrative", "valid_from", "valid_until"}
        self.assertLessEqual(optional, set(body))
        kinds = {v["json"]["object"]["type"] for v in self.document["vectors"]
                 if v["kind"] == "assertion"}
        self.assertEqual(kinds, set(client.OBJECT_TYPES))

    def test_encoding_refuses_what_has_no_encoding(self):
        base = without_signatures("assertion", self.vectors["assertion_minimal"]["json"])
        for change in (
            {"timestamp": -1},
            {"timestamp": 1.5},
            {"confidence": float("nan")},
            {"object": {"type": "number", "value": float("inf")}},
            {"object": {"type": "colour", "value": "red"}},
            {"source_hash": "ab"},
        ):
            with self.subTest(change=change):
                with self.assertRaises(client.ProtocolError):
                    client.canonical_encoding("assertion", dict(base, **change))


def main():
    global VECTORS_PATH
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    VECTORS_PATH = sys.argv[1]
    program = unittest.main(argv=[sys.argv[0]] + sys.argv[2:], exit=False, verbosity=2)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())

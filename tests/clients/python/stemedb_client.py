"""A small StemeDB client, written from docs/protocol.md alone.

It builds the canonical encoding of records from their JSON bodies, computes their ids, signs
them with Ed25519 (Python's `cryptography` package, Debian's python3-cryptography) and posts
them to a running stemedb-api with urllib. It depends on nothing else, so it doubles as an
independent check of the server's implementation: test_vectors.py reproduces the published
vectors with it.

    signer = Signer(bytes.fromhex("9d61b1...7f60"))
    body = sign_record("assertion", {"subject": "drugs/semaglutide", ...}, [signer])
    reply = post_assertion("http://127.0.0.1:18180", body)
    assert reply.status == 201 and reply["id"] == content_id_hex("assertion", body)
"""

import hashlib
import json
import math
import struct
import urllib.error
import urllib.parse
import urllib.request

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

SIGNING_TAG = b"stemedb.sign.v1"
DOMAIN_TAGS = {
    "assertion": b"stemedb.assertion.v1",
    "vote": b"stemedb.vote.v1",
    "epoch": b"stemedb.epoch.v1",
    "source": b"stemedb.source.v1",
}
TIME_MAX = 253402300799  # 9999-12-31T23:59:59Z
OBJECT_TYPES = ("text", "number", "boolean", "reference")


class ProtocolError(ValueError):
    """A body that cannot be encoded (the server would refuse it too)."""


# ---- Values, as the "Canonical encoding" section lists them.


def _u32le(n):
    return struct.pack("<I", n)


def _string(value, name):
    if not isinstance(value, str):
        raise ProtocolError(f"{name}: expected a string")
    return value.encode("utf-8")


def _time(value, name):
    # bool is an int in Python; a JSON true is not a time.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProtocolError(f"{name}: expected an integer (unix seconds)")
    if not 0 <= value <= TIME_MAX:
        raise ProtocolError(f"{name}: {value} is outside 0..{TIME_MAX}")
    return struct.pack("<Q", value)


def _f64(value, name):
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ProtocolError(f"{name}: expected a number")
    value = float(value)
    if not math.isfinite(value):
        raise ProtocolError(f"{name}: must be finite")
    if value == 0.0:
        value = 0.0  # -0.0 is encoded as 0.0
    return struct.pack("<d", value)


def _boolean(value, name):
    if not isinstance(value, bool):
        raise ProtocolError(f"{name}: expected a boolean")
    return b"\x01" if value else b"\x00"


def _raw32(value, name):
    return _hex_bytes(value, 32, name)


def _hex_bytes(value, size, name):
    if not isinstance(value, str) or len(value) != 2 * size:
        raise ProtocolError(f"{name}: expected {2 * size} hex characters")
    try:
        return bytes.fromhex(value)  # accepts upper and lower case
    except ValueError as e:
        raise ProtocolError(f"{name}: {e}") from None


def _enum(value, name):
    return _string(value, name)


# ---- Field tables: (number, member, value encoder, default). A default of None means the field
# is left out when absent; REQUIRED means it must be present.

REQUIRED = object()

_FIELDS = {
    "assertion": [
        (1, "subject", _string, REQUIRED),
        (2, "predicate", _string, REQUIRED),
        # 3 and 4 come from "object"; see _object_fields.
        (5, "confidence", _f64, REQUIRED),
        (6, "timestamp", _time, REQUIRED),
        (7, "source_hash", _raw32, None),
        (8, "source_class", _enum, "community"),
        (9, "lifecycle", _enum, "proposed"),
        (10, "epoch", _raw32, None),
        (11, "parent_hash", _raw32, None),
        (12, "narrative", _string, None),
        (13, "valid_from", _time, None),
        (14, "valid_until", _time, None),
    ],
    "vote": [
        (1, "assertion_hash", _raw32, REQUIRED),
        (2, "agent_id", _raw32, REQUIRED),
        (3, "weight", _f64, REQUIRED),
        (4, "timestamp", _time, REQUIRED),
    ],
    "epoch": [
        (1, "name", _string, REQUIRED),
        (2, "description", _string, None),
        (3, "started_at", _time, REQUIRED),
        (4, "supersedes", _raw32, None),
        (5, "supersession_type", _enum, None),
    ],
    "source": [
        (1, "uri", _string, REQUIRED),
        (2, "title", _string, None),
        (3, "source_class", _enum, "community"),
    ],
}

_OBJECT_VALUE_ENCODERS = {
    "text": _string,
    "number": _f64,
    "boolean": _boolean,
    "reference": _string,
}


def _object_fields(body):
    obj = body.get("object")
    if not isinstance(obj, dict) or set(obj) != {"type", "value"}:
        raise ProtocolError('object: expected {"type": ..., "value": ...}')
    kind = obj["type"]
    if kind not in _OBJECT_VALUE_ENCODERS:
        raise ProtocolError(f"object.type: {kind!r} is not one of {', '.join(OBJECT_TYPES)}")
    return [
        (3, kind.encode("utf-8")),
        (4, _OBJECT_VALUE_ENCODERS[kind](obj["value"], "object.value")),
    ]


def canonical_encoding(kind, body):
    """The canonical bytes of a record given as its JSON body (a dict); signatures are ignored."""
    if kind not in _FIELDS:
        raise ProtocolError(f"unknown record kind {kind!r}")
    fields = []
    for number, member, encode, default in _FIELDS[kind]:
        value = body.get(member)  # null counts as absent
        if value is None:
            if default is REQUIRED:
                raise ProtocolError(f"{member}: required field is missing")
            if default is None:
                continue
            value = default
        fields.append((number, encode(value, member)))
    if kind == "assertion":
        fields.extend(_object_fields(body))
    fields.sort(key=lambda field: field[0])

    tag = DOMAIN_TAGS[kind]
    out = bytearray(_u32le(len(tag)) + tag)
    for number, value in fields:
        out += bytes([number]) + _u32le(len(value)) + value
    return bytes(out)


def content_id(kind, body):
    """The record's 32-byte id: SHA-256 of its canonical encoding, or of a source's content."""
    if kind == "source" and body.get("content") is not None:
        return hashlib.sha256(_string(body["content"], "content")).digest()
    return hashlib.sha256(canonical_encoding(kind, body)).digest()


def content_id_hex(kind, body):
    return content_id(kind, body).hex()


def signing_message(record_id):
    """u32le(len(tag)) || "stemedb.sign.v1" || id: what every signer of the record signs."""
    if len(record_id) != 32:
        raise ProtocolError("an id is 32 bytes")
    return _u32le(len(SIGNING_TAG)) + SIGNING_TAG + record_id


class Signer:
    """An agent's Ed25519 key pair, derived from its 32-byte seed."""

    def __init__(self, seed):
        if len(seed) != 32:
            raise ProtocolError("an Ed25519 seed is 32 bytes")
        self._key = Ed25519PrivateKey.from_private_bytes(bytes(seed))
        self.public_key = self._key.public_key().public_bytes(
            encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
        )

    @property
    def agent_id(self):
        return self.public_key.hex()

    def sign_id(self, record_id):
        """The 64-byte signature of a record id."""
        return self._key.sign(signing_message(record_id))


def verify(agent_id_hex, record_id, signature_hex):
    """True when the signature is agent_id's signature of the record id."""
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(agent_id_hex))
    try:
        key.verify(bytes.fromhex(signature_hex), signing_message(record_id))
        return True
    except Exception:  # cryptography raises InvalidSignature; any failure means "no"
        return False


def sign_record(kind, body, signers):
    """A copy of `body` with its signatures: a "signatures" list for assertions and epochs, or
    "agent_id" and "signature" for a vote (which takes exactly one signer)."""
    body = dict(body)
    if kind == "vote":
        if len(signers) != 1:
            raise ProtocolError("a vote has exactly one signer")
        body["agent_id"] = signers[0].agent_id  # part of the content: set before hashing
        body["signature"] = signers[0].sign_id(content_id(kind, body)).hex()
        return body
    if kind not in ("assertion", "epoch"):
        raise ProtocolError(f"{kind} records are not signed")
    record_id = content_id(kind, body)
    body["signatures"] = [
        {"agent_id": s.agent_id, "signature": s.sign_id(record_id).hex()} for s in signers
    ]
    return body


# ---- HTTP (docs: /work/shared/spec/http-api.md, "Writes"), urllib only.


class StemeDBError(Exception):
    """A non-2xx reply: the HTTP status and the error body's code, message and field."""

    def __init__(self, status, code, message, field=None, body=None):
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.body = body


class Reply(dict):
    """A 2xx reply's JSON body, with the HTTP status as `.status` (201 created, 200 exists...)."""

    def __init__(self, status, body):
        super().__init__(body)
        self.status = status


def _request(method, url, body=None, api_key=None, timeout_s=10.0, follow_primary=True):
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if api_key:
        request.add_header("X-API-Key", api_key)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as reply:
            text = reply.read()
            return Reply(reply.status, json.loads(text) if text else {})
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            parsed = json.loads(raw)
            error = parsed.get("error", {})
        except ValueError:
            parsed, error = None, {}
        primary = error.get("primary") if isinstance(error, dict) else None
        if follow_primary and e.code == 503 and error.get("code") == "not_primary" and primary:
            # A standby names its primary (docs/replication.md): the write goes there, once.
            parts = urllib.parse.urlsplit(url)
            target = parts.path + ("?" + parts.query if parts.query else "")
            return _request(method, primary.rstrip("/") + target, body, api_key, timeout_s, follow_primary=False)
        raise StemeDBError(
            e.code,
            error.get("code", "http_error"),
            error.get("message", raw.decode("utf-8", "replace")),
            error.get("field"),
            parsed,
        ) from None


def _url(base_url, path):
    return base_url.rstrip("/") + path


def post_assertion(base_url, body, api_key=None, timeout_s=10.0):
    """POST /v1/assert; returns {"id", "status", "seq", "ingested_at"}."""
    return _request("POST", _url(base_url, "/v1/assert"), body, api_key, timeout_s)


def post_assertion_batch(base_url, bodies, api_key=None, timeout_s=30.0):
    """POST /v1/assert/batch; returns {"results": [...]} with one entry per item."""
    return _request(
        "POST", _url(base_url, "/v1/assert/batch"), {"assertions": list(bodies)}, api_key, timeout_s
    )


def post_vote(base_url, body, api_key=None, timeout_s=10.0):
    """POST /v1/vote; returns {"id", "status", "seq"}."""
    return _request("POST", _url(base_url, "/v1/vote"), body, api_key, timeout_s)


def post_epoch(base_url, body, api_key=None, timeout_s=10.0):
    """POST /v1/epoch; returns {"id", "status", "seq"}."""
    return _request("POST", _url(base_url, "/v1/epoch"), body, api_key, timeout_s)


def post_source(base_url, body, api_key=None, timeout_s=10.0):
    """POST /v1/sources; returns {"id", "status"}."""
    return _request("POST", _url(base_url, "/v1/sources"), body, api_key, timeout_s)


def retract_source(base_url, source_hash_hex, reason, api_key=None, timeout_s=10.0):
    """POST /v1/sources/{hash}/retract (admin role)."""
    path = f"/v1/sources/{source_hash_hex}/retract"
    return _request("POST", _url(base_url, path), {"reason": reason}, api_key, timeout_s)


def get_assertion(base_url, id_hex, api_key=None, timeout_s=10.0):
    """GET /v1/assertions/{id}."""
    return _request("GET", _url(base_url, f"/v1/assertions/{id_hex}"), None, api_key, timeout_s)

"""The record protocol of docs/protocol.md: canonical encoding, content ids, signing messages.

Everything here works on a record's JSON body (a dict, exactly what is posted) and needs no
server. A record's id is SHA-256 of its canonical encoding (for a source with content, of the
content alone); every signer signs ``u32le(15) || "stemedb.sign.v1" || id``.

    body = {"subject": "drugs/semaglutide", "predicate": "gastroparesis_risk",
            "object": {"type": "text", "value": "rare"}, "confidence": 0.9,
            "timestamp": 1700000000}
    content_id_hex("assertion", body)  # '5704fad8...' (docs/protocol_vectors.json)
"""

import hashlib
import math
import struct

from .errors import ProtocolError

SIGNING_TAG = b"stemedb.sign.v1"
DOMAIN_TAGS = {
    "assertion": b"stemedb.assertion.v1",
    "vote": b"stemedb.vote.v1",
    "epoch": b"stemedb.epoch.v1",
    "source": b"stemedb.source.v1",
}
RECORD_KINDS = tuple(DOMAIN_TAGS)
TIME_MAX = 253402300799  # 9999-12-31T23:59:59Z
OBJECT_TYPES = ("text", "number", "boolean", "reference")
SOURCE_CLASSES = ("regulatory", "clinical", "observational", "expert", "community", "anecdotal")
LIFECYCLES = ("proposed", "under_review", "approved", "deprecated", "rejected")
SUPERSESSION_TYPES = ("replaces", "refines", "retracts")
LENSES = ("recency", "confidence", "consensus", "vote", "authority", "epoch")
MAX_SIGNATURES = 16
MAX_BATCH = 1000

# The members each record's JSON body may have (docs/protocol.md, "Records and their JSON
# shapes"); anything else in a read (id, seq, flags...) is the server's.
RECORD_MEMBERS = {
    "assertion": ("subject", "predicate", "object", "confidence", "timestamp", "source_hash",
                  "source_class", "lifecycle", "epoch", "parent_hash", "narrative", "valid_from",
                  "valid_until", "signatures"),
    "vote": ("assertion_hash", "agent_id", "weight", "timestamp", "signature"),
    "epoch": ("name", "description", "started_at", "supersedes", "supersession_type",
              "signatures"),
    "source": ("uri", "title", "source_class", "content"),
}


# ---- Values, as the "Canonical encoding" section lists them.


def _u32le(n):
    return struct.pack("<I", n)


def _string(value, name):
    if not isinstance(value, str):
        raise ProtocolError(f"{name}: expected a string")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as e:  # a lone surrogate has no UTF-8 form
        raise ProtocolError(f"{name}: not valid UTF-8 ({e.reason})") from None


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
    try:
        value = float(value)
    except OverflowError:
        raise ProtocolError(f"{name}: overflows a double") from None
    if not math.isfinite(value):
        raise ProtocolError(f"{name}: must be finite")
    if value == 0.0:
        value = 0.0  # -0.0 is encoded as 0.0
    return struct.pack("<d", value)


def _boolean(value, name):
    if not isinstance(value, bool):
        raise ProtocolError(f"{name}: expected a boolean")
    return b"\x01" if value else b"\x00"


def hex_bytes(value, size, name):
    """The raw bytes of a hex value of `size` bytes (upper, lower or mixed case)."""
    if isinstance(value, (bytes, bytearray)):
        if len(value) != size:
            raise ProtocolError(f"{name}: expected {size} bytes, got {len(value)}")
        return bytes(value)
    if not isinstance(value, str):
        raise ProtocolError(f"{name}: expected {2 * size} hex characters")
    if len(value) != 2 * size:
        raise ProtocolError(f"{name}: expected {2 * size} hex characters, got {len(value)}")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise ProtocolError(f"{name}: a character outside 0-9a-fA-F") from None


def normalize_id(value, name="id"):
    """An id or key as 64 lowercase hex characters (from hex of any case, or 32 raw bytes)."""
    return hex_bytes(value, 32, name).hex()


def _raw32(value, name):
    return hex_bytes(value, 32, name)


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
    if obj is None:
        raise ProtocolError("object: required field is missing")
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
        raise ProtocolError(f"unknown record kind {kind!r} (one of {', '.join(RECORD_KINDS)})")
    if not isinstance(body, dict):
        raise ProtocolError(f"a {kind} is a JSON object")
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
    if kind == "source" and isinstance(body, dict) and body.get("content") is not None:
        return hashlib.sha256(_string(body["content"], "content")).digest()
    return hashlib.sha256(canonical_encoding(kind, body)).digest()


def content_id_hex(kind, body):
    """The record's id as 64 lowercase hex characters."""
    return content_id(kind, body).hex()


def signing_message(record_id):
    """u32le(len(tag)) || "stemedb.sign.v1" || id: what every signer of the record signs."""
    record_id = hex_bytes(record_id, 32, "id")
    return _u32le(len(SIGNING_TAG)) + SIGNING_TAG + record_id


def record_body(kind, record_json):
    """Only the protocol members of a record read back from the server (GET answers carry id,
    seq, flags... besides), in the form that was posted; null members are left out."""
    if kind not in RECORD_MEMBERS:
        raise ProtocolError(f"unknown record kind {kind!r}")
    return {k: record_json[k] for k in RECORD_MEMBERS[kind] if record_json.get(k) is not None}

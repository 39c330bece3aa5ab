"""Records to write: Assertion, Vote, Epoch, Source; signing them; verifying them offline.

A record is built from its fields, its content id computed here (docs/protocol.md), and signed
by one or more agents; the result, a SignedRecord, is the JSON body to post:

    claim = Assertion("drugs/semaglutide", "gastroparesis_risk", "rare", confidence=0.9,
                      source_class="regulatory")
    signed = claim.sign(alice, bob)     # co-signed by two agents
    signed.id                           # the id the server will answer with
    signed.body                         # {"subject": ..., "signatures": [...]}

Python values become objects by their type: str is ``text``, bool ``boolean``, int and float
``number``, Reference("drugs/x") ``reference``; Object(type, value) names the type outright.

``verify_record`` checks a record read back from anywhere (a GET, the feed, a file) without the
server: its id is recomputed from its content and every signature is checked against it.
"""

import dataclasses
import math
import time
from typing import Any, Optional, Tuple

from .agent import Agent, verify_signature
from .errors import ProtocolError, VerificationError
from .protocol import (
    MAX_SIGNATURES,
    OBJECT_TYPES,
    canonical_encoding,
    content_id,
    content_id_hex,
    normalize_id,
    record_body,
)


def now_s():
    """The current unix time in whole seconds (the protocol's time unit)."""
    return int(time.time())


@dataclasses.dataclass(frozen=True)
class Reference:
    """An object that names another entity (a subject), e.g. Reference("drugs/tirzepatide")."""

    entity: str

    def __str__(self):
        return self.entity


@dataclasses.dataclass(frozen=True)
class Object:
    """An assertion's object: its ``type`` (text, number, boolean, reference) and ``value``."""

    type: str
    value: Any

    @classmethod
    def of(cls, value):
        """The object of a Python value: str text, bool boolean, int/float number, Reference
        reference; an Object or a {"type", "value"} dict is taken as it is."""
        if isinstance(value, Object):
            return value
        if isinstance(value, Reference):
            return cls("reference", value.entity)
        if isinstance(value, bool):
            return cls("boolean", value)
        if isinstance(value, (int, float)):
            try:
                return cls("number", float(value))
            except OverflowError:
                raise ProtocolError("object.value: overflows a double") from None
        if isinstance(value, str):
            return cls("text", value)
        if isinstance(value, dict) and set(value) == {"type", "value"}:
            return cls(value["type"], value["value"])
        raise ProtocolError(
            f"object: cannot make a {', '.join(OBJECT_TYPES)} object of {type(value).__name__}"
        )

    def to_json(self):
        value = self.value
        if self.type == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = float(value)
            if value == 0.0:
                value = 0.0  # -0.0 and 0.0 are one value (protocol.md)
        return {"type": self.type, "value": value}

    @property
    def python(self):
        """The value as Python has it (a Reference for a reference)."""
        return Reference(self.value) if self.type == "reference" else self.value

    def __str__(self):
        if self.type == "number" and isinstance(self.value, float) and self.value.is_integer():
            return str(int(self.value)) if math.isfinite(self.value) else str(self.value)
        if self.type == "boolean":
            return "true" if self.value else "false"
        return str(self.value)


def _optional(body, **members):
    for name, value in members.items():
        if value is not None:
            body[name] = value
    return body


def _agents(agents):
    if isinstance(agents, Agent):
        return [agents]
    agents = list(agents)
    if not agents or not all(isinstance(a, Agent) for a in agents):
        raise ProtocolError("signing needs one or more Agent objects")
    return agents


class _Record:
    kind = ""

    def to_json(self):  # pragma: no cover - every record defines it
        raise NotImplementedError

    def canonical(self):
        """The canonical encoding: the bytes the id is the SHA-256 of."""
        return canonical_encoding(self.kind, self.to_json())

    @property
    def id(self):
        """The content id, 64 lowercase hex characters."""
        return content_id_hex(self.kind, self.to_json())


@dataclasses.dataclass
class Assertion(_Record):
    """A claim: subject, predicate, object, confidence, and when it was made (now by default)."""

    subject: str
    predicate: str
    object: Any
    confidence: float
    timestamp: Optional[int] = None
    source_hash: Optional[str] = None
    source_class: Optional[str] = None
    lifecycle: Optional[str] = None
    epoch: Optional[str] = None
    parent_hash: Optional[str] = None
    narrative: Optional[str] = None
    valid_from: Optional[int] = None
    valid_until: Optional[int] = None

    kind = "assertion"

    def __post_init__(self):
        self.object = Object.of(self.object)
        if self.timestamp is None:
            self.timestamp = now_s()  # fixed now: the id depends on it

    def to_json(self):
        body = {
            "subject": self.subject,
            "predicate": self.predicate,
            "object": self.object.to_json(),
            "confidence": self.confidence,
            "timestamp": self.timestamp,
        }
        return _optional(
            body,
            source_hash=self.source_hash,
            source_class=self.source_class,
            lifecycle=self.lifecycle,
            epoch=self.epoch,
            parent_hash=self.parent_hash,
            narrative=self.narrative,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
        )

    def sign(self, *agents):
        """The signed body, by 1..16 agents (the first is the author)."""
        return sign_record("assertion", self.to_json(), _agents(agents))

    @classmethod
    def from_json(cls, body):
        b = record_body("assertion", body)
        b.pop("signatures", None)
        return cls(**b)


@dataclasses.dataclass
class Vote(_Record):
    """An agent's vote on an assertion: weight -1..1, negative disputes, positive endorses."""

    assertion_hash: str
    weight: float
    timestamp: Optional[int] = None
    agent_id: Optional[str] = None  # set by sign(): the voter is part of the vote's content

    kind = "vote"

    def __post_init__(self):
        if self.timestamp is None:
            self.timestamp = now_s()

    def to_json(self):
        body = {"assertion_hash": self.assertion_hash, "weight": self.weight, "timestamp": self.timestamp}
        return _optional(body, agent_id=self.agent_id)

    def sign(self, agent):
        """The signed body; a vote has exactly one signer, its agent_id."""
        return sign_record("vote", self.to_json(), [agent])


@dataclasses.dataclass
class Epoch(_Record):
    """A named period claims can belong to; it may supersede an earlier epoch."""

    name: str
    started_at: Optional[int] = None
    description: Optional[str] = None
    supersedes: Optional[str] = None
    supersession_type: Optional[str] = None

    kind = "epoch"

    def __post_init__(self):
        if self.started_at is None:
            self.started_at = now_s()

    def to_json(self):
        body = {"name": self.name, "started_at": self.started_at}
        return _optional(
            body,
            description=self.description,
            supersedes=self.supersedes,
            supersession_type=self.supersession_type,
        )

    def sign(self, *agents):
        return sign_record("epoch", self.to_json(), _agents(agents))


@dataclasses.dataclass
class Source(_Record):
    """A source of evidence. Not signed. With content, its id is SHA-256 of the content."""

    uri: str
    title: Optional[str] = None
    source_class: Optional[str] = None
    content: Optional[str] = None

    kind = "source"

    def to_json(self):
        return _optional({"uri": self.uri}, title=self.title, source_class=self.source_class,
                         content=self.content)

    @property
    def body(self):
        return self.to_json()


class SignedRecord:
    """A record's JSON body with its signatures: what is posted. ``id`` is its content id."""

    __slots__ = ("kind", "body")

    def __init__(self, kind, body):
        self.kind = kind
        self.body = body

    @property
    def id(self):
        return content_id_hex(self.kind, self.body)

    @property
    def signers(self):
        """The agent ids that signed it, in order (the first is the author)."""
        if self.kind == "vote":
            return [self.body["agent_id"]]
        return [s["agent_id"] for s in self.body.get("signatures", [])]

    def cosign(self, *agents):
        """A copy with the agents' signatures added (posting it answers ``cosigned``)."""
        if self.kind not in ("assertion", "epoch"):
            raise ProtocolError(f"a {self.kind} cannot be co-signed")
        record_id = content_id(self.kind, self.body)
        body = dict(self.body)
        body["signatures"] = list(body.get("signatures", [])) + [
            {"agent_id": a.agent_id, "signature": a.sign(record_id).hex()} for a in _agents(agents)
        ]
        return SignedRecord(self.kind, body)

    def verify(self):
        """Checks every signature against the content id; returns the Verified result."""
        return verify_record(self.kind, self.body)

    # Mapping-like access, so a SignedRecord can stand where the test client's dicts did.
    def __getitem__(self, key):
        return self.body[key]

    def __eq__(self, other):
        if isinstance(other, SignedRecord):
            return self.kind == other.kind and self.body == other.body
        return self.body == other

    def __repr__(self):
        return f"SignedRecord({self.kind}, id={self.id[:12]}…, signers={len(self.signers)})"


def sign_record(kind, body, signers):
    """A copy of `body` with its signatures: a "signatures" list for assertions and epochs, or
    "agent_id" and "signature" for a vote (which takes exactly one signer). Returns a
    SignedRecord; its ``body`` is the dict to post."""
    body = dict(body)
    if kind == "vote":
        if len(signers) != 1:
            raise ProtocolError("a vote has exactly one signer")
        body["agent_id"] = signers[0].agent_id  # part of the content: set before hashing
        body["signature"] = signers[0].sign(content_id(kind, body)).hex()
        return SignedRecord(kind, body)
    if kind not in ("assertion", "epoch"):
        raise ProtocolError(f"{kind} records are not signed")
    if not 1 <= len(signers) <= MAX_SIGNATURES:
        raise ProtocolError(f"signatures: 1..{MAX_SIGNATURES} signers, got {len(signers)}")
    if len({s.agent_id for s in signers}) != len(signers):
        raise ProtocolError("signatures: an agent signs a record once")
    record_id = content_id(kind, body)
    body["signatures"] = [{"agent_id": s.agent_id, "signature": s.sign(record_id).hex()} for s in signers]
    return SignedRecord(kind, body)


@dataclasses.dataclass(frozen=True)
class Verified:
    """What verify_record established: the record's id and the agents whose signatures hold."""

    kind: str
    id: str
    signers: Tuple[str, ...]


def verify_record(kind, record, expected_id=None):
    """Verifies a record offline: recomputes its content id from its content and checks every
    signature on it. `record` is a JSON body as posted, or as read back (GET, the feed, a
    trace: the server's own members such as seq and flags are ignored), or a typed result.

    The id is compared with `expected_id`, or else with the record's own ``id`` member when it
    has one. Returns Verified; raises VerificationError naming what does not hold."""
    raw = getattr(record, "raw", record)
    if isinstance(record, SignedRecord):
        raw = record.body
    if not isinstance(raw, dict):
        raise VerificationError(f"a {kind} record is a JSON object")
    try:
        body = record_body(kind, raw)
        computed = content_id_hex(kind, body)
    except ProtocolError as e:
        raise VerificationError(f"{kind}: cannot compute its id: {e}") from None
    claimed = expected_id if expected_id is not None else raw.get("id")
    if claimed is not None:
        claimed = normalize_id(claimed)
        if claimed != computed:
            if kind == "source" and body.get("content") is None:
                raise VerificationError(
                    f"source {claimed}: its id is not the hash of its uri, title and class; a source "
                    "with content is verified with its content (get_source answers with it)"
                )
            raise VerificationError(f"{kind} {claimed}: its content hashes to {computed}")
    record_id = bytes.fromhex(computed)
    if kind == "source":
        return Verified(kind, computed, ())
    if kind == "vote":
        pairs = [(body.get("agent_id"), body.get("signature"))]
    else:
        signatures = body.get("signatures") or []
        if not signatures:
            raise VerificationError(f"{kind} {computed}: no signatures")
        pairs = [(s.get("agent_id"), s.get("signature")) for s in signatures]
    seen = set()
    for i, (agent_id, signature) in enumerate(pairs):
        where = "signature" if kind == "vote" else f"signatures[{i}]"
        if not isinstance(agent_id, str) or not isinstance(signature, str):
            raise VerificationError(f"{kind} {computed}: {where}: agent_id and signature are required")
        if agent_id.lower() in seen:
            raise VerificationError(f"{kind} {computed}: {where}: agent {agent_id} signs twice")
        seen.add(agent_id.lower())
        if not verify_signature(agent_id, record_id, signature):
            raise VerificationError(f"{kind} {computed}: {where}: not a signature of agent {agent_id}")
    return Verified(kind, computed, tuple(a.lower() for a, _ in pairs))

"""Typed answers. Each is a dataclass of the members the API documents, plus ``raw``: the JSON
object as the server sent it (members a newer server adds are there too)."""

import dataclasses
from typing import Any, Dict, List, Optional

from .records import Object, verify_record


def _raw_field():
    return dataclasses.field(default_factory=dict, repr=False, compare=False)


def _obj(value):
    return Object(value["type"], value["value"]) if isinstance(value, dict) else None


def _list(items, parse):
    return [parse(i) for i in (items or [])]


# ---- writes


@dataclasses.dataclass
class WriteResult:
    """The answer to a write: ``status`` is created, exists or cosigned (retracted for a
    retraction); ``position`` is the WAL position to pass as ``min_position`` to a standby."""

    id: str
    status: str
    seq: Optional[int] = None
    ingested_at: Optional[int] = None
    position: Optional[int] = None
    http_status: Optional[int] = None
    raw: Dict[str, Any] = _raw_field()

    @property
    def created(self):
        return self.status == "created"

    @classmethod
    def from_json(cls, d, http_status=None):
        return cls(d.get("id"), d.get("status"), d.get("seq"), d.get("ingested_at"), d.get("position"),
                   http_status, d)


@dataclasses.dataclass
class ItemError:
    """Why one batch item was refused: code, field (path inside the item) and message."""

    code: str
    message: str
    field: Optional[str] = None


@dataclasses.dataclass
class BatchItem:
    """One batch item's result, in the items' order: a WriteResult's members or an error."""

    index: int
    id: Optional[str] = None
    status: Optional[str] = None
    seq: Optional[int] = None
    ingested_at: Optional[int] = None
    position: Optional[int] = None
    error: Optional[ItemError] = None
    raw: Dict[str, Any] = _raw_field()

    @property
    def ok(self):
        return self.error is None

    @classmethod
    def from_json(cls, d, offset=0):
        e = d.get("error")
        error = ItemError(e.get("code"), e.get("message"), e.get("field") or None) if e else None
        return cls(d.get("index", 0) + offset, d.get("id"), d.get("status"), d.get("seq"),
                   d.get("ingested_at"), d.get("position"), error, d)


@dataclasses.dataclass
class BatchResult:
    """The answer to a batch: one BatchItem per posted record, in order."""

    items: List[BatchItem]

    @property
    def ok(self):
        """True when every item was stored (created, exists or cosigned)."""
        return all(i.ok for i in self.items)

    @property
    def errors(self):
        return [i for i in self.items if not i.ok]

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


# ---- records read back


@dataclasses.dataclass
class Signature:
    agent_id: str
    signature: str


@dataclasses.dataclass
class VoteSummary:
    count: int
    net_weight: float


@dataclasses.dataclass
class Flags:
    source_retracted: bool = False
    has_later_stage: bool = False


@dataclasses.dataclass
class StoredAssertion:
    """An assertion as GET /v1/assertions/{id} (and the feed, and a trace) return it."""

    id: str
    subject: str
    predicate: str
    object: Object
    confidence: float
    timestamp: int
    source_class: str
    lifecycle: str
    signatures: List[Signature]
    seq: Optional[int] = None
    ingested_at: Optional[int] = None
    signers: List[str] = dataclasses.field(default_factory=list)
    votes: Optional[VoteSummary] = None
    flags: Optional[Flags] = None
    source_hash: Optional[str] = None
    epoch: Optional[str] = None
    parent_hash: Optional[str] = None
    narrative: Optional[str] = None
    valid_from: Optional[int] = None
    valid_until: Optional[int] = None
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        votes = d.get("votes")
        flags = d.get("flags")
        return cls(
            d["id"], d["subject"], d["predicate"], _obj(d["object"]), d["confidence"], d["timestamp"],
            d.get("source_class", "community"), d.get("lifecycle", "proposed"),
            [Signature(s["agent_id"], s["signature"]) for s in d.get("signatures", [])],
            d.get("seq"), d.get("ingested_at"), list(d.get("signers", [])),
            VoteSummary(votes.get("count", 0), votes.get("net_weight", 0.0)) if votes else None,
            Flags(flags.get("source_retracted", False), flags.get("has_later_stage", False)) if flags else None,
            d.get("source_hash"), d.get("epoch"), d.get("parent_hash"), d.get("narrative"),
            d.get("valid_from"), d.get("valid_until"), d,
        )

    def verify(self):
        """Recomputes the id from the content and checks every signature (offline)."""
        return verify_record("assertion", self.raw)


@dataclasses.dataclass
class StoredVote:
    """A vote as a trace lists it."""

    id: str
    assertion_hash: str
    agent_id: str
    weight: float
    timestamp: int
    signature: str
    seq: Optional[int] = None
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        return cls(d["id"], d["assertion_hash"], d["agent_id"], d["weight"], d["timestamp"],
                   d["signature"], d.get("seq"), d)

    def verify(self):
        return verify_record("vote", self.raw)


@dataclasses.dataclass
class StoredEpoch:
    """An epoch with its status (current or superseded) and one page of superseded_by."""

    id: str
    name: str
    started_at: int
    signatures: List[Signature] = dataclasses.field(default_factory=list)
    description: Optional[str] = None
    supersedes: Optional[str] = None
    supersession_type: Optional[str] = None
    seq: Optional[int] = None
    ingested_at: Optional[int] = None
    status: Optional[str] = None
    superseded_by_count: int = 0
    superseded_by: List[str] = dataclasses.field(default_factory=list)
    superseded_by_next_cursor: Optional[str] = None
    supersedes_chain: Optional[List[str]] = None  # in a trace
    raw: Dict[str, Any] = _raw_field()

    @property
    def known(self):
        """False for an epoch a trace names but the node does not hold (status unknown)."""
        return self.status != "unknown"

    @classmethod
    def from_json(cls, d):
        return cls(
            d["id"], d.get("name"), d.get("started_at"),
            [Signature(s["agent_id"], s["signature"]) for s in d.get("signatures", [])],
            d.get("description"), d.get("supersedes"), d.get("supersession_type"), d.get("seq"),
            d.get("ingested_at"), d.get("status"), d.get("superseded_by_count", 0),
            list(d.get("superseded_by", [])), d.get("superseded_by_next_cursor"),
            d.get("supersedes_chain"), d,
        )

    def verify(self):
        return verify_record("epoch", self.raw)


@dataclasses.dataclass
class StoredSource:
    """A source (with its content from get_source; without it in lists and traces)."""

    id: str
    uri: Optional[str] = None
    title: Optional[str] = None
    source_class: Optional[str] = None
    content: Optional[str] = None
    seq: Optional[int] = None
    ingested_at: Optional[int] = None
    retracted: bool = False
    retraction_reason: Optional[str] = None
    registered: bool = True  # False: cited by an assertion but never registered here
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        return cls(d["id"], d.get("uri"), d.get("title"), d.get("source_class"), d.get("content"),
                   d.get("seq"), d.get("ingested_at"), d.get("retracted", False),
                   d.get("retraction_reason"), d.get("registered", True), d)

    def verify(self):
        """Checks the id against the content (or, without content, against uri, title, class)."""
        return verify_record("source", self.raw)


@dataclasses.dataclass
class Page:
    """One page of a list: its items and the cursor of the next page (None on the last)."""

    items: list
    next_cursor: Optional[str] = None

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


@dataclasses.dataclass
class FeedPage:
    """A page of the feed: assertions in log order; pass ``next_after`` as the next ``after``."""

    assertions: List[StoredAssertion]
    next_after: int

    def __iter__(self):
        return iter(self.assertions)


@dataclasses.dataclass
class PredicateCount:
    """A predicate of a subject and how many assertions it has (counted up to 1000: capped)."""

    predicate: str
    claims: int
    claims_capped: bool = False

    @classmethod
    def from_json(cls, d):
        return cls(d["predicate"], d["claims"], d.get("claims_capped", False))


@dataclasses.dataclass
class AgentInfo:
    agent_id: str
    trust: float
    trust_overridden: bool
    assertions_count: int = 0
    votes_count: int = 0
    votes_received_up: int = 0
    votes_received_down: int = 0
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        received = d.get("votes_received") or {}
        return cls(d["agent_id"], d["trust"], d["trust_overridden"], d.get("assertions_count", 0),
                   d.get("votes_count", 0), received.get("up", 0), received.get("down", 0), d)


@dataclasses.dataclass
class TraceSigner:
    agent_id: str
    trust: float


@dataclasses.dataclass
class Trace:
    """An assertion's lineage: its parents (nearest first, up to ``depth``), the ids of its
    children, its source, its signers with their trust, the votes on it, its epoch."""

    assertion: StoredAssertion
    parents: List[StoredAssertion]
    children: List[str]
    source: Optional[StoredSource]
    signers: List[TraceSigner]
    votes: List[StoredVote]
    epoch: Optional[StoredEpoch]
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        return cls(
            StoredAssertion.from_json(d["assertion"]),
            _list(d.get("parents"), StoredAssertion.from_json),
            list(d.get("children", [])),
            StoredSource.from_json(d["source"]) if d.get("source") else None,
            [TraceSigner(s["agent_id"], s["trust"]) for s in d.get("signers", [])],
            _list(d.get("votes"), StoredVote.from_json),
            StoredEpoch.from_json(d["epoch"]) if d.get("epoch") else None,
            d,
        )

    def verify(self):
        """Verifies the assertion, its parents, the votes and the epoch (when held) offline."""
        verified = [self.assertion.verify()]
        verified += [p.verify() for p in self.parents]
        verified += [v.verify() for v in self.votes]
        if self.epoch is not None and self.epoch.known:
            verified.append(self.epoch.verify())
        return verified


# ---- lens answers


@dataclasses.dataclass
class QueryWarning:
    """A warning of a lens answer: ``code`` (source_retracted, retracted_source_included,
    unknown_epoch, warnings_truncated) and ``message``; the rest is in ``raw``."""

    code: str
    message: str
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        return cls(d.get("code"), d.get("message"), d)


@dataclasses.dataclass
class Candidate:
    """One ranked assertion of a lens answer (and the winner)."""

    id: str
    object: Object
    source_class: str
    lifecycle: str
    confidence: float
    effective_confidence: float
    timestamp: int
    seq: int
    ingested_at: int
    author: str
    signers_count: int
    net_votes: float
    epoch: Optional[str] = None
    source_hash: Optional[str] = None
    source_retracted: bool = False
    weight: Optional[float] = None  # confidence, vote and authority lenses
    counted: Optional[bool] = None  # idem: False for an author's repeats within a group
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        return cls(
            d["id"], _obj(d["object"]), d.get("source_class"), d.get("lifecycle"), d.get("confidence"),
            d.get("effective_confidence"), d.get("timestamp"), d.get("seq"), d.get("ingested_at"),
            d.get("author"), d.get("signers_count"), d.get("net_votes"), d.get("epoch"),
            d.get("source_hash"), d.get("source_retracted", False), d.get("weight"), d.get("counted"), d,
        )


@dataclasses.dataclass
class QueryResult:
    """A lens's answer for one (subject, predicate): the winner (None when no claim passes the
    filters), how sure the lens is, how contested the pair is, and a page of the ranking."""

    subject: str
    predicate: str
    lens: str
    winner: Optional[Candidate]
    resolution_confidence: float
    conflict_score: float
    candidates_count: int
    candidates: List[Candidate]
    warnings: List[QueryWarning]
    inner: Optional[str] = None
    next_cursor: Optional[str] = None
    candidates_listed_max: Optional[int] = None
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d, lens=None):
        return cls(
            d.get("subject"), d.get("predicate"), d.get("lens", lens),
            Candidate.from_json(d["winner"]) if d.get("winner") else None,
            d.get("resolution_confidence", 0.0), d.get("conflict_score", 0.0),
            d.get("candidates_count", 0), _list(d.get("candidates"), Candidate.from_json),
            _list(d.get("warnings"), QueryWarning.from_json), d.get("inner"), d.get("next_cursor"),
            d.get("candidates_listed_max"), d,
        )


@dataclasses.dataclass
class SubjectQueryResult:
    """A lens's answer for every predicate of a subject (a page of predicates)."""

    subject: str
    lens: str
    resolutions: List[QueryResult]
    next_cursor: Optional[str] = None
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        lens = d.get("lens")
        return cls(d.get("subject"), lens, [QueryResult.from_json(r, lens) for r in d.get("resolutions", [])],
                   d.get("next_cursor"), d)


@dataclasses.dataclass
class SkepticClaim:
    """One distinct claim of the skeptic view: its support (authority weight, an author once),
    its share of the total, the ids asserting it (heaviest first) and its tiers."""

    object: Object
    support: float
    share: float
    assertions: List[str]
    tiers: List[str]
    assertions_count: Optional[int] = None
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        return cls(_obj(d["object"]), d.get("support"), d.get("share"), list(d.get("assertions", [])),
                   list(d.get("tiers", [])), d.get("assertions_count"), d)


@dataclasses.dataclass
class SkepticView:
    """The disagreement itself: ``status`` unanimous, agreed or contested, and every claim."""

    subject: str
    predicate: str
    status: str
    conflict_score: float
    claims: List[SkepticClaim]
    candidates_count: int
    warnings: List[QueryWarning]
    claims_count: Optional[int] = None
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        return cls(d.get("subject"), d.get("predicate"), d.get("status"), d.get("conflict_score", 0.0),
                   _list(d.get("claims"), SkepticClaim.from_json), d.get("candidates_count", 0),
                   _list(d.get("warnings"), QueryWarning.from_json), d.get("claims_count"), d)


@dataclasses.dataclass
class LayeredTier:
    tier: str
    winner: Optional[Candidate]
    resolution_confidence: float
    conflict_score: float
    candidates_count: int
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        return cls(d.get("tier"), Candidate.from_json(d["winner"]) if d.get("winner") else None,
                   d.get("resolution_confidence", 0.0), d.get("conflict_score", 0.0),
                   d.get("candidates_count", 0), d)


@dataclasses.dataclass
class LayeredView:
    """The authority lens per tier, most authoritative first, and whether the tiers disagree."""

    subject: str
    predicate: str
    tiers: List[LayeredTier]
    cross_tier_conflict: bool
    winner: Optional[Candidate]
    candidates_count: int
    warnings: List[QueryWarning]
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        return cls(d.get("subject"), d.get("predicate"), _list(d.get("tiers"), LayeredTier.from_json),
                   d.get("cross_tier_conflict", False),
                   Candidate.from_json(d["winner"]) if d.get("winner") else None,
                   d.get("candidates_count", 0), _list(d.get("warnings"), QueryWarning.from_json), d)


# ---- ops and admin


@dataclasses.dataclass
class Health:
    status: str
    version: Optional[str] = None
    uptime_s: Optional[int] = None
    state: Optional[str] = None
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        return cls(d.get("status"), d.get("version"), d.get("uptime_s"), d.get("state"), d)


@dataclasses.dataclass
class RoleInfo:
    """GET /v1/role: ``role`` primary or standby; ``primary`` the primary's URL when known."""

    role: str
    term: Optional[int] = None
    durable_offset: Optional[int] = None
    applied_offset: Optional[int] = None
    primary: Optional[str] = None
    raw: Dict[str, Any] = _raw_field()

    @property
    def is_primary(self):
        return self.role == "primary"

    @classmethod
    def from_json(cls, d):
        return cls(d.get("role"), d.get("term"), d.get("durable_offset"), d.get("applied_offset"),
                   d.get("primary"), d)


@dataclasses.dataclass
class NodeInfo:
    """GET /v1/admin/node: state (serving, draining, drained...), uptime, WAL and storage
    figures, and the node's replication role and offsets."""

    state: str
    uptime_s: Optional[int] = None
    inflight_writes: Optional[int] = None
    wal: Dict[str, Any] = dataclasses.field(default_factory=dict)
    storage: Dict[str, Any] = dataclasses.field(default_factory=dict)
    replication: Optional[Dict[str, Any]] = None
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        return cls(d.get("state"), d.get("uptime_s"), d.get("inflight_writes"), d.get("wal") or {},
                   d.get("storage") or {}, d.get("replication"), d)


@dataclasses.dataclass
class DrainResult:
    """The answer to drain (and undrain: only ``state``)."""

    state: str
    wal_head_offset: Optional[int] = None
    inflight: Optional[int] = None
    flush_error: Optional[str] = None
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        return cls(d.get("state"), d.get("wal_head_offset"), d.get("inflight"), d.get("flush_error"), d)


@dataclasses.dataclass
class ApiKey:
    """An API key. ``key`` (the secret) is set only in the answer to create_key."""

    key_id: str
    role: str
    name: str = ""
    created_at: Optional[int] = None
    revoked: bool = False
    key: Optional[str] = dataclasses.field(default=None, repr=False)
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        return cls(d["key_id"], d.get("role"), d.get("name", ""), d.get("created_at"), d.get("revoked", False),
                   d.get("key"), d)


@dataclasses.dataclass
class TrustResult:
    agent_id: str
    trust_overridden: bool
    trust: Optional[float] = None
    raw: Dict[str, Any] = _raw_field()

    @classmethod
    def from_json(cls, d):
        return cls(d["agent_id"], d.get("trust_overridden", False), d.get("trust"), d)

"""StemeDB's Python client: signed claims in, lens answers out.

    import stemedb

    alice = stemedb.Agent.generate()                     # or Agent.load("alice.key")
    db = stemedb.Client("http://127.0.0.1:18180")
    w = db.assert_(alice, "drugs/semaglutide", "gastroparesis_risk", "rare", confidence=0.9)
    print(w.id, w.status)                                # created
    answer = db.query("drugs/semaglutide", "gastroparesis_risk", lens="consensus")
    print(answer.winner.object, answer.conflict_score)

docs/python.md is the guide; docs/protocol.md the record protocol this package implements.
"""

from .agent import KEY_FILE_FORMAT, Agent, verify_signature
from .client import Admin, Client
from .errors import (
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    KeyFileError,
    NotFound,
    PayloadTooLarge,
    ProtocolError,
    RateLimited,
    ServerError,
    ServiceUnavailable,
    StemeDBError,
    TransportError,
    Unauthorized,
    Unprocessable,
    UnsupportedMediaType,
    VerificationError,
)
from .feed import FeedEvent, FeedStream, parse_events
from .protocol import (
    DOMAIN_TAGS,
    LENSES,
    LIFECYCLES,
    OBJECT_TYPES,
    SIGNING_TAG,
    SOURCE_CLASSES,
    SUPERSESSION_TYPES,
    TIME_MAX,
    canonical_encoding,
    content_id,
    content_id_hex,
    signing_message,
)
from .records import (
    Assertion,
    Epoch,
    Object,
    Reference,
    SignedRecord,
    Source,
    Verified,
    Vote,
    sign_record,
    verify_record,
)
from .results import (
    AgentInfo,
    ApiKey,
    BatchItem,
    BatchResult,
    Candidate,
    DrainResult,
    FeedPage,
    Flags,
    Health,
    ItemError,
    LayeredTier,
    LayeredView,
    NodeInfo,
    Page,
    PredicateCount,
    QueryResult,
    QueryWarning,
    RoleInfo,
    Signature,
    SkepticClaim,
    SkepticView,
    StoredAssertion,
    StoredEpoch,
    StoredSource,
    StoredVote,
    SubjectQueryResult,
    Trace,
    TraceSigner,
    TrustResult,
    VoteSummary,
    WriteResult,
)

__version__ = "0.1.0"

import types as _types

__all__ = sorted(
    name for name, value in globals().items()
    if not name.startswith("_") and not isinstance(value, _types.ModuleType)
)

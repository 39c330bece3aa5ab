"""Client: every route of the StemeDB HTTP API (docs/openapi.json) as a method.

    import stemedb
    db = stemedb.Client("http://127.0.0.1:18180", api_key=None)
    alice = stemedb.Agent.load("alice.key")
    w = db.assert_(alice, "drugs/semaglutide", "gastroparesis_risk", "rare", confidence=0.9)
    db.query("drugs/semaglutide", "gastroparesis_risk", lens="consensus").winner.object.value
"""

import json
import time
import urllib.parse

from .errors import ProtocolError, TransportError
from .feed import FeedStream
from .protocol import MAX_BATCH, normalize_id
from .records import Assertion, Epoch, SignedRecord, Source, Vote, _agents
from .results import (
    AgentInfo,
    ApiKey,
    BatchItem,
    BatchResult,
    DrainResult,
    FeedPage,
    Health,
    NodeInfo,
    Page,
    PredicateCount,
    QueryResult,
    RoleInfo,
    SkepticView,
    StoredAssertion,
    StoredEpoch,
    StoredSource,
    SubjectQueryResult,
    Trace,
    TrustResult,
    WriteResult,
    LayeredView,
)
from .transport import Transport

_WRITE_PATHS = {
    "assertion": "/v1/assert",
    "vote": "/v1/vote",
    "epoch": "/v1/epoch",
    "source": "/v1/sources",
}


def _filters(lifecycle=None, epoch=None, source_class=None, as_of=None, valid_at=None, decay=None,
             include_retracted=None, min_position=None):
    """The filters /v1/query, /v1/skeptic and /v1/layered share (lenses.md, "Filters")."""
    return {
        "lifecycle": lifecycle,
        "epoch": epoch,
        "source_class": source_class,
        "as_of": as_of,
        "valid_at": valid_at,
        "decay": decay,
        "include_retracted": include_retracted,
        "min_position": min_position,
    }


def _as_of_ms(value):
    """as_of is knowledge time in unix milliseconds; a datetime is converted."""
    if value is None or isinstance(value, int):
        return value
    if hasattr(value, "timestamp"):
        return int(value.timestamp() * 1000)
    raise ProtocolError("as_of: unix milliseconds (int) or a datetime")


def _unix_s(value, name):
    if value is None or isinstance(value, int):
        return value
    if hasattr(value, "timestamp"):
        return int(value.timestamp())
    raise ProtocolError(f"{name}: unix seconds (int) or a datetime")


class Client:
    """A connection to one stemedb-api.

    base_url        the daemon, e.g. http://127.0.0.1:18180 (https:// works too)
    api_key         sent as X-API-Key: admin routes need an admin key, every route under
                    auth.mode = all
    timeout         seconds to wait for each answer
    retries         times a 429 or 503 is retried after its Retry-After (0: never)
    max_retry_wait  a Retry-After longer than this is not waited for: the error is raised
    follow_primary  send a write a standby refused with not_primary to the primary it names, once
    on_redirect     called with (from_url, primary_url) when that happens
    sleep           the function that waits (time.sleep; tests may count instead)

    Methods raise ApiError subclasses for refusals (``e.code``, ``e.field``, ``e.request_id``)
    and TransportError when the server cannot be reached. A Client may be used from several
    threads: each keeps its own connection.
    """

    def __init__(self, base_url="http://127.0.0.1:18180", api_key=None, timeout=30.0, retries=3,
                 max_retry_wait=30.0, follow_primary=True, on_redirect=None, on_retry=None,
                 ssl_context=None, sleep=time.sleep):
        self._t = Transport(base_url, api_key=api_key, timeout=timeout, retries=retries,
                            max_retry_wait=max_retry_wait, follow_primary=follow_primary,
                            ssl_context=ssl_context, sleep=sleep, on_redirect=on_redirect,
                            on_retry=on_retry)
        self.admin = Admin(self._t)

    @property
    def base_url(self):
        return self._t.server.url

    @property
    def transport(self):
        return self._t

    def close(self):
        self._t.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"Client({self.base_url!r})"

    # ---- writes

    def post(self, record):
        """Posts a signed record (Assertion.sign(...), Vote.sign(...), Epoch.sign(...)) or a
        Source; returns its WriteResult. ``http_status`` is 201 when created, 200 otherwise."""
        if isinstance(record, Source):
            kind, body = "source", record.to_json()
        elif isinstance(record, SignedRecord):
            kind, body = record.kind, record.body
        else:
            raise ProtocolError("post takes a SignedRecord (a signed Assertion, Vote or Epoch) or a Source")
        reply = self._t.request("POST", _WRITE_PATHS[kind], body=body)
        return WriteResult.from_json(reply.json(), reply.status)

    def assert_(self, agents, subject, predicate, value, confidence, *, timestamp=None,
                source_hash=None, source_class=None, lifecycle=None, epoch=None, parent_hash=None,
                narrative=None, valid_from=None, valid_until=None):
        """Signs and posts an assertion (``assert`` is a Python keyword, hence the underscore).

        agents: one Agent, or a list of 1..16 (the first is the author). value: str (text),
        int/float (number), bool (boolean), Reference (reference) or Object. timestamp: unix
        seconds or a datetime, now by default. Status ``cosigned`` when the same claim (same
        content, timestamp included) was stored already and new agents signed it."""
        claim = Assertion(subject, predicate, value, confidence,
                          timestamp=_unix_s(timestamp, "timestamp"), source_hash=source_hash,
                          source_class=source_class, lifecycle=lifecycle, epoch=epoch,
                          parent_hash=parent_hash, narrative=narrative,
                          valid_from=_unix_s(valid_from, "valid_from"),
                          valid_until=_unix_s(valid_until, "valid_until"))
        return self.post(claim.sign(*_agents(agents)))

    def cosign(self, assertion_id, agents):
        """Adds agents' signatures to a stored assertion (read back, signed, posted again)."""
        stored = self.get(assertion_id)
        claim = Assertion.from_json(stored.raw)
        return self.post(claim.sign(*_agents(agents)))

    def vote(self, agent, assertion_id, weight, *, timestamp=None):
        """Signs and posts agent's vote on an assertion: weight -1..1 (negative disputes)."""
        vote = Vote(normalize_id(assertion_id, "assertion_hash"), weight,
                    timestamp=_unix_s(timestamp, "timestamp"))
        return self.post(vote.sign(agent))

    def epoch(self, agents, name, *, started_at=None, description=None, supersedes=None,
              supersession_type=None):
        """Signs and posts an epoch. With ``supersedes`` and no type, the type is ``replaces``
        (as the CLI does)."""
        if supersedes is not None and supersession_type is None:
            supersession_type = "replaces"
        record = Epoch(name, started_at=_unix_s(started_at, "started_at"), description=description,
                       supersedes=supersedes, supersession_type=supersession_type)
        return self.post(record.sign(*_agents(agents)))

    def source(self, uri, *, title=None, source_class=None, content=None):
        """Registers a source of evidence (not signed). With content, its id is the content's
        SHA-256, so whoever holds the same document computes the same id."""
        return self.post(Source(uri, title=title, source_class=source_class, content=content))

    def batch(self, records):
        """Posts assertions in groups of up to 1000 (one group commit each). `records`: signed
        assertions (SignedRecord or their dict bodies). Every item gets a result, in order; a
        refused item does not stop the others (BatchResult.errors lists them)."""
        bodies = []
        for r in records:
            if isinstance(r, SignedRecord):
                if r.kind != "assertion":
                    raise ProtocolError(f"a batch holds assertions, not a {r.kind}")
                bodies.append(r.body)
            elif isinstance(r, dict):
                bodies.append(r)
            else:
                raise ProtocolError("batch items are signed assertions (Assertion(...).sign(agent))")
        if not bodies:
            raise ProtocolError("a batch holds at least one assertion")
        items = []
        for start in range(0, len(bodies), MAX_BATCH):
            chunk = bodies[start:start + MAX_BATCH]
            reply = self._t.request("POST", "/v1/assert/batch", body={"assertions": chunk})
            items += [BatchItem.from_json(r, start) for r in reply.json().get("results", [])]
        return BatchResult(items)

    def retract(self, source_id, reason):
        """Retracts a source (admin key): the assertions citing it are flagged and left out of
        the lenses unless ``include_retracted``. Status ``retracted`` (``exists`` the second time)."""
        path = f"/v1/sources/{normalize_id(source_id, 'source_hash')}/retract"
        reply = self._t.request("POST", path, body={"reason": reason})
        return WriteResult.from_json(reply.json(), reply.status)

    # ---- records

    def get(self, assertion_id, *, min_position=None):
        """An assertion with its seq, ingested_at, signers, vote summary and flags.
        min_position: on a standby, wait until it has applied the log that far (a write's
        ``position``) so the read sees that write."""
        path = f"/v1/assertions/{normalize_id(assertion_id)}"
        reply = self._t.request("GET", path, params={"min_position": min_position})
        return StoredAssertion.from_json(reply.json())

    def trace(self, assertion_id, depth=None, *, min_position=None):
        """The assertion's lineage: parents up to `depth` (0..64, default 16), children, source,
        signers with trust, votes, epoch with its supersedes chain."""
        path = f"/v1/trace/{normalize_id(assertion_id)}"
        reply = self._t.request("GET", path, params={"depth": depth, "min_position": min_position})
        return Trace.from_json(reply.json())

    def get_epoch(self, epoch_id, *, limit=None, cursor=None, min_position=None):
        """An epoch with its status and a page of the epochs superseding it."""
        path = f"/v1/epochs/{normalize_id(epoch_id)}"
        reply = self._t.request("GET", path, params={"limit": limit, "cursor": cursor,
                                                      "min_position": min_position})
        return StoredEpoch.from_json(reply.json())

    def superseded_by(self, epoch_id, page_size=None):
        """Iterates over the ids of every epoch superseding `epoch_id`, page by page."""
        cursor = None
        while True:
            epoch = self.get_epoch(epoch_id, limit=page_size, cursor=cursor)
            yield from epoch.superseded_by
            cursor = epoch.superseded_by_next_cursor
            if not cursor:
                return

    def epochs_page(self, limit=None, cursor=None, *, min_position=None):
        reply = self._t.request("GET", "/v1/epochs", params={"limit": limit, "cursor": cursor,
                                                             "min_position": min_position})
        d = reply.json()
        return Page([StoredEpoch.from_json(e) for e in d.get("epochs", [])], d.get("next_cursor"))

    def epochs(self, page_size=None):
        """Iterates over every epoch (in id order), page by page."""
        return self._pages(self.epochs_page, page_size)

    def get_source(self, source_id, *, min_position=None):
        """A source with its content."""
        path = f"/v1/sources/{normalize_id(source_id)}"
        reply = self._t.request("GET", path, params={"min_position": min_position})
        return StoredSource.from_json(reply.json())

    def sources_page(self, limit=None, cursor=None, *, min_position=None):
        reply = self._t.request("GET", "/v1/sources", params={"limit": limit, "cursor": cursor,
                                                              "min_position": min_position})
        d = reply.json()
        return Page([StoredSource.from_json(s) for s in d.get("sources", [])], d.get("next_cursor"))

    def sources(self, page_size=None):
        """Iterates over every source (in id order, without content), page by page."""
        return self._pages(self.sources_page, page_size)

    def agent(self, agent_id, *, min_position=None):
        """An agent's trust (and whether an admin overrode it) and counts."""
        path = f"/v1/agents/{normalize_id(agent_id, 'agent_id')}"
        reply = self._t.request("GET", path, params={"min_position": min_position})
        return AgentInfo.from_json(reply.json())

    def subjects_page(self, prefix=None, limit=None, cursor=None, *, min_position=None):
        """One page of the subjects the store holds, in byte order (GET /v1/subjects)."""
        reply = self._t.request("GET", "/v1/subjects", params={"prefix": prefix, "limit": limit, "cursor": cursor,
                                                               "min_position": min_position})
        d = reply.json()
        return Page(list(d.get("subjects", [])), d.get("next_cursor"))

    def subjects(self, prefix=None, page_size=None):
        """Iterates over every subject starting with `prefix`, in byte order, page by page."""
        return self._pages(lambda limit, cursor: self.subjects_page(prefix, limit, cursor), page_size)

    def predicates_page(self, subject, limit=None, cursor=None, *, min_position=None):
        """One page of a subject's predicates with their claim counts
        (GET /v1/subjects/{subject}/predicates); raises NotFound for a subject with no claim."""
        path = "/v1/subjects/" + urllib.parse.quote(subject, safe="") + "/predicates"
        reply = self._t.request("GET", path, params={"limit": limit, "cursor": cursor, "min_position": min_position})
        d = reply.json()
        return Page([PredicateCount.from_json(p) for p in d.get("predicates", [])], d.get("next_cursor"))

    def predicates(self, subject, page_size=None):
        """Iterates over a subject's predicates (PredicateCount), page by page."""
        return self._pages(lambda limit, cursor: self.predicates_page(subject, limit, cursor), page_size)

    @staticmethod
    def _pages(fetch, page_size):
        cursor = None
        while True:
            page = fetch(page_size, cursor)
            yield from page.items
            cursor = page.next_cursor
            if not cursor:
                return

    # ---- lenses

    def query(self, subject, predicate=None, *, lens=None, inner=None, lifecycle=None, epoch=None,
              source_class=None, as_of=None, valid_at=None, decay=None, include_retracted=None,
              limit=None, cursor=None, min_position=None):
        """Resolves the competing claims about (subject, predicate) through a lens.

        lens: recency (default), confidence, consensus, vote, authority, epoch (with `inner`).
        Filters: lifecycle (any, proposed, under_review, approved, deprecated, rejected; default
        all but rejected), epoch (an id), source_class, as_of (knowledge time: unix ms or a
        datetime), valid_at (unix s or a datetime), decay (default True), include_retracted.
        limit/cursor page the ranking (``next_cursor``; candidates() iterates over all).

        Without a predicate: one resolution per predicate of the subject, a page of `limit`
        predicates (SubjectQueryResult; resolutions() iterates over all)."""
        params = {"subject": subject, "predicate": predicate, "lens": lens, "inner": inner,
                  "limit": limit, "cursor": cursor}
        params.update(_filters(lifecycle, epoch, source_class, _as_of_ms(as_of),
                               _unix_s(valid_at, "valid_at"), decay, include_retracted, min_position))
        reply = self._t.request("GET", "/v1/query", params=params)
        d = reply.json()
        if predicate:
            return QueryResult.from_json(d)
        return SubjectQueryResult.from_json(d)

    def candidates(self, subject, predicate, *, page_size=None, **options):
        """Iterates over the whole ranking of a lens, page by page (the pages rank what the
        first one saw: writes in between neither repeat nor skip a candidate). Takes query()'s
        options."""
        cursor = None
        while True:
            result = self.query(subject, predicate, limit=page_size, cursor=cursor, **options)
            yield from result.candidates
            cursor = result.next_cursor
            if not cursor:
                return

    def resolutions(self, subject, *, page_size=None, **options):
        """Iterates over one QueryResult per predicate of the subject, page by page."""
        cursor = None
        while True:
            result = self.query(subject, None, limit=page_size, cursor=cursor, **options)
            yield from result.resolutions
            cursor = result.next_cursor
            if not cursor:
                return

    def skeptic(self, subject, predicate, *, lifecycle=None, epoch=None, source_class=None,
                as_of=None, valid_at=None, decay=None, include_retracted=None, min_position=None):
        """Every distinct claim with its support and share, and whether the pair is unanimous,
        agreed or contested. Takes query()'s filters."""
        params = {"subject": subject, "predicate": predicate}
        params.update(_filters(lifecycle, epoch, source_class, _as_of_ms(as_of),
                               _unix_s(valid_at, "valid_at"), decay, include_retracted, min_position))
        return SkepticView.from_json(self._t.request("GET", "/v1/skeptic", params=params).json())

    def layered(self, subject, predicate, *, lifecycle=None, epoch=None, source_class=None,
                as_of=None, valid_at=None, decay=None, include_retracted=None, min_position=None):
        """The authority lens on each tier alone, and whether the tiers' winners disagree."""
        params = {"subject": subject, "predicate": predicate}
        params.update(_filters(lifecycle, epoch, source_class, _as_of_ms(as_of),
                               _unix_s(valid_at, "valid_at"), decay, include_retracted, min_position))
        return LayeredView.from_json(self._t.request("GET", "/v1/layered", params=params).json())

    # ---- the feed

    def feed_page(self, after=0, *, limit=None, subject_prefix=None, predicate=None, min_position=None):
        """One page of assertions in log order after seq `after`; ``next_after`` goes on."""
        params = {"after": after, "limit": limit, "subject_prefix": subject_prefix, "predicate": predicate,
                  "min_position": min_position}
        d = self._t.request("GET", "/v1/feed", params=params).json()
        return FeedPage([StoredAssertion.from_json(a) for a in d.get("assertions", [])],
                        d.get("next_after", after))

    def feed(self, after=0, *, subject_prefix=None, predicate=None, page_size=None):
        """Iterates over every assertion after seq `after` in log order, page by page, until
        the end of the log as it is now (follow() waits for new ones)."""
        while True:
            page = self.feed_page(after, limit=page_size, subject_prefix=subject_prefix, predicate=predicate)
            yield from page.assertions
            if not page.assertions and page.next_after <= after:
                return
            after = page.next_after

    def follow(self, after=0, *, subject_prefix=None, last_event_id=None, idle_timeout=45.0,
               max_reconnects=10):
        """The live feed (Server-Sent Events): a FeedStream yielding each new assertion as it
        becomes durable, reconnecting with Last-Event-ID when the stream ends. Starts after seq
        `after` (or `last_event_id`, a seq an earlier stream yielded)."""
        return FeedStream(self._t, after=after, subject_prefix=subject_prefix,
                          last_event_id=last_event_id, idle_timeout=idle_timeout,
                          max_reconnects=max_reconnects, sleep=self._t.sleep)

    # ---- operations (no key needed)

    def health(self):
        """GET /v1/health: liveness, version, uptime, WAL and storage figures."""
        return Health.from_json(self._t.request("GET", "/v1/health", retry=False).json())

    def ready(self):
        """True when the node accepts writes (GET /v1/ready answers 200)."""
        return self._t.request("GET", "/v1/ready", expect=(503,), retry=False).status == 200

    def role(self):
        """GET /v1/role: this node's replication role (primary or standby), term and offsets."""
        reply = self._t.request("GET", "/v1/role", expect=(503,), retry=False)
        return RoleInfo.from_json(reply.json())

    def replica(self):
        """GET /v1/replica: (healthy, status): healthy is True on a standby streaming within
        the lag limit."""
        reply = self._t.request("GET", "/v1/replica", expect=(503,), retry=False)
        return reply.status == 200, reply.json()

    def metrics(self):
        """The Prometheus text exposition."""
        return self._t.request("GET", "/metrics", retry=False).text

    def openapi(self):
        """The server's OpenAPI document."""
        return self._t.request("GET", "/api-doc/openapi.json", retry=False).json()


class Admin:
    """The admin routes (an admin API key): ``client.admin.drain()`` and the others."""

    def __init__(self, transport):
        self._t = transport

    def export(self, after=None):
        """Every record agents posted, in log order (GET /v1/export): yields each as the dict a
        client posts (signatures included), up to the log's end when the export began. Raises
        TransportError when the server cut the export short."""
        conn, reply = self._t.open_stream("/v1/export", params={"after": after},
                                          headers={"Accept": "application/x-ndjson"})
        try:
            for line in reply:
                if not line.strip():
                    continue
                record = json.loads(line)
                if isinstance(record, dict) and "error" in record and len(record) == 1:
                    raise TransportError("the server cut the export short: " + json.dumps(record["error"]))
                yield record
        finally:
            conn.close()

    def drain(self):
        """Stops taking writes (they get 503 draining), waits for in-flight ones, flushes.
        Idempotent."""
        return DrainResult.from_json(self._t.request("POST", "/v1/admin/node/drain", body={}).json())

    def undrain(self):
        """Takes writes again."""
        return DrainResult.from_json(self._t.request("POST", "/v1/admin/node/undrain", body={}).json())

    def node(self):
        """State, uptime, WAL and storage figures, replication role and offsets."""
        return NodeInfo.from_json(self._t.request("GET", "/v1/admin/node").json())

    def rotate_wal(self):
        """Seals the current WAL segment; returns {"sealed", "active"}."""
        return self._t.request("POST", "/v1/admin/wal/rotate", body={}).json()

    def checkpoint(self, directory):
        """A RocksDB checkpoint plus the WAL range needed on top, into `directory` (an
        absolute path that does not exist yet)."""
        return self._t.request("POST", "/v1/admin/checkpoint", body={"dir": str(directory)}).json()

    def storage_stats(self):
        """Sizes, cache figures, memory tier bytes, record counts, WAL offsets."""
        return self._t.request("GET", "/v1/admin/storage/stats").json()

    def create_key(self, role, name=None):
        """A new API key (role read, write, admin or replication); its secret, ``key``, is in
        this answer only."""
        body = {"role": role}
        if name is not None:
            body["name"] = name
        reply = self._t.request("POST", "/v1/admin/keys", body=body, idempotent=False)
        return ApiKey.from_json(reply.json())

    def keys(self):
        """Every API key (no secrets)."""
        return [ApiKey.from_json(k) for k in self._t.request("GET", "/v1/admin/keys").json().get("keys", [])]

    def revoke_key(self, key_id):
        """Revokes an API key; returns {"key_id", "status": "revoked"}."""
        return self._t.request("DELETE", f"/v1/admin/keys/{key_id}").json()

    def set_trust(self, agent_id, score):
        """Overrides an agent's trust (0..1), which the authority lens and views weigh by."""
        path = f"/v1/admin/agents/{normalize_id(agent_id, 'agent_id')}/trust"
        return TrustResult.from_json(self._t.request("PUT", path, body={"score": score}).json())

    def clear_trust(self, agent_id):
        """Removes the override: the agent's trust is computed again."""
        path = f"/v1/admin/agents/{normalize_id(agent_id, 'agent_id')}/trust"
        return TrustResult.from_json(self._t.request("DELETE", path).json())

    def replication(self):
        """Role, term, offsets; the primary's standbys or the standby's primary and lag."""
        return self._t.request("GET", "/v1/admin/replication").json()

    def digest(self, offset=None, from_offset=None):
        """SHA-256 of the WAL's record bytes between two offsets: {"from", "offset", "records",
        "sha256"}; two nodes with the same digest hold the same records."""
        params = {"offset": offset, "from": from_offset}
        return self._t.request("GET", "/v1/admin/replication/digest", params=params).json()

    def switchover(self, to):
        """Hands the primary role to the node named `to` (cluster mode)."""
        return self._t.request("POST", "/v1/admin/cluster/switchover", body={"to": to},
                               idempotent=False).json()

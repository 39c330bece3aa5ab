"""The test fixtures' view of the stemedb Python package (clients/python/stemedb).

The encoding, ids and signing that used to live here, written from docs/protocol.md alone, moved
into the package (whose clients/python/tests/test_protocol.py checks every vector); this module
keeps the small function-style API that test_live.py, tests/integration/replication_test.cpp
and tests/deploy/grafana_dashboards_test.py use, on top of it:

    signer = Signer(bytes.fromhex("9d61b1...7f60"))
    body = sign_record("assertion", {"subject": "drugs/semaglutide", ...}, [signer])
    reply = post_assertion("http://127.0.0.1:18180", body)
    assert reply.status == 201 and reply["id"] == content_id_hex("assertion", body)

It imports the package from the source tree, so no installation is needed.
"""

import os
import sys

_PACKAGE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "clients", "python")
sys.path.insert(0, os.path.normpath(_PACKAGE_DIR))

import stemedb  # noqa: E402
from stemedb.protocol import (  # noqa: E402,F401
    DOMAIN_TAGS,
    OBJECT_TYPES,
    SIGNING_TAG,
    TIME_MAX,
    canonical_encoding,
    content_id,
    content_id_hex,
    signing_message,
)
from stemedb.transport import Transport  # noqa: E402

ProtocolError = stemedb.ProtocolError
StemeDBError = stemedb.ApiError  # a non-2xx reply: .status, .code, .message, .field, .body
Signer = stemedb.Agent  # Signer(seed): .agent_id, .public_key, .sign_id(record_id)


def verify(agent_id_hex, record_id, signature_hex):
    """True when the signature is agent_id's signature of the record id."""
    return stemedb.verify_signature(agent_id_hex, record_id, signature_hex)


def sign_record(kind, body, signers):
    """A copy of `body` (a dict) with its signatures."""
    return stemedb.sign_record(kind, body, list(signers)).body


class Reply(dict):
    """A 2xx reply's JSON body, with the HTTP status as `.status` (201 created, 200 exists...)."""

    def __init__(self, status, body):
        super().__init__(body)
        self.status = status


def _request(method, base_url, path, body=None, api_key=None, timeout_s=10.0):
    # No retries: the fixtures look at the first answer. A not_primary is followed once.
    transport = Transport(base_url, api_key=api_key, timeout=timeout_s, retries=0)
    try:
        reply = transport.request(method, path, body=body)
        return Reply(reply.status, reply.json())
    finally:
        transport.close()


def post_assertion(base_url, body, api_key=None, timeout_s=10.0):
    """POST /v1/assert; returns {"id", "status", "seq", "ingested_at", "position"}."""
    return _request("POST", base_url, "/v1/assert", body, api_key, timeout_s)


def post_assertion_batch(base_url, bodies, api_key=None, timeout_s=30.0):
    """POST /v1/assert/batch; returns {"results": [...]} with one entry per item."""
    return _request("POST", base_url, "/v1/assert/batch", {"assertions": list(bodies)}, api_key, timeout_s)


def post_vote(base_url, body, api_key=None, timeout_s=10.0):
    """POST /v1/vote."""
    return _request("POST", base_url, "/v1/vote", body, api_key, timeout_s)


def post_epoch(base_url, body, api_key=None, timeout_s=10.0):
    """POST /v1/epoch."""
    return _request("POST", base_url, "/v1/epoch", body, api_key, timeout_s)


def post_source(base_url, body, api_key=None, timeout_s=10.0):
    """POST /v1/sources."""
    return _request("POST", base_url, "/v1/sources", body, api_key, timeout_s)


def retract_source(base_url, source_hash_hex, reason, api_key=None, timeout_s=10.0):
    """POST /v1/sources/{hash}/retract (admin role)."""
    return _request("POST", base_url, f"/v1/sources/{source_hash_hex}/retract", {"reason": reason},
                    api_key, timeout_s)


def get_assertion(base_url, id_hex, api_key=None, timeout_s=10.0):
    """GET /v1/assertions/{id}."""
    return _request("GET", base_url, f"/v1/assertions/{id_hex}", None, api_key, timeout_s)

#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/ that come from the protocol's own examples.

  tests/fuzz/make_seeds.py                     the protocol vectors (docs/protocol_vectors.json)
  tests/fuzz/make_seeds.py --rejections DIR    plus the rejection tables' requests, as dumped by
                                               the integration suites with
                                               STEMEDB_FUZZ_SEED_DIR=DIR (scripts/fuzz.sh seeds)

Seeds are named `seed-<what>`; findings and campaign inputs kept by -merge=1 have libFuzzer's
sha1 names, so a re-run replaces only what this script wrote. Deterministic: the same inputs
give the same files.
"""
import argparse
import json
import pathlib
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
KIND_BYTE = {"assertion": 1, "vote": 2, "epoch": 3, "source": 4, "source_retraction": 5}


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed-" + name)).write_bytes(data)


def clear_seeds(target):
    d = CORPUS / target
    if d.is_dir():
        for p in d.glob("seed-*"):
            p.unlink()


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def record_json_seeds(vs):
    for v in vs:
        write("record_json", "vector-" + v["name"], compact(v["json"]))
    assertions = [v["json"] for v in vs if v["kind"] == "assertion"]
    write("record_json", "batch-vectors", compact({"assertions": assertions}))
    write("record_json", "retraction", compact({"reason": "withdrawn by the publisher"}))


def stored_record_seeds(vs):
    for v in vs:
        write("stored_record", "vector-" + v["name"],
              bytes([KIND_BYTE[v["kind"]]]) + bytes.fromhex(v["stored_hex"]))


def wal_program(vs, mode, tail=b""):
    """A framed program of wal_segment_fuzz.cpp: one good journal record per vector."""
    out = bytearray([mode, 0])  # mode, first seq - 1
    for v in vs:
        body = bytes.fromhex(v["stored_hex"])[:255]
        out += bytes([0, KIND_BYTE[v["kind"]], len(body)]) + body
    return bytes(out) + tail


def wal_segment_seeds(vs):
    write("wal_segment", "vectors", wal_program(vs, 1))
    write("wal_segment", "second-segment", wal_program(vs[:3], 3))
    write("wal_segment", "misnamed", wal_program(vs[:1], 9))
    # op 2: raw bytes after the records (a torn write); op 3: a flipped byte in the middle
    # (damage with valid records behind it); op 1: a record whose seq does not follow.
    write("wal_segment", "torn-tail", wal_program(vs, 1, bytes([2, 5, 1, 2, 3, 4, 5])))
    write("wal_segment", "flip-middle", wal_program(vs, 1, bytes([3, 0x02, 0x00, 0x40])))
    write("wal_segment", "seq-gap", wal_program(vs[:2], 1, bytes([1, 1, 16]) + bytes(range(16))))
    write("wal_segment", "header-only", bytes([0]))
    write("wal_segment", "zeroes", bytes([4]) + bytes(64))


def query_target_seeds(vs):
    q = urllib.parse.quote
    for v in vs:
        if v["kind"] != "assertion":
            continue
        j = v["json"]
        write("query_target", "query-" + v["name"],
              "subject=%s&predicate=%s&lens=recency&limit=10" % (q(j["subject"], safe=""), q(j["predicate"], safe="")))
    write("query_target", "skeptic", "subject=drugs%2Fsemaglutide&predicate=gastroparesis_risk&as_of=1700000000")
    write("query_target", "feed", "after=0&limit=100&subject_prefix=drugs%2F&follow=false")
    write("query_target", "ranking-cursor", "o10.42.1700000000")
    write("query_target", "predicate-cursor", "p" + "gastroparesis_risk".encode().hex())
    write("query_target", "cursor-param", "subject=a+b&cursor=o0.1.2&lens=vote&inner=authority")
    write("query_target", "escapes", "subject=%E2%9C%93%00%ff&predicate=%41%2b")


def config_seeds():
    toml = (ROOT / "deploy" / "config" / "api.toml").read_text()
    env = [line for line in (ROOT / ".env.example").read_text().splitlines()
           if line and not line.startswith("#")]
    write("config", "deploy-api-toml", toml)
    write("config", "env-example", "\n%%env\n" + "\n".join(env))
    write("config", "toml-and-env", "[server]\nbind = \"127.0.0.1:0\"\n[auth]\nmode = \"off\"\n"
          "\n%%env\nSTEMEDB_DATA_DIR=/tmp/x\nSTEMEDB_UNSAFE_SKIP_SIGNATURES=true\nSTEMEDB_TYPO=1")


def key_file_text(seed):
    """The file `stemedb keygen` writes (src/tools/cli/key_file.cpp, KeyFileText)."""
    return compact({"format": "stemedb-ed25519-seed-v1", "agent_id": seed["public_key"],
                    "seed": seed["seed"]}) + "\n"


def key_files_seeds(seeds):
    root = "sdb_0123456789abcdef_" + "ab" * 32
    for s in seeds:
        write("key_files", "agent-" + s["name"],
              key_file_text(s) + "%%next" + root + "\n%%next" + root)
    write("key_files", "issued-key", key_file_text(seeds[0]) + "%%next" + "x" * 40 + "%%next" +
          "sdb_00112233445566aa_" + "a" * 64)
    write("key_files", "loose-mode", "\x01" + key_file_text(seeds[0]))


def sse_seeds(vs):
    events = "".join("id: %d\nevent: assertion\ndata: %s\n\n" % (i + 1, compact(v["json"]))
                     for i, v in enumerate(vs) if v["kind"] == "assertion")
    write("sse", "feed", "\x03\x05\x11\x02" + events)
    write("sse", "keep-alive", "\x01\x07: keep-alive\n\n: keep-alive\r\n\r\n")
    write("sse", "crlf-multiline", "\x02\x01\x02id: 7\r\ndata: a\r\ndata: b\r\nretry: 5\r\n\r\n")


def http_request(method, target, body=b"", headers=()):
    """The bytes HttpConnection::FormatRequest sends."""
    if isinstance(body, str):
        body = body.encode()
    req = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n" % (method, target)
    for name, value in headers:
        req += "%s: %s\r\n" % (name, value)
    if body and not any(n.lower() == "content-type" for n, _ in headers):
        req += "Content-Type: application/json\r\n"
    if body or method in ("POST", "PUT"):
        req += "Content-Length: %d\r\n" % len(body)
    return req.encode() + b"\r\n" + body


ROOT_KEY = "fuzz-root-key-0123456789abcdef0123456789"  # http_request_fuzz.cpp's kRootKey
ROUTE_OF = {"assertion": "/v1/assert", "vote": "/v1/vote", "epoch": "/v1/epoch", "source": "/v1/sources"}


def http_request_seeds(vs):
    for v in vs:
        write("http_request", "post-" + v["name"], http_request("POST", ROUTE_OF[v["kind"]], compact(v["json"])))
        path = {"assertion": "/v1/assertions/", "epoch": "/v1/epochs/", "source": "/v1/sources/",
                "vote": "/v1/trace/"}[v["kind"]]
        write("http_request", "get-" + v["name"], http_request("GET", path + v["id"]))
    assertions = [v["json"] for v in vs if v["kind"] == "assertion"]
    write("http_request", "post-batch", http_request("POST", "/v1/assert/batch", compact({"assertions": assertions})))
    a = vs[0]["json"]
    q = "subject=%s&predicate=%s" % (urllib.parse.quote(a["subject"], safe=""), a["predicate"])
    for route in ("/v1/query", "/v1/skeptic", "/v1/layered"):
        write("http_request", "get" + route.replace("/", "-"), http_request("GET", route + "?" + q))
    write("http_request", "query-paged", http_request("GET", "/v1/query?" + q + "&lens=vote&limit=1&cursor=o1.9.1700000000"))
    write("http_request", "query-predicates", http_request("GET", "/v1/query?subject=drugs%2Fsemaglutide&limit=1"))
    write("http_request", "feed", http_request("GET", "/v1/feed?after=0&limit=5"))
    write("http_request", "feed-follow", http_request("GET", "/v1/feed?follow=true", headers=[("Accept", "text/event-stream")]))
    for route in ("/v1/health", "/readyz", "/livez", "/metrics", "/v1/epochs", "/v1/sources?limit=2",
                  "/api-doc/openapi.json", "/v1/agents/" + vs[0]["signers"][0]["public_key"]):
        write("http_request", "get" + route.split("?")[0].replace("/", "-"), http_request("GET", route))
    admin = [("X-API-Key", ROOT_KEY)]
    write("http_request", "admin-keys", http_request("GET", "/v1/admin/keys", headers=admin))
    write("http_request", "admin-stats", http_request("GET", "/v1/admin/storage/stats", headers=admin))
    write("http_request", "admin-create-key", http_request("POST", "/v1/admin/keys", compact({"role": "read"}), admin))
    write("http_request", "admin-drain", http_request("POST", "/v1/admin/node/drain", "", admin))
    write("http_request", "admin-trust", http_request(
        "PUT", "/v1/admin/agents/%s/trust" % vs[0]["signers"][0]["public_key"], compact({"score": 0.9}), admin))
    source = next(v for v in vs if v["kind"] == "source")
    write("http_request", "retract", http_request(
        "POST", "/v1/sources/%s/retract" % source["id"], compact({"reason": "fuzz"}), admin))
    write("http_request", "chunked", b"POST /v1/vote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Transfer-Encoding: chunked\r\n\r\n3\r\n{}\n\r\n0\r\n\r\n")
    write("http_request", "head-feed", http_request("HEAD", "/v1/feed"))


# Larger rows (the 413s, the oversized batches) are left out: the targets' -max_len would cut
# them anyway, and the corpus stays small.
SEED_BYTES_MAX = 16384


def rejection_seeds(rows_file):
    """The rejection tables' requests: whole requests for http_request, JSON bodies for
    record_json."""
    for line in rows_file.read_text().splitlines():
        row = json.loads(line)
        name = "".join(c if c.isalnum() else "-" for c in row["name"].lower())[:60]
        request = bytes.fromhex(row["request_hex"])
        body = bytes.fromhex(row["body_hex"])
        if len(request) <= SEED_BYTES_MAX:
            write("http_request", "rejected-" + name, request)
        if not row["raw"] and body and len(body) <= SEED_BYTES_MAX:
            write("record_json", "rejected-" + name, body)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rejections", type=pathlib.Path)
    args = parser.parse_args()
    for target in ("record_json", "stored_record", "wal_segment", "query_target", "config", "key_files",
                   "sse", "http_request"):
        clear_seeds(target)
    doc = json.loads((ROOT / "docs" / "protocol_vectors.json").read_text())
    vs = doc["vectors"]
    record_json_seeds(vs)
    stored_record_seeds(vs)
    wal_segment_seeds(vs)
    query_target_seeds(vs)
    config_seeds()
    key_files_seeds(doc["seeds"])
    sse_seeds(vs)
    http_request_seeds(vs)
    if args.rejections:
        rejection_seeds(args.rejections / "rows.jsonl")


if __name__ == "__main__":
    main()

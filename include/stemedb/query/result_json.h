#pragma once
// JSON renderings of the engine's results, in the shapes of http-api.md (GET /v1/query,
// /v1/skeptic, /v1/layered).
//
// Hot path: WriteJsonMembers writes straight into the caller's buffer through ops::JsonWriter,
// so the HTTP layer opens its own object, writes what only it knows (subject, predicate,
// next_cursor), adds the engine's members and closes it; it pages `candidates` by trimming
// LensResult::ranked first (candidates_count keeps the full count). ToJson returns the same text
// parsed into an nlohmann::json, for tests and cold paths.
//
// Byte-for-byte determinism: the same result writes the same bytes (see ops/json_writer.h).

#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "stemedb/ops/json_writer.h"
#include "stemedb/query/candidate.h"
#include "stemedb/query/layered.h"
#include "stemedb/query/lens.h"
#include "stemedb/query/object_key.h"
#include "stemedb/query/skeptic.h"
#include "stemedb/query/warning.h"

namespace stemedb::query {

// {"type":"text","value":"rare"}; numbers as JSON numbers, booleans as JSON booleans.
void WriteJson(ops::JsonWriter& writer, const ObjectKey& object);

// [{"code", "message", and the ids concerned}], plus {"code":"warnings_truncated","omitted"}.
void WriteJson(ops::JsonWriter& writer, const Warnings& warnings);

// "lens", "inner" (epoch lens only), "winner", "resolution_confidence", "conflict_score",
// "candidates_count", "candidates", "warnings". "winner" is null when nothing survived, else a
// candidate object like those of "candidates": id, object, source_class, lifecycle, confidence,
// effective_confidence, timestamp, seq, ingested_at, author, signers_count, net_votes, epoch and
// source_hash when set, source_retracted when true, and weight and counted for the lenses with
// per-assertion weights (confidence, vote, authority).
void WriteJsonMembers(ops::JsonWriter& writer, const LensResult& result,
                      std::span<const Candidate> candidates);

// "status", "conflict_score", "claims":[{"object","support","share","assertions","tiers"}],
// "candidates_count", "warnings".
void WriteJsonMembers(ops::JsonWriter& writer, const SkepticView& view,
                      std::span<const Candidate> candidates);

// "tiers":[{"tier","winner","resolution_confidence","conflict_score","candidates_count"}],
// "cross_tier_conflict", "winner", "candidates_count", "warnings".
void WriteJsonMembers(ops::JsonWriter& writer, const LayeredView& view,
                      std::span<const Candidate> candidates);

// The members above wrapped in one object.
template <typename View>
std::string ToJsonText(const View& view, std::span<const Candidate> candidates) {
  std::string out;
  ops::JsonWriter writer(out);
  writer.BeginObject();
  WriteJsonMembers(writer, view, candidates);
  writer.EndObject();
  return out;
}

template <typename View>
nlohmann::json ToJson(const View& view, std::span<const Candidate> candidates) {
  return nlohmann::json::parse(ToJsonText(view, candidates));
}

nlohmann::json ToJson(const ObjectKey& object);
nlohmann::json ToJson(const Warnings& warnings);

}  // namespace stemedb::query

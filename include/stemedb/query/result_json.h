#pragma once
// JSON renderings of the engine's results, in the shapes of http-api.md (GET /v1/query,
// /v1/skeptic, /v1/layered). The HTTP layer adds what only it knows (subject, predicate,
// next_cursor) and pages `candidates` by trimming LensResult::ranked before rendering.
//
// Byte-for-byte determinism: the same result gives the same dump(); numbers are the doubles as
// computed (nlohmann's shortest round-trip form), ids lowercase hex, keys sorted.

#include <nlohmann/json.hpp>
#include <span>

#include "stemedb/query/candidate.h"
#include "stemedb/query/layered.h"
#include "stemedb/query/lens.h"
#include "stemedb/query/object_key.h"
#include "stemedb/query/skeptic.h"
#include "stemedb/query/warning.h"

namespace stemedb::query {

// {"type":"text","value":"rare"}; numbers as JSON numbers, booleans as JSON booleans.
nlohmann::json ToJson(const ObjectKey& object);

// A ranked candidate: the assertion's id, object, tier, lifecycle, confidence, effective
// confidence, timestamp, seq, ingested_at, author, signers_count, net_votes, epoch and
// source_hash when set, source_retracted when true; "weight" and "counted" when `ranking_lens`
// has per-assertion weights.
nlohmann::json ToJson(const RankedCandidate& ranked, std::span<const Candidate> candidates,
                      LensKind ranking_lens);

// [{"code", "message", and the ids concerned}], plus {"code":"warnings_truncated","omitted"}.
nlohmann::json ToJson(const Warnings& warnings);

// {"lens", "inner" (epoch lens only), "winner", "resolution_confidence", "conflict_score",
//  "candidates_count", "candidates", "warnings"}; "winner" is null when nothing survived.
nlohmann::json ToJson(const LensResult& result, std::span<const Candidate> candidates);

// {"status", "conflict_score", "claims":[{"object","support","share","assertions","tiers"}],
//  "candidates_count", "warnings"}
nlohmann::json ToJson(const SkepticView& view, std::span<const Candidate> candidates);

// {"tiers":[{"tier","winner","resolution_confidence","conflict_score","candidates_count"}],
//  "cross_tier_conflict", "winner", "candidates_count", "warnings"}
nlohmann::json ToJson(const LayeredView& view, std::span<const Candidate> candidates);

}  // namespace stemedb::query

#pragma once
// A candidate: one stored assertion of the (subject, predicate) being resolved, flattened by the
// caller (storage) together with the server-side facts a lens needs (seq, ingested_at, net votes,
// whether its source is retracted).
//
// The caller passes *every* assertion of the (subject, predicate), unfiltered: the engine applies
// the filters itself, and the lifecycle rule needs to see descendants that a filter may drop.
// Results refer to candidates by their index in the caller's span, so the span must outlive them.
// Ids are unique within a span (storage holds each content-addressed record once); the engine
// checks it where it looks ids up anyway (the lifecycle rule), not on every query.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/query/object_key.h"
#include "stemedb/query/types.h"

namespace stemedb::query {

// Limits the engine checks on its input (data-model.md allows 1..16 signatures). The candidate
// cap keeps indexes in 32 bits and a runaway scan from turning into a runaway resolution; storage
// is expected to cap its own scans well below it.
inline constexpr size_t kCandidatesMax = size_t{1} << 20;
inline constexpr size_t kSignersMax = 16;

struct Candidate {
  AssertionId id{};
  uint64_t seq = 0;             // position in the log, strictly increasing
  int64_t timestamp_s = 0;      // claim time (decay, recency)
  uint64_t ingested_at_ms = 0;  // knowledge time (as_of)
  ObjectKey object{};
  double confidence = 0;  // 0..1, the author's own certainty
  Tier tier = Tier::kCommunity;
  Lifecycle lifecycle = Lifecycle::kProposed;
  std::vector<AgentId> signers{};  // 1..16, distinct; the first is the author
  std::optional<EpochId> epoch{};
  std::optional<AssertionId> parent{};
  std::optional<Id32> source_hash{};
  std::optional<int64_t> valid_from_s{};  // valid time, either end open
  std::optional<int64_t> valid_until_s{};
  bool source_retracted = false;
  // Sum of the weights of the effective votes on this assertion (each voter's latest vote; votes
  // by the assertion's own signers excluded). Any finite value: the vote lens clamps.
  double net_votes = 0;

  const AgentId& author() const { return signers.front(); }
};

// OK when every candidate is within the limits above and internally consistent (confidence in
// 0..1, a well-formed object, enums in range, finite net votes, valid_from <= valid_until). The
// message names the first offending candidate by index and field.
Status ValidateCandidates(std::span<const Candidate> candidates);

}  // namespace stemedb::query

#pragma once
// The reference scenario of lenses.md (support/reference_scenario.h) as candidates: the claims'
// numbers are their ids and seqs, timestamps are offsets from kScenarioStart = kNow - 120, and
// ingested_at follows the posting order.

#include <vector>

#include "candidate_builder.h"
#include "support/reference_scenario.h"

namespace stemedb::query::testing {

namespace scenario = ::stemedb::testing::scenario;

inline constexpr int64_t kScenarioStart = kNow - scenario::kStartBeforeNowS;
inline constexpr uint64_t kAsOfStep3Ms = uint64_t{kScenarioStart + 2} * 1000;

inline uint64_t IngestedAtMs(int64_t timestamp_s) { return uint64_t(timestamp_s) * 1000 + 500; }

inline std::vector<Candidate> ReferenceScenario() {
  std::vector<Candidate> c;
  for (const scenario::Claim& claim : scenario::ReferenceClaims()) {
    const int64_t timestamp_s = kScenarioStart + claim.offset_s;
    c.push_back(Claim(claim.number)
                    .Text(claim.text)
                    .By(static_cast<uint16_t>(claim.author))
                    .Tier(static_cast<Tier>(claim.tier))
                    .Confidence(claim.confidence)
                    .At(timestamp_s)
                    .Ingested(IngestedAtMs(timestamp_s)));
  }
  return c;
}

}  // namespace stemedb::query::testing

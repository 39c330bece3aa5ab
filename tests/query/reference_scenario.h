#pragma once
// The reference scenario of lenses.md, built as candidates:
//   1. a regulatory label says "rare" (0.9, one signer);
//   2. a clinical trial says "no_signal" (0.85);
//   3. (the knowledge time kAsOfStep3Ms)
//   4. one anecdotal agent says "none" 50 times (0.8, 50 different timestamps);
//   5. five community agents each say "significant" (0.8).
// Timestamps are within two minutes of kNow; ingested_at follows the posting order.

#include <vector>

#include "candidate_builder.h"

namespace stemedb::query::testing {

inline constexpr int64_t kScenarioStart = kNow - 120;
inline constexpr uint64_t kAsOfStep3Ms = uint64_t{kScenarioStart + 2} * 1000;
inline constexpr uint16_t kRegulator = 1, kTrial = 2, kAnecdote = 3, kFirstCommunityAgent = 10;

inline uint64_t IngestedAtMs(int64_t timestamp_s) { return uint64_t(timestamp_s) * 1000 + 500; }

inline std::vector<Candidate> ReferenceScenario() {
  std::vector<Candidate> c;
  auto add = [&](CandidateBuilder b, int64_t timestamp_s) {
    c.push_back(b.At(timestamp_s).Ingested(IngestedAtMs(timestamp_s)));
  };
  add(Claim(1).Text("rare").By(kRegulator).Tier(Tier::kRegulatory).Confidence(0.9), kScenarioStart);
  add(Claim(2).Text("no_signal").By(kTrial).Tier(Tier::kClinical).Confidence(0.85),
      kScenarioStart + 1);
  for (uint16_t i = 0; i < 50; ++i) {
    add(Claim(100 + i).Text("none").By(kAnecdote).Tier(Tier::kAnecdotal).Confidence(0.8),
        kScenarioStart + 10 + i);
  }
  for (uint16_t i = 0; i < 5; ++i) {
    add(Claim(200 + i)
            .Text("significant")
            .By(kFirstCommunityAgent + i)
            .Tier(Tier::kCommunity)
            .Confidence(0.8),
        kScenarioStart + 100 + i);
  }
  return c;
}

}  // namespace stemedb::query::testing

#pragma once
// The reference scenario of lenses.md as plain data, shared by the engine's unit test (as
// candidates) and the integration test (as signed assertions over HTTP):
//   1. a regulatory label says "rare" (0.9, one signer);
//   2. a clinical trial says "no_signal" (0.85);
//   3. (the knowledge time `as_of`)
//   4. one anecdotal agent says "none" 50 times (0.8, 50 different timestamps);
//   5. five community agents each say "significant" (0.8).
// Timestamps are offsets from a start two minutes before the request time. The expected
// figures come from the formulas of lenses.md, written out here, never from the engine.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "stemedb/core/records.h"

namespace stemedb::testing::scenario {

inline constexpr int64_t kStartBeforeNowS = 120;
inline constexpr int kRegulator = 1, kTrial = 2, kAnecdote = 3, kFirstCommunityAgent = 10;
inline constexpr int kDistinctAgents = 8;
inline constexpr const char* kSubject = "drugs/semaglutide";
inline constexpr const char* kPredicate = "gastroparesis_risk";

struct Claim {
  uint16_t number;  // a stable small number (the candidate id of the unit tests)
  int step;         // 1, 2, 4 or 5: as_of at step 3 sees steps 1 and 2 only
  std::string text;
  core::SourceClass tier;
  double confidence;
  int author;        // the agent number (support/records.h Agent(n))
  int64_t offset_s;  // timestamp = start + offset_s
};

// The 57 claims in posting order.
const std::vector<Claim>& ReferenceClaims();

// ---- the formulas of lenses.md (trust 0.5 for all: no votes) ----
inline constexpr double kTrust = 0.5;
double TierMultiplier(core::SourceClass tier);
// 2^(-age / half_life(tier)), 1 for regulatory; 1 when decay is off.
double Decay(core::SourceClass tier, int64_t age_s, bool decay);
double EffectiveConfidence(const Claim& c, int64_t start_s, int64_t now_s, bool decay);
double AuthorityWeight(const Claim& c, int64_t start_s, int64_t now_s, bool decay);

// Per object value: each author's heaviest claim of the group, summed (an agent counts once).
using ClaimWeight = double (*)(const Claim&, int64_t start_s, int64_t now_s, bool decay);
std::map<std::string, double> GroupWeights(const std::vector<Claim>& claims, ClaimWeight weight, int64_t start_s,
                                           int64_t now_s, bool decay);
// Distinct signing agents per value (each claim has one signer here).
std::map<std::string, double> GroupAgents(const std::vector<Claim>& claims);
// Normalised Shannon entropy of the shares: -sum p ln p / ln k (0 when k <= 1).
double Entropy(const std::map<std::string, double>& weights);
double Total(const std::map<std::string, double>& weights);
// The claims of the steps before `as_of` (steps 1 and 2).
std::vector<Claim> KnownAtStep3(const std::vector<Claim>& claims);

}  // namespace stemedb::testing::scenario

#include "stemedb/query/weights.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "stemedb/ground/check.h"

namespace stemedb::query {
namespace {

struct TierParameters {
  double multiplier;
  int64_t half_life_s;  // 0: never decays
};

// lenses.md, "Tier multiplier and half-life", indexed by tier rank.
constexpr std::array<TierParameters, kTierCount> kTierParameters = {{
    {1.0, 0},                     // regulatory
    {0.9, 730 * kSecondsPerDay},  // clinical
    {0.7, 365 * kSecondsPerDay},  // observational
    {0.5, 365 * kSecondsPerDay},  // expert
    {0.3, 90 * kSecondsPerDay},   // community
    {0.1, 30 * kSecondsPerDay},   // anecdotal
}};

const TierParameters& ParametersOf(Tier tier) {
  auto index = static_cast<size_t>(tier);
  STEMEDB_CHECK(index < kTierCount);
  return kTierParameters[index];
}

constexpr double kMultisigFactorMax = 2.0;
constexpr double kMultisigFactorPerCosigner = 0.5;

}  // namespace

double TierMultiplier(Tier tier) { return ParametersOf(tier).multiplier; }

int64_t HalfLifeSeconds(Tier tier) { return ParametersOf(tier).half_life_s; }

double DecayFactor(Tier tier, int64_t timestamp_s, int64_t now_s) {
  int64_t half_life_s = HalfLifeSeconds(tier);
  if (half_life_s == 0 || timestamp_s >= now_s) return 1.0;
  // Subtract in double: both are far below 2^53 in practice, so this is exact, and it cannot
  // overflow the way int64 subtraction of extreme values could.
  double age_s = static_cast<double>(now_s) - static_cast<double>(timestamp_s);
  double factor = std::exp2(-age_s / static_cast<double>(half_life_s));
  STEMEDB_CHECK(factor >= 0.0 && factor <= 1.0);
  return factor;
}

double EffectiveConfidence(double confidence, Tier tier, int64_t timestamp_s, int64_t now_s,
                           bool decay) {
  return decay ? confidence * DecayFactor(tier, timestamp_s, now_s) : confidence;
}

double MultisigFactor(size_t signers_count) {
  STEMEDB_CHECK(signers_count >= 1);
  double factor = 1.0 + kMultisigFactorPerCosigner * static_cast<double>(signers_count - 1);
  return std::min(kMultisigFactorMax, factor);
}

double VoteSupport(double effective_confidence, double net_votes) {
  return effective_confidence * std::max(0.0, 1.0 + net_votes);
}

double AuthorityWeight(double effective_confidence, Tier tier, double max_signer_trust,
                       size_t signers_count) {
  return effective_confidence * TierMultiplier(tier) * max_signer_trust *
         MultisigFactor(signers_count);
}

}  // namespace stemedb::query

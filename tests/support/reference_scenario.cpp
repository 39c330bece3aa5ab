#include "support/reference_scenario.h"

#include <algorithm>
#include <cmath>

namespace stemedb::testing::scenario {
namespace {

using core::SourceClass;

constexpr int64_t kDayS = 86400;

std::vector<Claim> BuildClaims() {
  std::vector<Claim> c;
  c.push_back({1, 1, "rare", SourceClass::kRegulatory, 0.9, kRegulator, 0});
  c.push_back({2, 2, "no_signal", SourceClass::kClinical, 0.85, kTrial, 1});
  for (uint16_t i = 0; i < 50; ++i) c.push_back({uint16_t(100 + i), 4, "none", SourceClass::kAnecdotal, 0.8, kAnecdote, 10 + i});
  for (uint16_t i = 0; i < 5; ++i) {
    c.push_back({uint16_t(200 + i), 5, "significant", SourceClass::kCommunity, 0.8, kFirstCommunityAgent + i, 100 + i});
  }
  return c;
}

// lenses.md, the tier table: half-life in days, 0 for never.
int64_t HalfLifeDays(SourceClass tier) {
  switch (tier) {
    case SourceClass::kRegulatory: return 0;
    case SourceClass::kClinical: return 730;
    case SourceClass::kObservational: return 365;
    case SourceClass::kExpert: return 365;
    case SourceClass::kCommunity: return 90;
    case SourceClass::kAnecdotal: return 30;
  }
  return 0;
}

}  // namespace

const std::vector<Claim>& ReferenceClaims() {
  static const std::vector<Claim> claims = BuildClaims();
  return claims;
}

double TierMultiplier(SourceClass tier) {
  switch (tier) {
    case SourceClass::kRegulatory: return 1.0;
    case SourceClass::kClinical: return 0.9;
    case SourceClass::kObservational: return 0.7;
    case SourceClass::kExpert: return 0.5;
    case SourceClass::kCommunity: return 0.3;
    case SourceClass::kAnecdotal: return 0.1;
  }
  return 0;
}

double Decay(SourceClass tier, int64_t age_s, bool decay) {
  const int64_t half_life_days = HalfLifeDays(tier);
  if (!decay || half_life_days == 0) return 1.0;
  return std::exp2(-static_cast<double>(std::max<int64_t>(0, age_s)) / double(half_life_days * kDayS));
}

double EffectiveConfidence(const Claim& c, int64_t start_s, int64_t now_s, bool decay) {
  return c.confidence * Decay(c.tier, now_s - (start_s + c.offset_s), decay);
}

double AuthorityWeight(const Claim& c, int64_t start_s, int64_t now_s, bool decay) {
  return EffectiveConfidence(c, start_s, now_s, decay) * TierMultiplier(c.tier) * kTrust;  // one signer: multisig 1
}

std::map<std::string, double> GroupWeights(const std::vector<Claim>& claims, ClaimWeight weight, int64_t start_s,
                                           int64_t now_s, bool decay) {
  std::map<std::string, std::map<int, double>> heaviest;  // value -> author -> weight
  for (const Claim& c : claims) {
    double& w = heaviest[c.text][c.author];
    w = std::max(w, weight(c, start_s, now_s, decay));
  }
  std::map<std::string, double> out;
  for (const auto& [value, by_author] : heaviest) {
    for (const auto& [author, w] : by_author) out[value] += w;
  }
  return out;
}

std::map<std::string, double> GroupAgents(const std::vector<Claim>& claims) {
  return GroupWeights(claims, [](const Claim&, int64_t, int64_t, bool) { return 1.0; }, 0, 0, false);
}

double Total(const std::map<std::string, double>& weights) {
  double total = 0;
  for (const auto& [value, w] : weights) total += w;
  return total;
}

double Entropy(const std::map<std::string, double>& weights) {
  if (weights.size() <= 1) return 0;
  const double total = Total(weights);
  double h = 0;
  for (const auto& [value, w] : weights) h -= (w / total) * std::log(w / total);
  return h / std::log(double(weights.size()));
}

std::vector<Claim> KnownAtStep3(const std::vector<Claim>& claims) {
  std::vector<Claim> out;
  std::copy_if(claims.begin(), claims.end(), std::back_inserter(out), [](const Claim& c) { return c.step < 3; });
  return out;
}

}  // namespace stemedb::testing::scenario

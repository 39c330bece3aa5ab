// The reference scenario of lenses.md at the engine level. Every expected figure is computed
// here from the formulas (weights, shares, entropy), not copied from the page.
#include "reference_scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "lens_test_support.h"
#include "stemedb/query/layered.h"
#include "stemedb/query/skeptic.h"

namespace stemedb::query {
namespace {

using namespace testing;  // NOLINT: test helpers

constexpr double kTrust = 0.5;  // no votes: every agent has the Beta(1,1) prior

double Decay(int64_t half_life_days, int64_t timestamp_s) {
  return std::exp2(-static_cast<double>(kNow - timestamp_s) / double(half_life_days * kDay));
}

// Authority weights, conf * decay * tier multiplier * trust * multisig(1) = 1:
double RareWeight() { return 0.9 * 1.0 * kTrust; }  // regulatory never decays: 0.45
double NoSignalWeight() {                           // ~0.85 * 0.9 * 0.5 = 0.3825
  return 0.85 * Decay(730, kScenarioStart + 1) * 0.9 * kTrust;
}
double NoneWeight() {  // the anecdote's heaviest (newest) of 50: ~0.8 * 0.1 * 0.5 = 0.04
  return 0.8 * Decay(30, kScenarioStart + 59) * 0.1 * kTrust;
}
double SignificantWeight() {  // five agents, each ~0.8 * 0.3 * 0.5 = 0.12: ~0.6
  double sum = 0;
  for (int i = 0; i < 5; ++i) sum += 0.8 * Decay(90, kScenarioStart + 100 + i) * 0.3 * kTrust;
  return sum;
}

double Entropy(std::vector<double> weights) {  // normalised: -sum p ln p / ln k
  double total = 0, h = 0;
  for (double w : weights) total += w;
  for (double w : weights) h -= (w / total) * std::log(w / total);
  return h / std::log(double(weights.size()));
}

const ObjectKey& WinnerObject(const LensResult& r, const std::vector<Candidate>& c) {
  return c[r.winner->index].object;
}

TEST(ReferenceScenarioTest, ConsensusPicksSignificantFiveAgentsToOneOneOne) {
  std::vector<Candidate> c = ReferenceScenario();
  LensResult r = MustResolve(c, LensKind::kConsensus);
  ASSERT_TRUE(r.winner);
  EXPECT_EQ(WinnerObject(r, c), ObjectKey::Text("significant"));
  EXPECT_DOUBLE_EQ(r.resolution_confidence, 5.0 / 8.0);  // 5 agents of 8 distinct
  EXPECT_NEAR(r.conflict_score, Entropy({5, 1, 1, 1}), 1e-12);
}

TEST(ReferenceScenarioTest, AuthorityPicksSignificantPointSixAgainstTheRest) {
  std::vector<Candidate> c = ReferenceScenario();
  // With decay off the page's figures are exact: 0.6 against 0.45, 0.3825 and 0.04.
  LensResult flat = MustResolve(c, LensKind::kAuthority, NowContext(false));
  EXPECT_EQ(WinnerObject(flat, c), ObjectKey::Text("significant"));
  EXPECT_NEAR(flat.resolution_confidence, 0.6 / (0.6 + 0.45 + 0.3825 + 0.04), 1e-12);

  LensResult r = MustResolve(c, LensKind::kAuthority);
  ASSERT_TRUE(r.winner);
  EXPECT_EQ(WinnerObject(r, c), ObjectKey::Text("significant"));
  double total = SignificantWeight() + RareWeight() + NoSignalWeight() + NoneWeight();
  EXPECT_NEAR(r.resolution_confidence, SignificantWeight() / total, 1e-12);
  EXPECT_NEAR(r.conflict_score,
              Entropy({SignificantWeight(), RareWeight(), NoSignalWeight(), NoneWeight()}), 1e-12);
  EXPECT_NEAR(SignificantWeight(), 0.6, 1e-4);
  EXPECT_NEAR(NoSignalWeight(), 0.3825, 1e-4);
  EXPECT_NEAR(NoneWeight(), 0.04, 1e-4);
}

TEST(ReferenceScenarioTest, RecencyPicksSignificant) {
  std::vector<Candidate> c = ReferenceScenario();
  LensResult r = MustResolve(c, LensKind::kRecency);
  EXPECT_EQ(WinnerId(r, c), 204);  // the last community claim, at start + 104
  // Runner-up of another value: the anecdote's last "none" at start + 59, 45 s earlier -> 0.5.
  EXPECT_EQ(r.resolution_confidence, 0.5);
}

TEST(ReferenceScenarioTest, SkepticIsContestedWithFourClaims) {
  std::vector<Candidate> c = ReferenceScenario();
  auto v = ResolveSkeptic(c, {}, NowContext());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->status, SkepticStatus::kContested);
  ASSERT_EQ(v->claims.size(), 4u);
  std::vector<std::string> ranked;
  for (const SkepticClaim& claim : v->claims)
    ranked.push_back(c[claim.representative].object.value);
  EXPECT_THAT(ranked, ::testing::ElementsAre("significant", "rare", "no_signal", "none"));
  double expected = Entropy({SignificantWeight(), RareWeight(), NoSignalWeight(), NoneWeight()});
  EXPECT_NEAR(v->conflict_score, expected, 1e-12);
  EXPECT_NEAR(v->conflict_score, 0.85, 0.005);     // "about 0.85"
  EXPECT_EQ(v->claims[3].assertions.size(), 50u);  // all 50 repeats listed, counted once
  EXPECT_NEAR(v->claims[3].support, NoneWeight(), 1e-15);
}

TEST(ReferenceScenarioTest, LayeredHasFourTiersThatDisagreeAndRareWins) {
  std::vector<Candidate> c = ReferenceScenario();
  auto v = ResolveLayered(c, {}, NowContext());
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->tiers.size(), 4u);
  EXPECT_EQ(v->tiers[0].tier, Tier::kRegulatory);
  EXPECT_EQ(v->tiers[1].tier, Tier::kClinical);
  EXPECT_EQ(v->tiers[2].tier, Tier::kCommunity);
  EXPECT_EQ(v->tiers[3].tier, Tier::kAnecdotal);
  EXPECT_EQ(v->tiers[3].candidates_count, 50u);
  EXPECT_TRUE(v->cross_tier_conflict);
  ASSERT_TRUE(v->winner);
  EXPECT_EQ(c[v->winner->index].object, ObjectKey::Text("rare"));
}

TEST(ReferenceScenarioTest, AsOfStepThreeShowsTwoClaimsOnly) {
  std::vector<Candidate> c = ReferenceScenario();
  auto v = ResolveSkeptic(c, {.as_of_ms = kAsOfStep3Ms}, NowContext());
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->claims.size(), 2u);
  EXPECT_EQ(c[v->claims[0].representative].object, ObjectKey::Text("rare"));
  EXPECT_EQ(c[v->claims[1].representative].object, ObjectKey::Text("no_signal"));
  // now = as_of: the trial claim is 1 s old at step 3.
  double rare = 0.9 * 1.0 * kTrust;
  double no_signal = 0.85 * std::exp2(-1.0 / (730.0 * kDay)) * 0.9 * kTrust;
  EXPECT_NEAR(v->claims[1].support, no_signal, 1e-15);
  EXPECT_NEAR(v->conflict_score, Entropy({rare, no_signal}), 1e-12);
}

}  // namespace
}  // namespace stemedb::query

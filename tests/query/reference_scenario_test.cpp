// The reference scenario of lenses.md at the engine level. Every expected figure is computed
// from the formulas (support/reference_scenario.h: weights, shares, entropy), not copied from
// the page.
#include "reference_scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lens_test_support.h"
#include "stemedb/query/layered.h"
#include "stemedb/query/skeptic.h"

namespace stemedb::query {
namespace {

using namespace testing;  // NOLINT: test helpers

// Authority weights per value at kNow, agents once per group.
std::map<std::string, double> AuthorityWeights(bool decay = true) {
  return scenario::GroupWeights(scenario::ReferenceClaims(), &scenario::AuthorityWeight, kScenarioStart, kNow, decay);
}

const ObjectKey& WinnerObject(const LensResult& r, const std::vector<Candidate>& c) {
  return c[r.winner->index].object;
}

TEST(ReferenceScenarioTest, ConsensusPicksSignificantFiveAgentsToOneOneOne) {
  std::vector<Candidate> c = ReferenceScenario();
  LensResult r = MustResolve(c, LensKind::kConsensus);
  ASSERT_TRUE(r.winner);
  EXPECT_EQ(WinnerObject(r, c), ObjectKey::Text("significant"));
  EXPECT_DOUBLE_EQ(r.resolution_confidence, 5.0 / scenario::kDistinctAgents);
  EXPECT_NEAR(r.conflict_score, scenario::Entropy(scenario::GroupAgents(scenario::ReferenceClaims())), 1e-12);
}

TEST(ReferenceScenarioTest, AuthorityPicksSignificantPointSixAgainstTheRest) {
  std::vector<Candidate> c = ReferenceScenario();
  // With decay off the page's figures are exact: 0.6 against 0.45, 0.3825 and 0.04.
  const auto flat = AuthorityWeights(false);
  EXPECT_NEAR(flat.at("significant"), 0.6, 1e-12);
  EXPECT_NEAR(flat.at("rare"), 0.45, 1e-12);
  EXPECT_NEAR(flat.at("no_signal"), 0.3825, 1e-12);
  EXPECT_NEAR(flat.at("none"), 0.04, 1e-12);  // counted once, not 50 times
  LensResult undecayed = MustResolve(c, LensKind::kAuthority, NowContext(false));
  EXPECT_EQ(WinnerObject(undecayed, c), ObjectKey::Text("significant"));
  EXPECT_NEAR(undecayed.resolution_confidence, 0.6 / scenario::Total(flat), 1e-12);

  const auto w = AuthorityWeights();
  LensResult r = MustResolve(c, LensKind::kAuthority);
  ASSERT_TRUE(r.winner);
  EXPECT_EQ(WinnerObject(r, c), ObjectKey::Text("significant"));
  EXPECT_NEAR(r.resolution_confidence, w.at("significant") / scenario::Total(w), 1e-12);
  EXPECT_NEAR(r.conflict_score, scenario::Entropy(w), 1e-12);
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
  const auto w = AuthorityWeights();
  EXPECT_NEAR(v->conflict_score, scenario::Entropy(w), 1e-12);
  EXPECT_NEAR(v->conflict_score, 0.85, 0.005);     // "about 0.85"
  EXPECT_EQ(v->claims[3].assertions.size(), 50u);  // all 50 repeats listed, counted once
  EXPECT_NEAR(v->claims[3].support, w.at("none"), 1e-15);
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
  const auto w = scenario::GroupWeights(scenario::KnownAtStep3(scenario::ReferenceClaims()), &scenario::AuthorityWeight,
                                        kScenarioStart, int64_t(kAsOfStep3Ms / 1000), true);
  EXPECT_NEAR(v->claims[1].support, w.at("no_signal"), 1e-15);
  EXPECT_NEAR(v->conflict_score, scenario::Entropy(w), 1e-12);
}

}  // namespace
}  // namespace stemedb::query

// Each weight formula of lenses.md against arithmetic done by hand in the comments.
#include "stemedb/query/weights.h"

#include <gtest/gtest.h>

#include "query/candidate_builder.h"

namespace stemedb::query {
namespace {

using testing::kDay;
using testing::kNow;

TEST(WeightsTest, TierMultipliersFollowTheTable) {
  EXPECT_DOUBLE_EQ(TierMultiplier(Tier::kRegulatory), 1.0);
  EXPECT_DOUBLE_EQ(TierMultiplier(Tier::kClinical), 0.9);
  EXPECT_DOUBLE_EQ(TierMultiplier(Tier::kObservational), 0.7);
  EXPECT_DOUBLE_EQ(TierMultiplier(Tier::kExpert), 0.5);
  EXPECT_DOUBLE_EQ(TierMultiplier(Tier::kCommunity), 0.3);
  EXPECT_DOUBLE_EQ(TierMultiplier(Tier::kAnecdotal), 0.1);
}

TEST(WeightsTest, HalfLivesFollowTheTable) {
  EXPECT_EQ(HalfLifeSeconds(Tier::kRegulatory), 0);  // never decays
  EXPECT_EQ(HalfLifeSeconds(Tier::kClinical), 730 * kDay);
  EXPECT_EQ(HalfLifeSeconds(Tier::kObservational), 365 * kDay);
  EXPECT_EQ(HalfLifeSeconds(Tier::kExpert), 365 * kDay);
  EXPECT_EQ(HalfLifeSeconds(Tier::kCommunity), 90 * kDay);
  EXPECT_EQ(HalfLifeSeconds(Tier::kAnecdotal), 30 * kDay);
}

TEST(WeightsTest, DecayHalvesOncePerHalfLife) {
  // community, 90 days old: 2^(-90/90) = 0.5
  EXPECT_DOUBLE_EQ(DecayFactor(Tier::kCommunity, kNow - 90 * kDay, kNow), 0.5);
  // anecdotal, 60 days old: 2^(-60/30) = 0.25
  EXPECT_DOUBLE_EQ(DecayFactor(Tier::kAnecdotal, kNow - 60 * kDay, kNow), 0.25);
  // clinical, 365 days old: 2^(-365/730) = 2^-0.5 = 0.70710678...
  EXPECT_NEAR(DecayFactor(Tier::kClinical, kNow - 365 * kDay, kNow), 0.7071067811865476, 1e-15);
  // expert, 3 half-lives: 2^-3 = 0.125
  EXPECT_DOUBLE_EQ(DecayFactor(Tier::kExpert, kNow - 3 * 365 * kDay, kNow), 0.125);
}

TEST(WeightsTest, RegulatoryNeverDecays) {
  EXPECT_EQ(DecayFactor(Tier::kRegulatory, kNow - 100 * 365 * kDay, kNow), 1.0);
}

TEST(WeightsTest, FutureTimestampsCountAsNowNotAsBoost) {
  // age = max(0, now - timestamp) = 0 -> factor 1, never above 1.
  EXPECT_EQ(DecayFactor(Tier::kAnecdotal, kNow + 30 * kDay, kNow), 1.0);
  EXPECT_EQ(DecayFactor(Tier::kAnecdotal, kNow, kNow), 1.0);
}

TEST(WeightsTest, ExtremeTimestampsDoNotOverflow) {
  EXPECT_EQ(DecayFactor(Tier::kAnecdotal, INT64_MIN, INT64_MAX), 0.0);
  EXPECT_EQ(DecayFactor(Tier::kAnecdotal, INT64_MAX, INT64_MIN), 1.0);
}

TEST(WeightsTest, EffectiveConfidenceAppliesDecayUnlessTurnedOff) {
  // 0.8 * 2^(-90/90) = 0.4
  EXPECT_DOUBLE_EQ(EffectiveConfidence(0.8, Tier::kCommunity, kNow - 90 * kDay, kNow, true), 0.4);
  EXPECT_DOUBLE_EQ(EffectiveConfidence(0.8, Tier::kCommunity, kNow - 90 * kDay, kNow, false), 0.8);
}

TEST(WeightsTest, MultisigFactorGrowsByHalfPerCosignerUpToTwo) {
  EXPECT_DOUBLE_EQ(MultisigFactor(1), 1.0);   // 1 + 0.5 * 0
  EXPECT_DOUBLE_EQ(MultisigFactor(2), 1.5);   // 1 + 0.5 * 1
  EXPECT_DOUBLE_EQ(MultisigFactor(3), 2.0);   // 1 + 0.5 * 2
  EXPECT_DOUBLE_EQ(MultisigFactor(16), 2.0);  // min(2.0, 8.5)
}

TEST(WeightsTest, VoteSupportClampsAtMinusOneNet) {
  EXPECT_DOUBLE_EQ(VoteSupport(0.8, 0.0), 0.8);    // 0.8 * (1 + 0)
  EXPECT_DOUBLE_EQ(VoteSupport(0.8, 0.5), 1.2);    // 0.8 * 1.5
  EXPECT_DOUBLE_EQ(VoteSupport(0.8, -0.75), 0.2);  // 0.8 * 0.25
  EXPECT_EQ(VoteSupport(0.8, -1.0), 0.0);          // 0.8 * max(0, 0)
  EXPECT_EQ(VoteSupport(0.8, -3.0), 0.0);          // 0.8 * max(0, -2): silenced, not negative
}

TEST(WeightsTest, AuthorityWeightMultipliesItsFactors) {
  // 0.9 (regulatory, no decay) * 1.0 * 0.5 trust * 1 = 0.45
  EXPECT_DOUBLE_EQ(AuthorityWeight(0.9, Tier::kRegulatory, 0.5, 1), 0.45);
  // 0.85 * 0.9 * 0.5 * 1 = 0.3825
  EXPECT_DOUBLE_EQ(AuthorityWeight(0.85, Tier::kClinical, 0.5, 1), 0.3825);
  // 0.8 * 0.3 * 0.75 * 1.5 (two signers) = 0.27
  EXPECT_DOUBLE_EQ(AuthorityWeight(0.8, Tier::kCommunity, 0.75, 2), 0.27);
}

}  // namespace
}  // namespace stemedb::query

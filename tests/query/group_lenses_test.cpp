// The consensus, vote and authority lenses, against hand arithmetic.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lens_test_support.h"

namespace stemedb::query {
namespace {

using ::testing::ElementsAre;
using namespace testing;  // NOLINT: test helpers

TEST(ConsensusLensTest, MostDistinctSigningAgentsWins) {
  // "a": 1 by agent 1, 2 by agent 1 again, 3 by agent 2 -> agents {1, 2} = 2
  // "b": 4 by agent 3, co-signed by agents 4 and 5  -> agents {3, 4, 5} = 3
  std::vector<Candidate> c = {Claim(1).Text("a").By(1).At(kNow - 5),
                              Claim(2).Text("a").By(1).At(kNow - 4),
                              Claim(3).Text("a").By(2).At(kNow - 3),
                              Claim(4).Text("b").By(3).CoSigned(4).CoSigned(5).At(kNow - 9)};
  LensResult r = MustResolve(c, LensKind::kConsensus);
  EXPECT_EQ(WinnerId(r, c), 4);
  // 3 agents of 5 distinct agents = 0.6
  EXPECT_DOUBLE_EQ(r.resolution_confidence, 0.6);
  // shares 2/5, 3/5: H = -(0.4 ln 0.4 + 0.6 ln 0.6) / ln 2 = 0.9709506
  EXPECT_NEAR(r.conflict_score, 0.9709506, 1e-7);
  // Groups by agents, then newest first inside a group.
  EXPECT_THAT(RankedIds(r, c), ElementsAre(4, 3, 2, 1));
}

TEST(ConsensusLensTest, WinnerIsTheNewestAssertionOfTheGroup) {
  std::vector<Candidate> c = {Claim(1).Text("a").By(1).At(kNow - 9),
                              Claim(2).Text("a").By(2).At(kNow - 1), Claim(3).Text("b").By(3)};
  EXPECT_EQ(WinnerId(MustResolve(c, LensKind::kConsensus), c), 2);
}

TEST(ConsensusLensTest, AnAgentBackingTwoValuesCountsInBoth) {
  // "a" by agents 1 and 2, "b" by agent 1: 2 distinct agents, "a" has both -> 2/2 = 1.0.
  std::vector<Candidate> c = {Claim(1).Text("a").By(1), Claim(2).Text("a").By(2),
                              Claim(3).Text("b").By(1)};
  LensResult r = MustResolve(c, LensKind::kConsensus);
  EXPECT_EQ(r.resolution_confidence, 1.0);
  // shares 2/3, 1/3: H = -(2/3 ln 2/3 + 1/3 ln 1/3) / ln 2 = 0.9182958
  EXPECT_NEAR(r.conflict_score, 0.9182958, 1e-7);
}

TEST(ConsensusLensTest, EqualCountsGoToTheNewerGroup) {
  std::vector<Candidate> c = {Claim(1).Text("a").By(1).At(kNow - 5), Claim(2).Text("b").By(2)};
  LensResult r = MustResolve(c, LensKind::kConsensus);
  EXPECT_EQ(WinnerId(r, c), 2);
  EXPECT_EQ(r.resolution_confidence, 0.5);
  EXPECT_EQ(r.conflict_score, 1.0);
}

TEST(VoteLensTest, SupportIsConfidenceTimesOnePlusNetVotes) {
  // 1 "a" 0.8, net +0.5: 0.8 * 1.5 = 1.2
  // 2 "b" 1.0, net 0:    1.0 * 1.0 = 1.0
  // 3 "b" 0.5, net -0.8: 0.5 * 0.2 = 0.1 -> "b" = 1.1
  std::vector<Candidate> c = {Claim(1).Text("a").By(1).Confidence(0.8).NetVotes(0.5),
                              Claim(2).Text("b").By(2).Confidence(1.0),
                              Claim(3).Text("b").By(3).Confidence(0.5).NetVotes(-0.8)};
  LensResult r = MustResolve(c, LensKind::kVote);
  EXPECT_EQ(WinnerId(r, c), 1);
  // 1.2 / (1.2 + 1.1) = 0.5217391
  EXPECT_NEAR(r.resolution_confidence, 0.5217391, 1e-7);
  // H = -(1.2/2.3 ln(1.2/2.3) + 1.1/2.3 ln(1.1/2.3)) / ln 2 = 0.9986360
  EXPECT_NEAR(r.conflict_score, 0.9986360, 1e-7);
  EXPECT_DOUBLE_EQ(r.ranked[0].weight, 1.2);
}

TEST(VoteLensTest, NetVotesBelowMinusOneSilenceAClaimWithoutGoingNegative) {
  // "a": 1.0 * max(0, 1 - 2) = 0; "b": 0.1 * 1 = 0.1 -> "b" has all the support.
  std::vector<Candidate> c = {Claim(1).Text("a").By(1).NetVotes(-2.0),
                              Claim(2).Text("b").By(2).Confidence(0.1)};
  LensResult r = MustResolve(c, LensKind::kVote);
  EXPECT_EQ(WinnerId(r, c), 2);
  EXPECT_EQ(r.resolution_confidence, 1.0);
  EXPECT_EQ(r.conflict_score, 0.0);  // shares (0, 1)
}

TEST(VoteLensTest, NoSupportAnywhereIsZeroConfidenceAndMaximalConflict) {
  std::vector<Candidate> c = {Claim(1).Text("a").By(1).NetVotes(-1.0).At(kNow - 1),
                              Claim(2).Text("b").By(2).NetVotes(-1.5)};
  LensResult r = MustResolve(c, LensKind::kVote);
  EXPECT_EQ(WinnerId(r, c), 2);  // 0 = 0: the newer group
  EXPECT_EQ(r.resolution_confidence, 0.0);
  EXPECT_EQ(r.conflict_score, 1.0);
}

TEST(VoteLensTest, AnAgentCountsOncePerGroup) {
  // Agent 1 says "a" three times with supports 0.3, 0.6, 0.5: only 0.6 counts.
  // Agent 2 says "b" with 0.9. "b" wins 0.9 / 1.5 = 0.6 (without the rule "a" would have 1.4).
  std::vector<Candidate> c = {
      Claim(1).Text("a").By(1).Confidence(0.3), Claim(2).Text("a").By(1).Confidence(0.6),
      Claim(3).Text("a").By(1).Confidence(0.5), Claim(4).Text("b").By(2).Confidence(0.9)};
  LensResult r = MustResolve(c, LensKind::kVote);
  EXPECT_EQ(WinnerId(r, c), 4);
  EXPECT_DOUBLE_EQ(r.resolution_confidence, 0.6);
  for (const RankedCandidate& ranked : r.ranked) {
    EXPECT_EQ(ranked.counted, c[ranked.index].id == IdOf(2) || c[ranked.index].id == IdOf(4));
  }
}

TEST(VoteLensTest, WinnerIsTheNewestAssertionOfTheGroupNotTheHeaviest) {
  std::vector<Candidate> c = {Claim(1).Text("a").By(1).Confidence(0.9).At(kNow - 1),
                              Claim(2).Text("a").By(2).Confidence(0.2),
                              Claim(3).Text("b").By(3).Confidence(0.5)};
  EXPECT_EQ(WinnerId(MustResolve(c, LensKind::kVote), c), 2);
}

TEST(AuthorityLensTest, WeightIsConfidenceTierTrustAndSignatures) {
  // trust: agent 1 0.9, agent 2 0.2, agent 3 0.6
  // 1 "x" regulatory 0.5 by 2:             0.5 * 1.0 * 0.2 * 1   = 0.1
  // 2 "y" expert 0.8 by 2, co-signed by 1: 0.8 * 0.5 * 0.9 * 1.5 = 0.54 (max trust of signers)
  // 3 "x" community 1.0 by 3:              1.0 * 0.3 * 0.6 * 1   = 0.18 -> "x" = 0.28
  std::vector<Candidate> c = {
      Claim(1).Text("x").By(2).Tier(Tier::kRegulatory).Confidence(0.5).At(kNow - 1),
      Claim(2).Text("y").By(2).CoSigned(1).Tier(Tier::kExpert).Confidence(0.8),
      Claim(3).Text("x").By(3).Tier(Tier::kCommunity).Confidence(1.0).At(kNow - 2)};
  Context context = NowContext(false);  // decay off: the figures stay exact
  context.trust = TrustTable({{1, 0.9}, {2, 0.2}, {3, 0.6}});
  LensResult r = MustResolve(c, LensKind::kAuthority, context);
  EXPECT_EQ(WinnerId(r, c), 2);
  // 0.54 / 0.82 = 0.6585366
  EXPECT_NEAR(r.resolution_confidence, 0.6585366, 1e-7);
  // H = -(0.28/0.82 ln(0.28/0.82) + 0.54/0.82 ln(0.54/0.82)) / ln 2 = 0.9262122
  EXPECT_NEAR(r.conflict_score, 0.9262122, 1e-7);
  // Inside "x" the heavier (older) assertion 3 ranks before 1.
  EXPECT_THAT(RankedIds(r, c), ElementsAre(2, 3, 1));
  EXPECT_DOUBLE_EQ(r.ranked[1].weight, 0.18);
}

TEST(AuthorityLensTest, WithoutTrustEveryAgentHasTheHalfPrior) {
  // 0.9 * 1.0 * 0.5 = 0.45 vs 1.0 * 0.9 * 0.5 = 0.45: a tie, and the larger seq wins.
  std::vector<Candidate> c = {Claim(1).Text("x").By(1).Tier(Tier::kRegulatory).Confidence(0.9),
                              Claim(2).Text("y").By(2).Tier(Tier::kClinical).Confidence(1.0)};
  LensResult r = MustResolve(c, LensKind::kAuthority);
  ASSERT_EQ(r.ranked.size(), 2u);
  EXPECT_EQ(WinnerId(r, c), 2);
  EXPECT_DOUBLE_EQ(r.ranked[0].weight, 0.45);
  EXPECT_DOUBLE_EQ(r.ranked[1].weight, 0.45);
}

TEST(AuthorityLensTest, TrustOutsideZeroToOneIsRefused) {
  std::vector<Candidate> c = {Claim(1)};
  Context context = NowContext();
  context.trust = [](const AgentId&) { return 1.5; };
  auto r = Resolve(c, LensRequest{.lens = LensKind::kAuthority}, context);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace stemedb::query

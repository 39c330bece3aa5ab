// The recency and confidence lenses, against hand arithmetic.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lens_test_support.h"

namespace stemedb::query {
namespace {

using ::testing::ElementsAre;
using namespace testing;  // NOLINT: test helpers

// "x" now and "y" `gap_s` earlier, by two agents; the resolution confidence of recency.
double RecencyConfidenceForGap(int64_t gap_s) {
  std::vector<Candidate> c = {Claim(1).Text("x").By(1), Claim(2).Text("y").By(2).At(kNow - gap_s)};
  LensResult r = MustResolve(c, LensKind::kRecency);
  EXPECT_EQ(WinnerId(r, c), gap_s > 0 ? 1 : 2);  // on equal timestamps the larger seq wins
  return r.resolution_confidence;
}

TEST(RecencyLensTest, ConfidenceFollowsTheGapToTheRunnerUp) {
  EXPECT_EQ(RecencyConfidenceForGap(2 * kDay), 0.95);  // > 1 day
  EXPECT_EQ(RecencyConfidenceForGap(kDay + 1), 0.95);
  EXPECT_EQ(RecencyConfidenceForGap(kDay), 0.8);  // not > 1 day; > 1 hour
  EXPECT_EQ(RecencyConfidenceForGap(3601), 0.8);
  EXPECT_EQ(RecencyConfidenceForGap(3600), 0.6);  // not > 1 hour; > 1 minute
  EXPECT_EQ(RecencyConfidenceForGap(61), 0.6);
  EXPECT_EQ(RecencyConfidenceForGap(60), 0.5);  // not > 1 minute
  EXPECT_EQ(RecencyConfidenceForGap(0), 0.5);
}

TEST(RecencyLensTest, AloneIsCertain) {
  std::vector<Candidate> c = {Claim(1)};
  LensResult r = MustResolve(c, LensKind::kRecency);
  EXPECT_EQ(WinnerId(r, c), 1);
  EXPECT_EQ(r.resolution_confidence, 1.0);
  EXPECT_EQ(r.conflict_score, 0.0);
}

TEST(RecencyLensTest, TheRunnerUpIsTheNewestClaimOfAnotherValue) {
  // 1 "x" now, 2 "x" 10 s ago, 3 "y" 2 hours ago: the gap is to 3, 7200 s > 1 hour -> 0.8.
  std::vector<Candidate> c = {Claim(1).Text("x").By(1), Claim(2).Text("x").By(2).At(kNow - 10),
                              Claim(3).Text("y").By(3).At(kNow - 7200)};
  LensResult r = MustResolve(c, LensKind::kRecency);
  EXPECT_EQ(r.resolution_confidence, 0.8);
  EXPECT_THAT(RankedIds(r, c), ElementsAre(1, 2, 3));
  // Everyone agreeing leaves no runner-up: 1.0.
  c.pop_back();
  EXPECT_EQ(MustResolve(c, LensKind::kRecency).resolution_confidence, 1.0);
}

TEST(RecencyLensTest, ConflictCountsDistinctSigningAgentsPerValue) {
  // "x" by agents 1, 2, 3 (agent 1 twice), "y" by agent 4: shares 3/4, 1/4.
  // H = -(0.75 ln 0.75 + 0.25 ln 0.25) / ln 2 = (0.2157616 + 0.3465736) / 0.6931472 = 0.8112781
  std::vector<Candidate> c = {Claim(1).Text("x").By(1), Claim(2).Text("x").By(1),
                              Claim(3).Text("x").By(2), Claim(4).Text("x").By(3),
                              Claim(5).Text("y").By(4)};
  EXPECT_NEAR(MustResolve(c, LensKind::kRecency).conflict_score, 0.8112781, 1e-7);
}

TEST(RecencyLensTest, TiesGoToLargerSeqThenLargerId) {
  // Same timestamp: seq 7 beats seq 3.
  std::vector<Candidate> c = {Claim(1).Text("x").Seq(7), Claim(2).Text("y").Seq(3)};
  EXPECT_EQ(WinnerId(MustResolve(c, LensKind::kRecency), c), 1);
  // Same timestamp and seq: the larger id.
  c[0] = Claim(1).Text("x").Seq(3);
  EXPECT_EQ(WinnerId(MustResolve(c, LensKind::kRecency), c), 2);
  // A later timestamp beats any seq.
  c[0] = Claim(1).Text("x").Seq(1).At(kNow + 1);
  EXPECT_EQ(WinnerId(MustResolve(c, LensKind::kRecency), c), 1);
}

TEST(ConfidenceLensTest, LargestEffectiveConfidenceWins) {
  // 1: community 0.9, 90 days old: 0.9 * 2^-1 = 0.45
  // 2: regulatory 0.6, 400 days old, never decays: 0.6
  std::vector<Candidate> c = {
      Claim(1).Text("x").By(1).Tier(Tier::kCommunity).Confidence(0.9).At(kNow - 90 * kDay),
      Claim(2).Text("y").By(2).Tier(Tier::kRegulatory).Confidence(0.6).At(kNow - 400 * kDay)};
  LensResult r = MustResolve(c, LensKind::kConfidence);
  EXPECT_EQ(WinnerId(r, c), 2);
  EXPECT_DOUBLE_EQ(r.resolution_confidence, 0.6);
  ASSERT_EQ(r.ranked.size(), 2u);
  EXPECT_DOUBLE_EQ(r.ranked[1].effective_confidence, 0.45);
  // Shares 0.45 / 1.05 = 3/7 and 4/7: H = -(3/7 ln 3/7 + 4/7 ln 4/7) / ln 2 = 0.9852281
  EXPECT_NEAR(r.conflict_score, 0.9852281, 1e-7);
  // decay=false: 0.9 beats 0.6.
  LensResult flat = MustResolve(c, LensKind::kConfidence, NowContext(false));
  EXPECT_EQ(WinnerId(flat, c), 1);
  EXPECT_DOUBLE_EQ(flat.resolution_confidence, 0.9);
}

TEST(ConfidenceLensTest, AnAuthorCountsOncePerValueInTheConflictScore) {
  // Agent 1 says "x" at 0.5 three times, agent 2 says "y" at 0.5: shares 1/2, 1/2 -> 1.0,
  // not 3/4, 1/4.
  std::vector<Candidate> c = {
      Claim(1).Text("x").Confidence(0.5), Claim(2).Text("x").Confidence(0.5),
      Claim(3).Text("x").Confidence(0.5), Claim(4).Text("y").By(2).Confidence(0.5)};
  LensResult r = MustResolve(c, LensKind::kConfidence);
  EXPECT_DOUBLE_EQ(r.conflict_score, 1.0);
  int counted = 0;
  for (const RankedCandidate& ranked : r.ranked) counted += ranked.counted ? 1 : 0;
  EXPECT_EQ(counted, 2);
}

}  // namespace
}  // namespace stemedb::query

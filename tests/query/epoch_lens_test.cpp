// The epoch lens: transitive supersession, fail-open on unknown epochs, the inner lens.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lens_test_support.h"
#include "stemedb/query/epoch_index.h"

namespace stemedb::query {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;
using namespace testing;  // NOLINT: test helpers

// Epochs: 2 supersedes 1, 3 supersedes 2 (a chain), 4 also supersedes 1 (a second chain),
// 5 stands alone. Epoch 9 has no record.
EpochIndex SampleEpochs() {
  std::vector<EpochLink> links = {{.id = Epoch(1)},
                                  {.id = Epoch(2), .supersedes = Epoch(1)},
                                  {.id = Epoch(3), .supersedes = Epoch(2)},
                                  {.id = Epoch(4), .supersedes = Epoch(1)},
                                  {.id = Epoch(5)}};
  return EpochIndex(links);
}

TEST(EpochIndexTest, EveryEpochBehindAChainHeadIsSuperseded) {
  EpochIndex index = SampleEpochs();
  EXPECT_EQ(index.State(Epoch(1)), EpochState::kSuperseded);  // by 2 and by 4
  EXPECT_EQ(index.State(Epoch(2)), EpochState::kSuperseded);  // by 3
  EXPECT_EQ(index.State(Epoch(3)), EpochState::kCurrent);
  EXPECT_EQ(index.State(Epoch(4)), EpochState::kCurrent);
  EXPECT_EQ(index.State(Epoch(5)), EpochState::kCurrent);
  EXPECT_EQ(index.State(Epoch(9)), EpochState::kUnknown);
}

TEST(EpochIndexTest, ACycleInBadDataDoesNotLoop) {
  std::vector<EpochLink> links = {{.id = Epoch(1), .supersedes = Epoch(2)},
                                  {.id = Epoch(2), .supersedes = Epoch(1)}};
  EpochIndex index(links);
  EXPECT_EQ(index.State(Epoch(1)), EpochState::kSuperseded);
  EXPECT_EQ(index.State(Epoch(2)), EpochState::kSuperseded);
}

std::vector<Candidate> EpochCandidates() {
  // The newest claims sit in superseded epochs, so recency alone would pick them.
  return {Claim(1).Text("old").By(1).InEpoch(1).At(kNow - 1),
          Claim(2).Text("mid").By(2).InEpoch(2).At(kNow - 2),
          Claim(3).Text("new").By(3).InEpoch(3).At(kNow - 30),
          Claim(4).Text("alt").By(4).InEpoch(4).At(kNow - 20),
          Claim(5).Text("lost").By(5).InEpoch(9).At(kNow - 50),
          Claim(6).Text("none").By(6).At(kNow - 60)};
}

TEST(EpochLensTest, DropsSupersededEpochsThenAppliesRecency) {
  std::vector<Candidate> c = EpochCandidates();
  EpochIndex index = SampleEpochs();
  Context context = NowContext();
  context.epoch_state = [&](const EpochId& id) { return index.State(id); };
  LensResult r = MustResolve(c, LensKind::kEpoch, context);
  EXPECT_EQ(r.inner, LensKind::kRecency);
  EXPECT_THAT(RankedIds(r, c), ElementsAre(4, 3, 5, 6));
  EXPECT_EQ(WinnerId(r, c), 4);
  // 4 at now-20 against 3 at now-30: a 10 s gap -> 0.5
  EXPECT_EQ(r.resolution_confidence, 0.5);
  // Unknown epoch 9 stayed in, with a warning counting its one candidate.
  ASSERT_EQ(r.warnings.items.size(), 1u);
  EXPECT_EQ(r.warnings.items[0].code, WarningCode::kUnknownEpoch);
  EXPECT_EQ(r.warnings.items[0].id, Epoch(9));
  EXPECT_EQ(r.warnings.items[0].candidates_count, 1u);
}

TEST(EpochLensTest, UsesTheInnerLens) {
  std::vector<Candidate> c = EpochCandidates();
  c[3] = Claim(4).Text("alt").By(4).InEpoch(4).At(kNow - 20).Confidence(0.2);
  EpochIndex index = SampleEpochs();
  Context context = NowContext(false);
  context.epoch_state = [&](const EpochId& id) { return index.State(id); };
  auto r =
      Resolve(c, LensRequest{.lens = LensKind::kEpoch, .inner = LensKind::kConfidence}, context);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lens, LensKind::kEpoch);
  EXPECT_EQ(r->inner, LensKind::kConfidence);
  // 3, 5 and 6 tie at confidence 1.0 (decay off); the newest of them, 3, wins.
  EXPECT_EQ(WinnerId(*r, c), 3);
  EXPECT_EQ(r->resolution_confidence, 1.0);
}

TEST(EpochLensTest, FailsOpenWhenNoEpochIsKnown) {
  std::vector<Candidate> c = EpochCandidates();
  LensResult r = MustResolve(c, LensKind::kEpoch);  // no epoch_state: everything unknown
  EXPECT_EQ(r.ranked.size(), c.size());
  std::vector<Id32> warned;
  for (const Warning& w : r.warnings.items) warned.push_back(w.id);
  EXPECT_THAT(warned, UnorderedElementsAre(Epoch(1), Epoch(2), Epoch(3), Epoch(4), Epoch(9)));
}

TEST(EpochLensTest, AsksForEachDistinctEpochOnce) {
  std::vector<Candidate> c = {Claim(1).InEpoch(1), Claim(2).InEpoch(1), Claim(3).InEpoch(2),
                              Claim(4)};
  int calls = 0;
  Context context = NowContext();
  context.epoch_state = [&](const EpochId&) {
    ++calls;
    return EpochState::kCurrent;
  };
  MustResolve(c, LensKind::kEpoch, context);
  EXPECT_EQ(calls, 2);
}

TEST(EpochLensTest, EveryCandidateSupersededLeavesNoWinner) {
  std::vector<Candidate> c = {Claim(1).InEpoch(1)};
  Context context = NowContext();
  context.epoch_state = [](const EpochId&) { return EpochState::kSuperseded; };
  LensResult r = MustResolve(c, LensKind::kEpoch, context);
  EXPECT_FALSE(r.winner);
  EXPECT_EQ(r.candidates_count, 0u);
}

TEST(EpochLensTest, AnEpochCannotBeItsOwnInnerLens) {
  std::vector<Candidate> c = {Claim(1)};
  auto r =
      Resolve(c, LensRequest{.lens = LensKind::kEpoch, .inner = LensKind::kEpoch}, NowContext());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace stemedb::query

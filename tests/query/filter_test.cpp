// The filters of lenses.md, including the lifecycle lineage rule.
#include "stemedb/query/filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "candidate_builder.h"

namespace stemedb::query {
namespace {

using testing::Claim;
using ::testing::ElementsAre;
using testing::IdOf;
using ::testing::IsEmpty;
using testing::kNow;
using testing::Source;

std::vector<uint32_t> Kept(const std::vector<Candidate>& candidates, const Filter& filter = {}) {
  auto filtered = ApplyFilter(candidates, filter, kNow);
  EXPECT_TRUE(filtered.ok()) << filtered.status().ToString();
  return filtered.ok() ? filtered->kept : std::vector<uint32_t>{};
}

TEST(FilterTest, DefaultKeepsAllButRejected) {
  std::vector<Candidate> c = {
      Claim(1).Stage(Lifecycle::kProposed), Claim(2).Stage(Lifecycle::kApproved),
      Claim(3).Stage(Lifecycle::kRejected), Claim(4).Stage(Lifecycle::kDeprecated)};
  EXPECT_THAT(Kept(c), ElementsAre(0, 1, 3));
  EXPECT_THAT(Kept(c, {.lifecycles = LifecycleSet::Any()}), ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(Kept(c, {.lifecycles = LifecycleSet::Only(Lifecycle::kRejected)}), ElementsAre(2));
}

TEST(FilterTest, AsOfKeepsOnlyWhatWasKnownAndSetsNow) {
  std::vector<Candidate> c = {Claim(1).Ingested(5'000), Claim(2).Ingested(5'001)};
  Filter filter{.as_of_ms = 5'000};
  EXPECT_THAT(Kept(c, filter), ElementsAre(0));
  // now = floor(5'999 ms / 1000) = 5 s
  auto filtered = ApplyFilter(c, {.as_of_ms = 5'999}, kNow);
  ASSERT_TRUE(filtered.ok());
  EXPECT_EQ(filtered->now_s, 5);
  EXPECT_EQ(ApplyFilter(c, {}, kNow)->now_s, kNow);
}

TEST(FilterTest, ValidAtUsesTheClosedPeriodWithOpenEnds) {
  std::vector<Candidate> c = {Claim(1).ValidFrom(100).ValidUntil(200), Claim(2).ValidFrom(150),
                              Claim(3).ValidUntil(120), Claim(4)};
  EXPECT_THAT(Kept(c, {.valid_at_s = 100}), ElementsAre(0, 2, 3));
  EXPECT_THAT(Kept(c, {.valid_at_s = 200}), ElementsAre(0, 1, 3));
  EXPECT_THAT(Kept(c, {.valid_at_s = 201}), ElementsAre(1, 3));
  EXPECT_THAT(Kept(c, {.valid_at_s = 99}), ElementsAre(2, 3));
}

TEST(FilterTest, EpochAndSourceClass) {
  std::vector<Candidate> c = {Claim(1).InEpoch(7).Tier(Tier::kClinical), Claim(2).InEpoch(8),
                              Claim(3).Tier(Tier::kClinical)};
  EXPECT_THAT(Kept(c, {.epoch = testing::Epoch(7)}), ElementsAre(0));
  EXPECT_THAT(Kept(c, {.source_class = Tier::kClinical}), ElementsAre(0, 2));
}

TEST(FilterTest, RetractedSourcesAreLeftOutAndNamed) {
  std::vector<Candidate> c = {Claim(1).Cites(9, true), Claim(2).Cites(8)};
  auto filtered = ApplyFilter(c, {}, kNow);
  ASSERT_TRUE(filtered.ok());
  EXPECT_THAT(filtered->kept, ElementsAre(1));
  ASSERT_EQ(filtered->warnings.items.size(), 1u);
  EXPECT_EQ(filtered->warnings.items[0].code, WarningCode::kSourceRetracted);
  EXPECT_EQ(filtered->warnings.items[0].id, IdOf(1));
  EXPECT_EQ(filtered->warnings.items[0].source_hash, Source(9));

  auto included = ApplyFilter(c, {.include_retracted = true}, kNow);
  ASSERT_TRUE(included.ok());
  EXPECT_THAT(included->kept, ElementsAre(0, 1));
  ASSERT_EQ(included->warnings.items.size(), 1u);
  EXPECT_EQ(included->warnings.items[0].code, WarningCode::kRetractedSourceIncluded);
}

TEST(FilterTest, RetractionWarningsOnlyForClaimsOtherFiltersKept) {
  std::vector<Candidate> c = {Claim(1).Cites(9, true).Tier(Tier::kExpert)};
  auto filtered = ApplyFilter(c, {.source_class = Tier::kClinical}, kNow);
  ASSERT_TRUE(filtered.ok());
  EXPECT_THAT(filtered->warnings.items, IsEmpty());
}

TEST(FilterTest, WarningsAreCapped) {
  std::vector<Candidate> c;
  for (uint16_t i = 1; i <= kWarningsMax + 5; ++i) c.push_back(Claim(i).Cites(1, true));
  auto filtered = ApplyFilter(c, {}, kNow);
  ASSERT_TRUE(filtered.ok());
  EXPECT_EQ(filtered->warnings.items.size(), kWarningsMax);
  EXPECT_EQ(filtered->warnings.omitted, 5u);
}

TEST(FilterTest, RefusesDuplicateIdsAndInvalidCandidates) {
  // Duplicate ids are caught where ids are looked up: by the lifecycle rule.
  EXPECT_FALSE(
      ApplyFilter(std::vector<Candidate>{Claim(1), Claim(1),
                                         Claim(2).Stage(Lifecycle::kUnderReview).Parent(1)},
                  {}, kNow)
          .ok());
  EXPECT_FALSE(ApplyFilter(std::vector<Candidate>{Claim(1).Confidence(1.5)}, {}, kNow).ok());
  EXPECT_FALSE(ApplyFilter(std::vector<Candidate>{Claim(1).By(3).CoSigned(3)}, {}, kNow).ok());
  Candidate no_signer = Claim(1);
  no_signer.signers.clear();
  EXPECT_FALSE(ApplyFilter(std::vector<Candidate>{no_signer}, {}, kNow).ok());
  EXPECT_FALSE(
      ApplyFilter(std::vector<Candidate>{Claim(1).ValidFrom(5).ValidUntil(4)}, {}, kNow).ok());
}

// --- Lifecycle lineage: "replaced by its newest descendant" ---

TEST(LineageTest, AChainIsReplacedByItsLastStage) {
  // 1 proposed <- 2 under_review <- 3 approved
  std::vector<Candidate> c = {Claim(1).Stage(Lifecycle::kProposed),
                              Claim(2).Stage(Lifecycle::kUnderReview).Parent(1).At(1),
                              Claim(3).Stage(Lifecycle::kApproved).Parent(2).At(2)};
  EXPECT_THAT(Kept(c), ElementsAre(2));
}

TEST(LineageTest, ADeprecatedClaimStillCountsByDefault) {
  std::vector<Candidate> c = {Claim(1).Stage(Lifecycle::kApproved),
                              Claim(2).Stage(Lifecycle::kDeprecated).Parent(1)};
  EXPECT_THAT(Kept(c), ElementsAre(1));
  EXPECT_THAT(Kept(c, {.lifecycles = LifecycleSet::Only(Lifecycle::kApproved)}), IsEmpty());
}

TEST(LineageTest, RejectionRemovesTheClaimUnderTheDefaultFilter) {
  // The rejected stage replaces the under_review one, then the default filter drops it: the
  // stale under_review stage must not come back.
  std::vector<Candidate> c = {Claim(1).Stage(Lifecycle::kUnderReview),
                              Claim(2).Stage(Lifecycle::kRejected).Parent(1)};
  EXPECT_THAT(Kept(c), IsEmpty());
  EXPECT_THAT(Kept(c, {.lifecycles = LifecycleSet::Any()}), ElementsAre(1));
}

TEST(LineageTest, ABranchKeepsOnlyTheNewestLeaf) {
  // 1 under_review <- 2 approved (t=10), 1 <- 3 rejected (t=20): newest descendant is 3.
  std::vector<Candidate> c = {Claim(1).Stage(Lifecycle::kUnderReview),
                              Claim(2).Stage(Lifecycle::kApproved).Parent(1).At(10),
                              Claim(3).Stage(Lifecycle::kRejected).Parent(1).At(20)};
  EXPECT_THAT(Kept(c, {.lifecycles = LifecycleSet::Any()}), ElementsAre(2));
  c[1] = Claim(2).Stage(Lifecycle::kApproved).Parent(1).At(30);
  EXPECT_THAT(Kept(c, {.lifecycles = LifecycleSet::Any()}), ElementsAre(1));
}

TEST(LineageTest, ARefutationAtTheSameStageIsACompetingClaim) {
  // 2 points at 1 but stays "proposed": a revision or refutation, not a stage change.
  std::vector<Candidate> c = {Claim(1).Text("a"), Claim(2).Text("b").Parent(1)};
  EXPECT_THAT(Kept(c), ElementsAre(0, 1));
}

TEST(LineageTest, AnEarlierStageNeverReplacesALaterOne) {
  // approved parent, proposed child: not a lifecycle move.
  std::vector<Candidate> c = {Claim(1).Stage(Lifecycle::kApproved),
                              Claim(2).Stage(Lifecycle::kProposed).Parent(1)};
  EXPECT_THAT(Kept(c), ElementsAre(0, 1));
}

TEST(LineageTest, ADescendantUnknownAtAsOfDoesNotReplace) {
  std::vector<Candidate> c = {Claim(1).Stage(Lifecycle::kProposed).Ingested(1'000),
                              Claim(2).Stage(Lifecycle::kUnderReview).Parent(1).Ingested(9'000)};
  EXPECT_THAT(Kept(c, {.as_of_ms = 5'000}), ElementsAre(0));
  EXPECT_THAT(Kept(c), ElementsAre(1));
}

TEST(LineageTest, TheDescendantReplacesEvenWhenAnotherFilterThenDropsIt) {
  // The replacement is decided on everything known; filters then judge the current stage.
  std::vector<Candidate> c = {
      Claim(1).Stage(Lifecycle::kProposed).Tier(Tier::kExpert),
      Claim(2).Stage(Lifecycle::kUnderReview).Parent(1).Tier(Tier::kClinical)};
  EXPECT_THAT(Kept(c, {.source_class = Tier::kExpert}), IsEmpty());
}

}  // namespace
}  // namespace stemedb::query

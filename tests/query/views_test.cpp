// The skeptic and layered views.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lens_test_support.h"
#include "stemedb/query/layered.h"
#include "stemedb/query/skeptic.h"

namespace stemedb::query {
namespace {

using ::testing::ElementsAre;
using namespace testing;  // NOLINT: test helpers

SkepticView MustSkeptic(const std::vector<Candidate>& c, const Filter& filter = {}) {
  auto view = ResolveSkeptic(c, filter, NowContext());
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  return view.ok() ? std::move(view).value() : SkepticView{};
}

LayeredView MustLayered(const std::vector<Candidate>& c) {
  auto view = ResolveLayered(c, {}, NowContext());
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  return view.ok() ? std::move(view).value() : LayeredView{};
}

TEST(SkepticTest, OneClaimIsUnanimous) {
  std::vector<Candidate> c = {Claim(1).Text("a").By(1), Claim(2).Text("a").By(2)};
  SkepticView v = MustSkeptic(c);
  EXPECT_EQ(v.status, SkepticStatus::kUnanimous);
  EXPECT_EQ(v.conflict_score, 0.0);
  ASSERT_EQ(v.claims.size(), 1u);
  EXPECT_EQ(v.claims[0].share, 1.0);
}

TEST(SkepticTest, NinetyTenIsAgreed) {
  // Community, trust 0.5: "a" 0.9 * 0.3 * 0.5 = 0.135, "b" 0.1 * 0.3 * 0.5 = 0.015.
  // Shares 0.9, 0.1 -> conflict 0.469 < 0.5: agreed.
  std::vector<Candidate> c = {Claim(1).Text("a").By(1).Confidence(0.9),
                              Claim(2).Text("b").By(2).Confidence(0.1)};
  SkepticView v = MustSkeptic(c);
  EXPECT_EQ(v.status, SkepticStatus::kAgreed);
  EXPECT_NEAR(v.conflict_score, 0.4689956, 1e-7);
  ASSERT_EQ(v.claims.size(), 2u);
  EXPECT_DOUBLE_EQ(v.claims[0].support, 0.135);
  EXPECT_DOUBLE_EQ(v.claims[0].share, 0.9);
  EXPECT_DOUBLE_EQ(v.claims[1].support, 0.015);
  EXPECT_NEAR(v.claims[1].share, 0.1, 1e-15);
}

TEST(SkepticTest, AnEvenSplitIsContested) {
  // 0.5/0.5 -> 1.0; 0.8/0.2 -> -(0.8 ln 0.8 + 0.2 ln 0.2)/ln 2 = 0.7219281, still >= 0.5.
  std::vector<Candidate> c = {Claim(1).Text("a").By(1), Claim(2).Text("b").By(2)};
  EXPECT_EQ(MustSkeptic(c).status, SkepticStatus::kContested);
  c[1] = Claim(2).Text("b").By(2).Confidence(0.25);  // 1.0 vs 0.25: shares 0.8, 0.2
  SkepticView v = MustSkeptic(c);
  EXPECT_NEAR(v.conflict_score, 0.7219281, 1e-7);
  EXPECT_EQ(v.status, SkepticStatus::kContested);
}

TEST(SkepticTest, ClaimsListTheirAssertionsHeaviestFirstAndTheirTiers) {
  std::vector<Candidate> c = {
      Claim(1).Text("a").By(1).Tier(Tier::kCommunity),   // 1.0 * 0.3 * 0.5 = 0.15
      Claim(2).Text("a").By(2).Tier(Tier::kRegulatory),  // 1.0 * 1.0 * 0.5 = 0.5
      Claim(3).Text("a").By(2).Tier(Tier::kAnecdotal),   // agent 2 again: not counted
      Claim(4).Text("b").By(3).Tier(Tier::kExpert)};     // 1.0 * 0.5 * 0.5 = 0.25
  SkepticView v = MustSkeptic(c);
  ASSERT_EQ(v.claims.size(), 2u);
  // "a" = 0.5 + 0.15 = 0.65 (agent 2 once), "b" = 0.25
  EXPECT_EQ(c[v.claims[0].representative].object, ObjectKey::Text("a"));
  EXPECT_DOUBLE_EQ(v.claims[0].support, 0.65);
  EXPECT_THAT(v.claims[0].assertions, ElementsAre(1, 0, 2));  // 0.5, 0.15, 0.05
  EXPECT_THAT(v.claims[0].tiers,
              ElementsAre(Tier::kRegulatory, Tier::kCommunity, Tier::kAnecdotal));
  EXPECT_THAT(v.claims[1].tiers, ElementsAre(Tier::kExpert));
  EXPECT_EQ(v.candidates_count, 4u);
}

TEST(SkepticTest, NothingToShowIsUnanimousAndEmpty) {
  SkepticView v = MustSkeptic({});
  EXPECT_EQ(v.status, SkepticStatus::kUnanimous);
  EXPECT_TRUE(v.claims.empty());
}

TEST(LayeredTest, EachTierResolvesAloneAndTheMostAuthoritativeTierWins) {
  std::vector<Candidate> c = {Claim(1).Text("a").By(1).Tier(Tier::kClinical).Confidence(0.2),
                              Claim(2).Text("b").By(2).Tier(Tier::kCommunity),
                              Claim(3).Text("b").By(3).Tier(Tier::kCommunity),
                              Claim(4).Text("c").By(4).Tier(Tier::kCommunity).Confidence(0.5)};
  LayeredView v = MustLayered(c);
  ASSERT_EQ(v.tiers.size(), 2u);
  EXPECT_EQ(v.tiers[0].tier, Tier::kClinical);
  EXPECT_EQ(v.tiers[0].candidates_count, 1u);
  EXPECT_EQ(v.tiers[0].conflict_score, 0.0);
  EXPECT_EQ(v.tiers[1].tier, Tier::kCommunity);
  EXPECT_EQ(v.tiers[1].candidates_count, 3u);
  // community: "b" 0.15 + 0.15 = 0.3, "c" 0.075: shares 0.8, 0.2 -> 0.7219281; rc 0.3/0.375 = 0.8
  EXPECT_NEAR(v.tiers[1].conflict_score, 0.7219281, 1e-7);
  EXPECT_DOUBLE_EQ(v.tiers[1].resolution_confidence, 0.8);
  EXPECT_EQ(c[v.tiers[1].winner.index].object, ObjectKey::Text("b"));
  // Clinical's 0.2 * 0.9 * 0.5 = 0.09 is lighter than community's 0.3, but clinical ranks higher.
  ASSERT_TRUE(v.winner);
  EXPECT_EQ(v.winner->index, 0u);
  EXPECT_TRUE(v.cross_tier_conflict);
}

TEST(LayeredTest, AgreeingTiersHaveNoCrossTierConflict) {
  std::vector<Candidate> c = {Claim(1).Text("a").By(1).Tier(Tier::kClinical),
                              Claim(2).Text("a").By(2).Tier(Tier::kAnecdotal)};
  LayeredView v = MustLayered(c);
  EXPECT_EQ(v.tiers.size(), 2u);
  EXPECT_FALSE(v.cross_tier_conflict);
}

TEST(LayeredTest, NothingToShowHasNoWinner) {
  LayeredView v = MustLayered({});
  EXPECT_TRUE(v.tiers.empty());
  EXPECT_FALSE(v.winner);
  EXPECT_FALSE(v.cross_tier_conflict);
}

}  // namespace
}  // namespace stemedb::query

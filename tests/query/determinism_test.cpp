// Lenses are pure: the same candidates give the same bytes whatever order they arrive in, and
// bad input is refused rather than guessed at.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "lens_test_support.h"
#include "reference_scenario.h"
#include "stemedb/query/result_json.h"

namespace stemedb::query {
namespace {

using namespace testing;  // NOLINT: test helpers

constexpr LensKind kAllLenses[] = {LensKind::kRecency, LensKind::kConfidence, LensKind::kConsensus,
                                   LensKind::kVote,    LensKind::kAuthority,  LensKind::kEpoch};

std::string Dump(const std::vector<Candidate>& c, LensKind lens) {
  Context context = NowContext();
  context.trust = TrustTable({{1, 0.9}, {3, 0.1}, {11, 0.7}});
  return ToJson(MustResolve(c, lens, context), c).dump();
}

TEST(DeterminismTest, InputOrderDoesNotChangeASingleByte) {
  std::vector<Candidate> c = ReferenceScenario();
  // Votes with awkward fractions, so that summation order would show in the last bits.
  for (size_t i = 0; i < c.size(); ++i) c[i].net_votes = 0.1 * double(i % 7) - 0.3;
  std::vector<std::string> expected;
  for (LensKind lens : kAllLenses) expected.push_back(Dump(c, lens));
  std::mt19937 shuffle_seed(20240601);  // fixed: the test is the same every run
  for (int round = 0; round < 5; ++round) {
    std::shuffle(c.begin(), c.end(), shuffle_seed);
    for (size_t l = 0; l < std::size(kAllLenses); ++l) {
      EXPECT_EQ(Dump(c, kAllLenses[l]), expected[l]) << LensName(kAllLenses[l]);
    }
  }
}

TEST(DeterminismTest, NoCandidatesGiveNoWinner) {
  for (LensKind lens : kAllLenses) {
    LensResult r = MustResolve({}, lens);
    EXPECT_FALSE(r.winner) << LensName(lens);
    EXPECT_EQ(r.resolution_confidence, 0.0);
    EXPECT_EQ(r.conflict_score, 0.0);
    EXPECT_EQ(r.candidates_count, 0u);
  }
}

TEST(DeterminismTest, InvalidCandidatesAreRefusedByEveryEntryPoint) {
  std::vector<Candidate> c = {Claim(1).NetVotes(std::nan(""))};
  for (LensKind lens : kAllLenses) {
    auto r = Resolve(c, LensRequest{.lens = lens}, NowContext());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("candidates[0].net_votes"), std::string::npos);
  }
}

TEST(DeterminismTest, LensNamesRoundTrip) {
  for (LensKind lens : kAllLenses) EXPECT_EQ(LensFromName(LensName(lens)), lens);
  EXPECT_FALSE(LensFromName("Recency"));
  EXPECT_FALSE(LensFromName("skeptic"));
}

}  // namespace
}  // namespace stemedb::query

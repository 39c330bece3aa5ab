#include "stemedb/query/conflict_score.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace stemedb::query {
namespace {

double Score(std::vector<double> weights) { return ConflictScore(weights); }

TEST(ConflictScoreTest, OneValueHasNoConflict) {
  EXPECT_EQ(Score({}), 0.0);
  EXPECT_EQ(Score({0.7}), 0.0);
}

TEST(ConflictScoreTest, EqualSplitIsOne) {
  EXPECT_DOUBLE_EQ(Score({0.4, 0.4}), 1.0);
  EXPECT_DOUBLE_EQ(Score({1, 1, 1}), 1.0);
  EXPECT_DOUBLE_EQ(Score({2, 2, 2, 2, 2}), 1.0);
}

TEST(ConflictScoreTest, NinetyTenIsAboutPoint47) {
  // -(0.9 ln 0.9 + 0.1 ln 0.1) / ln 2 = (0.0948245 + 0.2302585) / 0.6931472 = 0.4689956
  EXPECT_NEAR(Score({9, 1}), 0.4689956, 1e-7);
  EXPECT_NEAR(Score({0.9, 0.1}), 0.4689956, 1e-7);
}

TEST(ConflictScoreTest, SharesNotWeightsMatter) {
  EXPECT_DOUBLE_EQ(Score({3, 1}), Score({0.75, 0.25}));
}

TEST(ConflictScoreTest, ZeroWeightValuesCountInK) {
  // p = (1, 0, 0): H = 0 whatever k; (1, 1, 0): H = ln 2, / ln 3 = 0.6309298
  EXPECT_EQ(Score({1, 0, 0}), 0.0);
  EXPECT_NEAR(Score({1, 1, 0}), std::log(2.0) / std::log(3.0), 1e-15);
}

TEST(ConflictScoreTest, AllZeroIsMaximalDoubt) {
  EXPECT_EQ(Score({0, 0}), 1.0);
  EXPECT_EQ(Score({0}), 0.0);
}

TEST(ConflictScoreTest, NeverLeavesZeroToOne) {
  for (int k = 2; k < 40; ++k) {
    std::vector<double> weights(static_cast<size_t>(k), 0.1);
    double s = ConflictScore(weights);
    EXPECT_LE(s, 1.0);
    EXPECT_GE(s, 0.0);
  }
}

}  // namespace
}  // namespace stemedb::query

#include "stemedb/storage/id_filter.h"

#include <gtest/gtest.h>

#include <random>

#include "support/records.h"

namespace stemedb::storage {
namespace {

using stemedb::testing::RandomId;

TEST(IdFilterTest, AnswersMayForEverythingUntilComplete) {
  IdFilter filter(64);
  std::mt19937_64 rng(1);
  EXPECT_TRUE(filter.MayContain(RandomId(rng)));
  filter.MarkComplete();
  EXPECT_FALSE(filter.MayContain(RandomId(rng)));
}

TEST(IdFilterTest, NeverForgetsAnIdAndGrowsWithFewFalsePositives) {
  IdFilter filter(1024);  // 100,000 ids fill seven stages
  filter.MarkComplete();
  std::mt19937_64 rng(7);
  std::vector<core::Hash32> added;
  for (int i = 0; i < 100'000; ++i) {
    added.push_back(RandomId(rng));
    filter.Add(added.back());
  }
  for (const auto& id : added) ASSERT_TRUE(filter.MayContain(id));
  EXPECT_EQ(filter.ids(), 100'000u);
  int false_positives = 0;
  for (int i = 0; i < 100'000; ++i) false_positives += filter.MayContain(RandomId(rng)) ? 1 : 0;
  // Each stage is at about 1% when full; a look-up asks every one of them.
  EXPECT_LT(false_positives, 5'000);
  EXPECT_LT(filter.bytes(), 100'000u * 3);
}

}  // namespace
}  // namespace stemedb::storage

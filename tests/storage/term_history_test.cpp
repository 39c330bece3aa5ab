// The term history (storage/term_history.h): where each term begins, and the first term after
// a given one, which is where a standby of that term parts from this log.

#include "stemedb/storage/term_history.h"

#include <gtest/gtest.h>

namespace stemedb::storage {
namespace {

TEST(TermHistoryTest, FirstAfterIsWhereALogOfAnOlderTermParts) {
  TermHistory h;
  EXPECT_EQ(h.current(), 0u);
  EXPECT_FALSE(h.FirstAfter(0).has_value());
  h.Add({1, 0, "n1"});
  h.Add({3, 5000, "n2"});
  h.Add({4, 9000, "n3"});
  EXPECT_EQ(h.current(), 4u);
  EXPECT_EQ(h.Latest()->leader, "n3");
  EXPECT_EQ(h.FirstAfter(0)->term, 1u);
  EXPECT_EQ(h.FirstAfter(1)->offset, 5000u);  // term 2 never wrote a record here
  EXPECT_EQ(h.FirstAfter(2)->term, 3u);
  EXPECT_EQ(h.FirstAfter(3)->offset, 9000u);
  EXPECT_FALSE(h.FirstAfter(4).has_value());
}

TEST(TermHistoryTest, ApplyingTheSameTermAgainChangesNothing) {
  TermHistory h;
  h.Add({2, 700, "n1"});
  h.Add({2, 700, "n1"});  // replay after a restart
  EXPECT_EQ(h.current(), 2u);
  EXPECT_EQ(h.FirstAfter(1)->offset, 700u);
}

}  // namespace
}  // namespace stemedb::storage

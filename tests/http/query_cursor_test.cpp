#include "stemedb/http/query_cursor.h"

#include <gtest/gtest.h>

namespace stemedb::http {
namespace {

TEST(QueryCursorTest, RankingCursorRoundTripsOffsetAndSnapshot) {
  const RankingCursor c{70, {123456, 1700000000}};
  const std::string text = EncodeRankingCursor(c);
  auto back = ParseRankingCursor(text);
  ASSERT_TRUE(back.has_value()) << text;
  EXPECT_EQ(back->offset, 70u);
  EXPECT_EQ(back->at.seq_max, 123456u);
  EXPECT_EQ(back->at.now_s, 1700000000);
}

TEST(QueryCursorTest, AnythingElseIsNotARankingCursor) {
  for (const char* bad : {"", "o", "o7", "o7.1", "o7.1.2.3", "x7.1.2", "o-1.1.2", "o7..2", "o7.1.2 ", "o7.1.9999999999999",
                          "o1000001.1.2", "p6869", "o18446744073709551616.1.2"}) {
    EXPECT_FALSE(ParseRankingCursor(bad).has_value()) << bad;
  }
  EXPECT_TRUE(ParseRankingCursor("o1000000.0.253402300799").has_value());
}

TEST(QueryCursorTest, PredicateCursorRoundTripsAnyBytes) {
  const std::string predicate("dose\0/\xff", 7);
  auto back = ParsePredicateCursor(EncodePredicateCursor(predicate));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, predicate);
  EXPECT_FALSE(ParsePredicateCursor("p6").has_value());
  EXPECT_FALSE(ParsePredicateCursor("o1.2.3").has_value());
  EXPECT_FALSE(ParsePredicateCursor("").has_value());
}

}  // namespace
}  // namespace stemedb::http

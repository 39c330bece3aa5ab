#include "stemedb/http/query_params.h"

#include <gtest/gtest.h>

namespace stemedb::http {
namespace {

QueryParams MustParse(std::string_view q) {
  ApiError e{};
  auto p = QueryParams::Parse(q, &e);
  EXPECT_TRUE(p.has_value()) << e.message;
  return p.value_or(QueryParams());
}

TEST(QueryParamsTest, DecodesPercentAndPlus) {
  auto p = MustParse("subject=drugs%2Fsemaglutide&predicate=a+b&empty=&flag");
  EXPECT_EQ(*p.Get("subject"), "drugs/semaglutide");
  EXPECT_EQ(*p.Get("predicate"), "a b");
  EXPECT_EQ(*p.Get("empty"), "");
  EXPECT_EQ(*p.Get("flag"), "");
  EXPECT_FALSE(p.Get("missing").has_value());
}

TEST(QueryParamsTest, MalformedEscapesAndRepeatsAreRefused) {
  ApiError e{};
  EXPECT_FALSE(QueryParams::Parse("a=%zz", &e).has_value());
  EXPECT_EQ(e.status, 400);
  EXPECT_FALSE(QueryParams::Parse("a=%4", &e).has_value());
  EXPECT_FALSE(QueryParams::Parse("a=1&a=2", &e).has_value());
  EXPECT_NE(e.message.find("given more than once"), std::string::npos);
}

TEST(QueryParamsTest, UnknownNamesAreNamed) {
  auto p = MustParse("subject=x&predicte=y");
  auto e = p.RejectUnknown({"subject", "predicate"});
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "unknown_parameter");
  EXPECT_NE(e->message.find("predicte"), std::string::npos);
  EXPECT_EQ(e->field, "predicte");
}

TEST(QueryParamsTest, TypedGettersCheckRanges) {
  auto p = MustParse("limit=1001&depth=5&decay=maybe&lens=vote&neg=-3");
  ApiError e{};
  EXPECT_FALSE(p.Uint("limit", 100, 1, 1000, &e).has_value());
  EXPECT_NE(e.message.find("1..1000"), std::string::npos);
  EXPECT_EQ(*p.Uint("depth", 10, 0, 64, &e), 5u);
  EXPECT_EQ(*p.Uint("absent", 100, 1, 1000, &e), 100u);
  EXPECT_FALSE(p.Bool("decay", true, &e).has_value());
  EXPECT_EQ(*p.OneOf("lens", "recency", {"recency", "vote"}, &e), "vote");
  EXPECT_FALSE(p.OneOf("lens", "recency", {"recency"}, &e).has_value());
  EXPECT_EQ(*p.Int("neg", 0, -10, 10, &e), -3);
}

}  // namespace
}  // namespace stemedb::http

#include "stemedb/http/request_id.h"

#include <gtest/gtest.h>

namespace stemedb::http {
namespace {

TEST(RequestIdTest, AcceptableClientIdsAreKept) {
  const std::string id = "trace-42.a:b_C";
  EXPECT_EQ(ChooseRequestId(&id), id);
}

TEST(RequestIdTest, MissingOrUnacceptableIdsGetAFreshOne) {
  for (const std::string& bad : {std::string(""), std::string("has space"), std::string(129, 'a'),
                                 std::string("new\nline")}) {
    const std::string chosen = ChooseRequestId(&bad);
    EXPECT_NE(chosen, bad);
    EXPECT_EQ(chosen.size(), 32u);
  }
  EXPECT_EQ(ChooseRequestId(nullptr).size(), 32u);
  EXPECT_NE(ChooseRequestId(nullptr), ChooseRequestId(nullptr));
}

}  // namespace
}  // namespace stemedb::http

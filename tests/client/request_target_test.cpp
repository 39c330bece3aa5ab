#include "stemedb/client/request_target.h"

#include <gtest/gtest.h>

namespace stemedb::client {
namespace {

TEST(RequestTargetTest, PercentEncodesAllButUnreservedCharacters) {
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("drugs/semaglutide"), "drugs%2Fsemaglutide");
  EXPECT_EQ(PercentEncode("a b&c=d?e#f+g%"), "a%20b%26c%3Dd%3Fe%23f%2Bg%25");
  EXPECT_EQ(PercentEncode("\xC3\xA9"), "%C3%A9");  // é, byte by byte
  EXPECT_EQ(PercentEncode(""), "");
}

TEST(RequestTargetTest, JoinsParametersInOrder) {
  EXPECT_EQ(RequestTarget("/v1/feed").str(), "/v1/feed");
  RequestTarget t("/v1/query");
  t.Add("subject", "drugs/x").Add("lens", "vote").Add("cursor", "o100");
  EXPECT_EQ(t.str(), "/v1/query?subject=drugs%2Fx&lens=vote&cursor=o100");
}

}  // namespace
}  // namespace stemedb::client

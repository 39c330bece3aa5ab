// What the etcd client does without etcd: base64 both ways (etcd's JSON gateway carries keys
// and values so) and endpoint lists. Talking to a real etcd is the failover test's part.

#include "stemedb/cluster/etcd_client.h"

#include <gtest/gtest.h>

namespace stemedb::cluster {
namespace {

TEST(EtcdClientTest, Base64RoundTripsBinaryKeys) {
  EXPECT_EQ(Base64("/stemedb/x/leader"), "L3N0ZW1lZGIveC9sZWFkZXI=");
  const std::string binary("\0\xff\x10 key", 7);
  EXPECT_EQ(FromBase64(Base64(binary)), binary);
  EXPECT_EQ(FromBase64(""), std::string());
  EXPECT_FALSE(FromBase64("not base64!").has_value());
}

TEST(EtcdClientTest, EndpointsParseAndBadOnesAreNamed) {
  auto ok = EtcdClient::ParseEndpoints("http://127.0.0.1:2379,http://10.0.0.2:2380");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[1].port, 2380);
  EXPECT_FALSE(EtcdClient::ParseEndpoints("").ok());
  auto bad = EtcdClient::ParseEndpoints("http://127.0.0.1:2379,ftp://x");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("etcd_endpoints"), std::string::npos);
}

}  // namespace
}  // namespace stemedb::cluster

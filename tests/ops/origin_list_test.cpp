// server.cors_allowed_origins: what a browser's Origin header can be is accepted (lower-cased),
// anything else is refused naming the entry.

#include "stemedb/ops/origin_list.h"

#include <gtest/gtest.h>

namespace stemedb::ops {
namespace {

TEST(OriginListTest, EmptyIsNoOrigin) {
  auto none = ParseOriginList("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(ParseOriginList(" , ")->empty());
}

TEST(OriginListTest, OriginsAreTrimmedAndLowerCased) {
  auto origins = ParseOriginList(" https://Console.Example.com , http://127.0.0.1:8080,http://[::1]:3000");
  ASSERT_TRUE(origins.ok()) << origins.status().message();
  EXPECT_EQ(*origins, (std::vector<std::string>{"https://console.example.com", "http://127.0.0.1:8080", "http://[::1]:3000"}));
}

TEST(OriginListTest, WhatNoOriginLooksLikeIsRefusedByName) {
  for (const auto& [text, why] : std::vector<std::pair<std::string, std::string>>{
           {"*", "'*' is not accepted"},
           {"console.example.com", "is not scheme://host[:port]"},
           {"ftp://files.example.com", "the scheme must be http or https"},
           {"https://console.example.com/", "has a path or a trailing slash"},
           {"https://console.example.com/app", "has a path or a trailing slash"},
           {"https://", "has no host"},
           {"https://user@console.example.com", "has '@'"},
       }) {
    auto r = ParseOriginList("http://ok.example.com, " + text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.status().message().find("server.cors_allowed_origins"), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status().message();
  }
}

TEST(OriginListTest, AtMostTheBound) {
  std::string text;
  for (size_t i = 0; i < kCorsOriginsMax; ++i) text += "http://o" + std::to_string(i) + ".example.com,";
  EXPECT_TRUE(ParseOriginList(text).ok());
  auto r = ParseOriginList(text + "http://one-more.example.com");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("more than 64 origins"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace stemedb::ops

#include "stemedb/ops/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace stemedb::ops {
namespace {

std::string Written(auto&& write) {
  std::string out;
  JsonWriter w(out);
  write(w);
  EXPECT_TRUE(w.Complete());
  return out;
}

TEST(JsonWriterTest, WritesNestedValuesWithCommas) {
  std::string out = Written([](JsonWriter& w) {
    w.BeginObject();
    w.Key("a").Int(-3);
    w.Key("b").BeginArray().UInt(1).Bool(true).Null().String("x").EndArray();
    w.Key("c").BeginObject().EndObject();
    w.Key("d").BeginArray().EndArray();
    w.EndObject();
  });
  EXPECT_EQ(out, R"({"a":-3,"b":[1,true,null,"x"],"c":{},"d":[]})");
}

TEST(JsonWriterTest, DoublesAreShortestRoundTripAndStayDoubles) {
  auto one = [](double v) { return Written([&](JsonWriter& w) { w.Double(v); }); };
  EXPECT_EQ(one(0.45), "0.45");
  EXPECT_EQ(one(1.0), "1.0");
  EXPECT_EQ(one(0.0), "0.0");
  EXPECT_EQ(one(-2.0), "-2.0");
  EXPECT_EQ(one(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(one(1e-7), "1e-07");
  EXPECT_EQ(one(1e300), "1e+300");
  for (double v : {0.3825, 1.0 / 3.0, 6.02214076e23, 5e-324}) {
    EXPECT_EQ(nlohmann::json::parse(one(v)).get<double>(), v) << one(v);
  }
}

TEST(JsonWriterTest, IntegersCoverTheirWholeRange) {
  EXPECT_EQ(Written([](JsonWriter& w) { w.Int(std::numeric_limits<int64_t>::min()); }),
            "-9223372036854775808");
  EXPECT_EQ(Written([](JsonWriter& w) { w.UInt(std::numeric_limits<uint64_t>::max()); }),
            "18446744073709551615");
}

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  std::string tricky = std::string("a\"b\\c\nd\te\x01", 10) + std::string(1, '\0') + "\x1f\x7f";
  std::string out = Written([&](JsonWriter& w) { w.String(tricky); });
  EXPECT_EQ(out, R"("a\"b\\c\nd\te\u0001\u0000\u001f)"
                 "\x7f\"");
  EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), tricky);
}

TEST(JsonWriterTest, EscapingFindsSpecialBytesAtEveryOffsetOfALongString) {
  // The word-at-a-time scan must not miss a byte in any of the 8 positions of a word.
  for (size_t at = 0; at < 24; ++at) {
    for (char special : {'"', '\\', '\x00', '\x1f', '\n'}) {
      std::string s(24, 'x');
      s[at] = special;
      std::string out = Written([&](JsonWriter& w) { w.String(s); });
      EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), s) << at << " " << int(special);
    }
  }
}

TEST(JsonWriterTest, Utf8PassesThroughUnchanged) {
  std::string text = "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x92\x8a";
  std::string out = Written([&](JsonWriter& w) { w.String(text); });
  EXPECT_EQ(out, "\"" + text + "\"");
}

TEST(JsonWriterDeathTest, MisuseStopsTheProcess) {
  EXPECT_DEATH(Written([](JsonWriter& w) { w.BeginObject().Int(1); }), "key is due");
  EXPECT_DEATH(Written([](JsonWriter& w) { w.BeginArray().EndObject(); }), "unbalanced");
  EXPECT_DEATH(Written([](JsonWriter& w) { w.Double(std::nan("")); }), "non-finite");
  EXPECT_DEATH(Written([](JsonWriter& w) { w.Int(1).Int(2); }), "second top-level");
}

}  // namespace
}  // namespace stemedb::ops

#include "stemedb/core/plain_assertion_reader.h"

#include <gtest/gtest.h>

#include "sample_records.h"
#include "stemedb/core/assertion_body.h"
#include "stemedb/core/json_body.h"
#include "stemedb/core/record_json.h"

namespace stemedb::core {
namespace {

using nlohmann::json;

// Every member set, each plain (no escapes), so the plain reader takes it.
Assertion EveryMember() {
  Assertion a = testing::FullAssertion();
  a.narrative = "Révision : 3 cas sur 1000.";
  return testing::SignedBy(a, {testing::KeyOf(1), testing::KeyOf(2)});
}

// What the general reader makes of the same text.
FieldResult<Assertion> General(const std::string& text) {
  FieldResult<json> body = ParseJsonBody(text);
  if (!body.ok()) return body.error();
  return AssertionFromJson(*body);
}

TEST(PlainAssertionReaderTest, ReadsWhatTheGeneralReaderReads) {
  for (const Assertion& a : {testing::MinimalAssertion(), EveryMember()}) {
    const std::string text = ToJson(a).dump();
    std::optional<Assertion> plain = ReadPlainAssertion(text);
    ASSERT_TRUE(plain.has_value()) << text;
    EXPECT_EQ(*plain, a);
    EXPECT_EQ(*plain, *General(text));
  }
}

TEST(PlainAssertionReaderTest, TakesAnyMemberOrderAndJsonWhitespace) {
  const std::string text = ToJson(EveryMember()).dump(1, '\t');
  ASSERT_TRUE(ReadPlainAssertion(text).has_value());
  EXPECT_EQ(*ReadPlainAssertion(text), EveryMember());

  json reordered = ToJson(testing::MinimalAssertion());
  // "value" before "type": the value is read before its type is known.
  const std::string object = R"({"value": "rare", "type": "text"})";
  std::string swapped = reordered.dump();
  swapped.replace(swapped.find(R"({"type":"text","value":"rare"})"), 30, object);
  ASSERT_TRUE(ReadPlainAssertion(swapped).has_value()) << swapped;
  EXPECT_EQ(*ReadPlainAssertion(swapped), testing::MinimalAssertion());
}

TEST(PlainAssertionReaderTest, ReadsEachObjectType) {
  const std::vector<ObjectValue> objects = {TextObject{"x"},      NumberObject{-1.5e-3},
                                            NumberObject{7},      BooleanObject{true},
                                            BooleanObject{false}, ReferenceObject{"entities/42"}};
  for (const ObjectValue& object : objects) {
    Assertion a = testing::MinimalAssertion();
    a.object = object;
    const std::string text = ToJson(a).dump();
    ASSERT_TRUE(ReadPlainAssertion(text).has_value()) << text;
    EXPECT_EQ(ReadPlainAssertion(text)->object, object);
  }
}

// Each of these is declined, valid JSON or not: the general reader answers it (and names the
// problem of the invalid ones).
TEST(PlainAssertionReaderTest, DeclinesAnythingButThePlainShape) {
  const std::string base = ToJson(testing::MinimalAssertion()).dump();
  auto with = [&](const std::string& from, const std::string& to) {
    std::string text = base;
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
  };
  const std::vector<std::string> declined = {
      with(R"("drugs/semaglutide")", R"("drugs\/semaglutide")"),  // an escape
      with(R"("drugs/semaglutide")", "\"drugs\tsemaglutide\""),   // a raw control character
      with(R"("drugs/semaglutide")", "\"drugs\xff\""),            // invalid UTF-8
      with(R"("confidence":0.9)", R"("confidence":0.9,"narrative":null)"),  // a null
      with(R"("confidence":0.9)", R"("confidence":0.9,"extra":1)"),         // an unknown member
      with(R"("confidence":0.9)", R"("confidence":0.9,"confidence":0.8)"),  // a duplicate member
      with(R"("confidence":0.9)", R"("confidence":"0.9")"),                 // a wrong type
      with(R"("confidence":0.9)", R"("confidence":.9)"),  // not JSON's number grammar
      with(R"("confidence":0.9)", R"("confidence":09)"),
      with(R"("confidence":0.9)", R"("confidence":1e400)"),              // overflows a double
      with(R"("timestamp":1700000000)", R"("timestamp":1700000000.0)"),  // a time with a fraction
      with(R"("timestamp":1700000000)", R"("timestamp":253402300800)"),  // past the last time
      with(R"(,"timestamp":1700000000)", ""),          // a required member missing
      with(R"("type":"text")", R"("type":"number")"),  // value of another type
      with(R"("type":"text")", R"("type":"colour")"),  // an unknown type
      "\xef\xbb\xbf" + base,                           // a byte-order mark
      base + "x",                                      // trailing text
      base.substr(0, base.size() - 1),                 // cut short
      "[" + base + "]",
  };
  for (const std::string& text : declined) {
    EXPECT_FALSE(ReadPlainAssertion(text).has_value()) << text;
  }
}

TEST(PlainAssertionReaderTest, ReadsABatchAndDeclinesItsLimits) {
  const std::string one = ToJson(testing::MinimalAssertion()).dump();
  const std::string two = ToJson(EveryMember()).dump();
  std::optional<std::vector<Assertion>> batch =
      ReadPlainAssertionBatch(R"({"assertions":[)" + one + "," + two + "]}");
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->size(), 2u);
  EXPECT_EQ((*batch)[0], testing::MinimalAssertion());
  EXPECT_EQ((*batch)[1], EveryMember());

  EXPECT_FALSE(ReadPlainAssertionBatch(R"({"assertions":[]})").has_value());
  EXPECT_FALSE(
      ReadPlainAssertionBatch(R"({"assertions":[)" + one + "]," + R"("more":1})").has_value());
  std::string over = R"({"assertions":[)" + one;
  for (size_t i = 0; i < kBatchRecordsMax; ++i) over += "," + one;
  EXPECT_FALSE(ReadPlainAssertionBatch(over + "]}").has_value());
}

// The body readers answer as the general reader does, whichever reader ran.
TEST(AssertionBodyTest, AnswersAsTheGeneralReaderDoes) {
  const std::string plain = ToJson(testing::MinimalAssertion()).dump();
  EXPECT_EQ(*AssertionFromBody(plain, kBodyBytesMax), testing::MinimalAssertion());

  Assertion unsigned_claim = testing::MinimalAssertion();
  unsigned_claim.signatures.clear();
  EXPECT_EQ(AssertionFromBody(ToJson(unsigned_claim).dump(), kBodyBytesMax).error().code,
            General(ToJson(unsigned_claim).dump()).error().code);
  EXPECT_EQ(AssertionFromBody(R"({"subject":"s","subject":"t"})", kBodyBytesMax).error().code,
            "malformed_json");
  EXPECT_EQ(AssertionFromBody(plain, 10).error().code, "body_too_large");

  auto items = AssertionBatchFromBody(
      R"({"assertions":[)" + plain + "," + ToJson(unsigned_claim).dump() + "]}", kBodyBytesMax);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 2u);
  EXPECT_TRUE((*items)[0].ok());
  EXPECT_EQ((*items)[1].error().field, "signatures");
  EXPECT_EQ(AssertionBatchFromBody(R"({"assertions":[]})", kBodyBytesMax).error().code,
            "empty_batch");
}

}  // namespace
}  // namespace stemedb::core

#include "stemedb/core/json_body.h"

#include <gtest/gtest.h>

#include "stemedb/core/limits.h"

namespace stemedb::core {
namespace {

FieldError ErrorOf(std::string_view body) {
  auto result = ParseJsonBody(body);
  EXPECT_FALSE(result.ok()) << body;
  return result.ok() ? FieldError{} : result.error();
}

TEST(JsonBodyTest, ParsesAnObject) {
  auto result = ParseJsonBody(R"({"a": [1, 2.5, "x", null, true], "b": {"c": -0.0}})");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ((*result)["a"][1], 2.5);
}

TEST(JsonBodyTest, SyntaxErrorsGiveTheBytePosition) {
  FieldError e = ErrorOf(R"({"a": 1,})");
  EXPECT_EQ(e.code, "malformed_json");
  EXPECT_EQ(e.kind, FieldError::Kind::kMalformed);
  EXPECT_EQ(e.HttpStatus(), 400);
  EXPECT_EQ(e.field, "");
  EXPECT_TRUE(e.message.starts_with("body: malformed JSON at byte 9: ")) << e.message;

  EXPECT_EQ(ErrorOf("").code, "malformed_json");
  EXPECT_EQ(ErrorOf("{} trailing").code, "malformed_json");
  EXPECT_EQ(ErrorOf("{'a': 1}").code, "malformed_json");
}

TEST(JsonBodyTest, NanAndInfinityAreRefusedWithAHint) {
  for (std::string_view body :
       {R"({"confidence": NaN})", R"({"confidence": Infinity})", R"({"confidence": -Infinity})"}) {
    FieldError e = ErrorOf(body);
    EXPECT_EQ(e.code, "malformed_json") << body;
    EXPECT_NE(e.message.find("NaN and Infinity are not JSON numbers"), std::string::npos)
        << e.message;
  }
}

TEST(JsonBodyTest, NumbersOverflowingADoubleAreRefusedAtTheirPath) {
  FieldError e = ErrorOf(R"({"object": {"type": "number", "value": 1e400}})");
  EXPECT_EQ(e.code, "invalid_number");
  EXPECT_EQ(e.field, "object.value");
  EXPECT_EQ(e.message, "object.value: number overflows a 64-bit float (numbers must be finite)");
  EXPECT_EQ(ErrorOf(R"({"s": [{"a": 1}, {"b": -1e999}]})").field, "s[1].b");
  EXPECT_EQ(ErrorOf(R"([0, 1, 2e308])").field, "[2]");
}

TEST(JsonBodyTest, InvalidUtf8AndLoneSurrogatesAreRefused) {
  EXPECT_EQ(ErrorOf("{\"subject\": \"caf\xe9\"}").code, "malformed_json");  // Latin-1 é
  EXPECT_EQ(ErrorOf(R"({"subject": "\ud800"})").code, "malformed_json");
  FieldError e = ErrorOf("{\"subject\": \"\xff\xfe\"}");
  // The message never echoes the invalid bytes (a JSON error body must stay valid UTF-8).
  EXPECT_EQ(e.message.find('\xff'), std::string::npos);
  EXPECT_TRUE(ParseJsonBody(R"({"subject": "\ud83d\udc8a"})").ok());  // a valid pair
}

TEST(JsonBodyTest, DuplicateKeysAreRefusedAtTheirPath) {
  FieldError e = ErrorOf(R"({"subject": "a", "subject": "b"})");
  EXPECT_EQ(e.code, "malformed_json");
  EXPECT_EQ(e.field, "subject");
  EXPECT_EQ(e.message, "subject: duplicate key in object");
  EXPECT_EQ(
      ErrorOf(R"({"signatures": [{"agent_id": "a"}, {"agent_id": "a", "agent_id": "b"}]})").field,
      "signatures[1].agent_id");
  // The same key in different objects is fine.
  EXPECT_TRUE(ParseJsonBody(R"({"a": {"x": 1}, "b": {"x": 2}})").ok());
}

TEST(JsonBodyTest, NestingIsLimited) {
  std::string deep(kJsonDepthMax, '[');
  deep += std::string(kJsonDepthMax, ']');
  EXPECT_TRUE(ParseJsonBody(deep).ok());
  std::string deeper(kJsonDepthMax + 1, '[');
  deeper += std::string(kJsonDepthMax + 1, ']');
  FieldError e = ErrorOf(deeper);
  EXPECT_EQ(e.code, "malformed_json");
  EXPECT_NE(e.message.find("nesting deeper than 32 levels"), std::string::npos) << e.message;
  // A hostile body far beyond the limit stops early.
  EXPECT_EQ(ErrorOf(std::string(500000, '[')).code, "malformed_json");
}

TEST(JsonBodyTest, BodiesOverTheLimitAreTooLarge) {
  std::string body = "\"" + std::string(kBodyBytesMax - 2, 'a') + "\"";
  EXPECT_TRUE(ParseJsonBody(body).ok());
  body.insert(1, "a");
  FieldError e = ErrorOf(body);
  EXPECT_EQ(e.code, "body_too_large");
  EXPECT_EQ(e.kind, FieldError::Kind::kTooLarge);
  EXPECT_EQ(e.HttpStatus(), 413);
  EXPECT_EQ(e.message, "body: 1048577 bytes exceeds the limit of 1048576");
}

}  // namespace
}  // namespace stemedb::core

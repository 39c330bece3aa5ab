#include "stemedb/core/record_json.h"

#include <gtest/gtest.h>

#include <functional>

#include "sample_records.h"
#include "stemedb/core/hex.h"

namespace stemedb::core {
namespace {

using nlohmann::json;

std::string Hex64(char c) { return std::string(64, c); }
std::string Sig128(char c) { return std::string(128, c); }

// Shapes accepted by *FromJson; the signatures are well-formed but not checked here.
json AssertionBody() {
  return {{"subject", "drugs/semaglutide"},
          {"predicate", "gastroparesis_risk"},
          {"object", {{"type", "text"}, {"value", "rare"}}},
          {"confidence", 0.9},
          {"timestamp", 1700000000},
          {"signatures", {{{"agent_id", Hex64('a')}, {"signature", Sig128('b')}}}}};
}

json VoteBody() {
  return {{"assertion_hash", Hex64('1')},
          {"agent_id", Hex64('2')},
          {"weight", 0.5},
          {"timestamp", 1700000000},
          {"signature", Sig128('3')}};
}

json EpochBody() {
  return {{"name", "covid-guidelines-2020"},
          {"started_at", 1577836800},
          {"signatures", {{{"agent_id", Hex64('a')}, {"signature", Sig128('b')}}}}};
}

json SourceBody() { return {{"uri", "https://example.org/doc"}}; }

json Signatures(size_t count) {
  json out = json::array();
  for (size_t i = 0; i < count; ++i) {
    std::string agent = Hex64('0');
    agent[0] = "0123456789abcdef"[i % 16];
    agent[1] = "0123456789abcdef"[i / 16];
    out.push_back({{"agent_id", agent}, {"signature", Sig128('c')}});
  }
  return out;
}

enum class Shape { kAssertion, kVote, kEpoch, kSource, kRetraction, kBatch };

std::optional<FieldError> ParseError(Shape shape, const json& body) {
  auto error_of = [](const auto& result) -> std::optional<FieldError> {
    if (result.ok()) return std::nullopt;
    return result.error();
  };
  switch (shape) {
    case Shape::kAssertion:
      return error_of(AssertionFromJson(body));
    case Shape::kVote:
      return error_of(VoteFromJson(body));
    case Shape::kEpoch:
      return error_of(EpochFromJson(body));
    case Shape::kSource:
      return error_of(SourceFromJson(body));
    case Shape::kRetraction:
      return error_of(SourceRetractionFromJson(body, Hash32{}));
    case Shape::kBatch:
      return error_of(AssertionBatchItemsFromJson(body));
  }
  return std::nullopt;
}

json BaseOf(Shape shape) {
  switch (shape) {
    case Shape::kAssertion:
      return AssertionBody();
    case Shape::kVote:
      return VoteBody();
    case Shape::kEpoch:
      return EpochBody();
    case Shape::kSource:
      return SourceBody();
    case Shape::kRetraction:
      return {{"reason", "withdrawn"}};
    case Shape::kBatch:
      return {{"assertions", json::array({AssertionBody()})}};
  }
  return {};
}

constexpr auto kMalformed = FieldError::Kind::kMalformed;
constexpr auto kInvalid = FieldError::Kind::kInvalid;

struct ErrorCase {
  const char* name;
  Shape shape;
  std::function<void(json&)> mutate;
  const char* code;
  const char* field;
  FieldError::Kind kind;
  const char* message;  // the exact message, or a part of it when it ends with "..."
};

const std::vector<ErrorCase>& ErrorCases() {
  static const std::vector<ErrorCase> cases = {
      // The body.
      {"body is an array", Shape::kAssertion, [](json& b) { b = json::array(); }, "wrong_type", "",
       kMalformed, "body: expected an object, got an array"},
      {"unknown field", Shape::kAssertion, [](json& b) { b["narative"] = "x"; }, "unknown_field",
       "narative", kMalformed, "narative: unknown field (accepted: subject, predicate, ..."},
      {"server field id is not accepted", Shape::kAssertion, [](json& b) { b["id"] = Hex64('0'); },
       "unknown_field", "id", kMalformed, "id: unknown field..."},
      // subject.
      {"subject missing", Shape::kAssertion, [](json& b) { b.erase("subject"); }, "missing_field",
       "subject", kMalformed, "subject: required field is missing"},
      {"subject number", Shape::kAssertion, [](json& b) { b["subject"] = 5; }, "wrong_type",
       "subject", kMalformed, "subject: expected a string, got an integer"},
      {"subject null", Shape::kAssertion, [](json& b) { b["subject"] = nullptr; }, "wrong_type",
       "subject", kMalformed, "subject: expected a string, got null"},
      {"subject empty", Shape::kAssertion, [](json& b) { b["subject"] = ""; }, "empty_string",
       "subject", kInvalid, "subject: must not be empty (1..512 bytes)"},
      {"subject 513 bytes", Shape::kAssertion, [](json& b) { b["subject"] = std::string(513, 's'); },
       "string_too_long", "subject", kInvalid, "subject: 513 bytes exceeds the limit of 512"},
      {"subject bell", Shape::kAssertion, [](json& b) { b["subject"] = "abc\x07"; },
       "invalid_characters", "subject", kInvalid,
       "subject: control character U+0007 at byte 3 is not allowed"},
      {"subject newline", Shape::kAssertion, [](json& b) { b["subject"] = "a\nb"; },
       "invalid_characters", "subject", kInvalid, "subject: control character U+000A..."},
      {"subject C1 control", Shape::kAssertion, [](json& b) { b["subject"] = "a\xc2\x85"; },
       "invalid_characters", "subject", kInvalid, "subject: control character U+0085..."},
      {"predicate 257 bytes", Shape::kAssertion,
       [](json& b) { b["predicate"] = std::string(257, 'p'); }, "string_too_long", "predicate",
       kInvalid, "predicate: 257 bytes exceeds the limit of 256"},
      // object.
      {"object missing", Shape::kAssertion, [](json& b) { b.erase("object"); }, "missing_field",
       "object", kMalformed, "object: required field is missing"},
      {"object is a string", Shape::kAssertion, [](json& b) { b["object"] = "rare"; },
       "wrong_type", "object", kMalformed, "object: expected an object, got a string"},
      {"object type missing", Shape::kAssertion, [](json& b) { b["object"].erase("type"); },
       "missing_field", "object.type", kMalformed, "object.type: required field is missing"},
      {"object type unknown", Shape::kAssertion, [](json& b) { b["object"]["type"] = "colour"; },
       "invalid_enum", "object.type", kInvalid,
       "object.type: \"colour\" is not one of: text, number, boolean, reference"},
      {"object value missing", Shape::kAssertion, [](json& b) { b["object"].erase("value"); },
       "missing_field", "object.value", kMalformed, "object.value: required field is missing"},
      {"object unknown member", Shape::kAssertion, [](json& b) { b["object"]["unit"] = "%"; },
       "unknown_field", "object.unit", kMalformed, "object.unit: unknown field (accepted: type, value)"},
      {"text value is a number", Shape::kAssertion, [](json& b) { b["object"]["value"] = 1; },
       "wrong_type", "object.value", kMalformed, "object.value: expected a string, got an integer"},
      {"text value too long", Shape::kAssertion,
       [](json& b) { b["object"]["value"] = std::string(65537, 't'); }, "string_too_long",
       "object.value", kInvalid, "object.value: 65537 bytes exceeds the limit of 65536"},
      {"text value empty", Shape::kAssertion, [](json& b) { b["object"]["value"] = ""; },
       "empty_string", "object.value", kInvalid, "object.value: must not be empty..."},
      {"number value is a string", Shape::kAssertion,
       [](json& b) { b["object"] = {{"type", "number"}, {"value", "96.7"}}; }, "wrong_type",
       "object.value", kMalformed, "object.value: expected a number, got a string"},
      {"number value NaN built in code", Shape::kAssertion,
       [](json& b) { b["object"] = {{"type", "number"}, {"value", std::nan("")}}; },
       "invalid_number", "object.value", kMalformed, "object.value: must be a finite number..."},
      {"boolean value is a string", Shape::kAssertion,
       [](json& b) { b["object"] = {{"type", "boolean"}, {"value", "true"}}; }, "wrong_type",
       "object.value", kMalformed, "object.value: expected a boolean, got a string"},
      {"reference with a tab", Shape::kAssertion,
       [](json& b) { b["object"] = {{"type", "reference"}, {"value", "a\tb"}}; },
       "invalid_characters", "object.value", kInvalid, "object.value: control character U+0009..."},
      {"reference too long", Shape::kAssertion,
       [](json& b) { b["object"] = {{"type", "reference"}, {"value", std::string(513, 'r')}}; },
       "string_too_long", "object.value", kInvalid, "object.value: 513 bytes exceeds the limit of 512"},
      // confidence and times.
      {"confidence above 1", Shape::kAssertion, [](json& b) { b["confidence"] = 1.5; },
       "value_out_of_range", "confidence", kInvalid, "confidence: 1.5 is outside 0..1"},
      {"confidence negative", Shape::kAssertion, [](json& b) { b["confidence"] = -0.1; },
       "value_out_of_range", "confidence", kInvalid, "confidence: -0.1 is outside 0..1"},
      {"confidence string", Shape::kAssertion, [](json& b) { b["confidence"] = "0.5"; },
       "wrong_type", "confidence", kMalformed, "confidence: expected a number, got a string"},
      {"timestamp negative", Shape::kAssertion, [](json& b) { b["timestamp"] = -5; },
       "invalid_timestamp", "timestamp", kInvalid,
       "timestamp: -5 is outside 0..253402300799 (unix seconds up to 9999-12-31; negative times "
       "are not supported)"},
      {"timestamp fractional", Shape::kAssertion, [](json& b) { b["timestamp"] = 1.5; },
       "wrong_type", "timestamp", kMalformed,
       "timestamp: expected an integer (unix seconds), got a number with a fraction or exponent"},
      {"timestamp after 9999", Shape::kAssertion, [](json& b) { b["timestamp"] = 253402300800; },
       "invalid_timestamp", "timestamp", kInvalid, "timestamp: 253402300800 is outside..."},
      {"timestamp u64 max", Shape::kAssertion,
       [](json& b) { b["timestamp"] = std::numeric_limits<uint64_t>::max(); }, "invalid_timestamp",
       "timestamp", kInvalid, "timestamp: 18446744073709551615 is outside..."},
      {"timestamp beyond 64 bits", Shape::kAssertion, [](json& b) { b["timestamp"] = 1e20; },
       "invalid_timestamp", "timestamp", kInvalid, "timestamp: 1e+20 is outside 0..253402300799..."},
      {"timestamp beyond 64 bits, negative", Shape::kAssertion, [](json& b) { b["timestamp"] = -1e20; },
       "invalid_timestamp", "timestamp", kInvalid, "timestamp: -1e+20 is outside..."},
      {"timestamp with an exponent", Shape::kAssertion, [](json& b) { b["timestamp"] = 1.7e9; },
       "wrong_type", "timestamp", kMalformed, "timestamp: expected an integer (unix seconds)..."},
      {"timestamp boolean", Shape::kAssertion, [](json& b) { b["timestamp"] = true; },
       "wrong_type", "timestamp", kMalformed, "timestamp: expected an integer (unix seconds)..."},
      // hex ids.
      {"source_hash 63 chars", Shape::kAssertion, [](json& b) { b["source_hash"] = std::string(63, 'a'); },
       "invalid_hex", "source_hash", kMalformed, "source_hash: expected 64 hex characters, got 63"},
      {"source_hash bad char", Shape::kAssertion,
       [](json& b) { b["source_hash"] = "g" + std::string(63, 'a'); }, "invalid_hex",
       "source_hash", kMalformed, "source_hash: invalid hex character 'g' at position 0"},
      {"epoch number", Shape::kAssertion, [](json& b) { b["epoch"] = 7; }, "wrong_type", "epoch",
       kMalformed, "epoch: expected a string, got an integer"},
      {"parent_hash short", Shape::kAssertion, [](json& b) { b["parent_hash"] = "abcd"; },
       "invalid_hex", "parent_hash", kMalformed, "parent_hash: expected 64 hex characters, got 4"},
      // enums.
      {"source_class capitalised", Shape::kAssertion,
       [](json& b) { b["source_class"] = "Regulatory"; }, "invalid_enum", "source_class", kInvalid,
       "source_class: \"Regulatory\" is not one of: regulatory, clinical, observational, expert, "
       "community, anecdotal"},
      {"source_class number", Shape::kAssertion, [](json& b) { b["source_class"] = 0; },
       "wrong_type", "source_class", kMalformed, "source_class: expected a string, got an integer"},
      {"lifecycle unknown", Shape::kAssertion, [](json& b) { b["lifecycle"] = "done"; },
       "invalid_enum", "lifecycle", kInvalid,
       "lifecycle: \"done\" is not one of: proposed, under_review, approved, deprecated, rejected"},
      // narrative and valid period.
      {"narrative empty", Shape::kAssertion, [](json& b) { b["narrative"] = ""; }, "empty_string",
       "narrative", kInvalid, "narrative: must not be empty (1..4096 bytes)"},
      {"narrative too long", Shape::kAssertion,
       [](json& b) { b["narrative"] = std::string(4097, 'n'); }, "string_too_long", "narrative",
       kInvalid, "narrative: 4097 bytes exceeds the limit of 4096"},
      {"narrative escape", Shape::kAssertion, [](json& b) { b["narrative"] = "a\x1b[31m"; },
       "invalid_characters", "narrative", kInvalid, "narrative: control character U+001B..."},
      {"valid period reversed", Shape::kAssertion,
       [](json& b) {
         b["valid_from"] = 200;
         b["valid_until"] = 100;
       },
       "invalid_valid_period", "valid_from", kInvalid,
       "valid_from: 200 is after valid_until 100 (valid_from <= valid_until)"},
      {"valid_until negative", Shape::kAssertion, [](json& b) { b["valid_until"] = -1; },
       "invalid_timestamp", "valid_until", kInvalid, "valid_until: -1 is outside..."},
      // signatures.
      {"signatures missing", Shape::kAssertion, [](json& b) { b.erase("signatures"); },
       "missing_field", "signatures", kMalformed, "signatures: required field is missing"},
      {"signatures object", Shape::kAssertion, [](json& b) { b["signatures"] = json::object(); },
       "wrong_type", "signatures", kMalformed, "signatures: expected an array, got an object"},
      {"signatures empty", Shape::kAssertion, [](json& b) { b["signatures"] = json::array(); },
       "no_signatures", "signatures", kInvalid, "signatures: at least 1 signature is required"},
      {"17 signatures", Shape::kAssertion, [](json& b) { b["signatures"] = Signatures(17); },
       "too_many_signatures", "signatures", kInvalid,
       "signatures: 17 signatures exceed the limit of 16"},
      {"duplicate signer", Shape::kAssertion,
       [](json& b) {
         b["signatures"] = Signatures(3);
         b["signatures"][2]["agent_id"] = b["signatures"][0]["agent_id"];
       },
       "duplicate_signer", "signatures[2].agent_id", kInvalid,
       "signatures[2].agent_id: agent 0000000000000000000000000000000000000000000000000000000000000000 "
       "already signed at signatures[0]"},
      {"duplicate signer in other case", Shape::kAssertion,
       [](json& b) {
         b["signatures"] = Signatures(2);
         b["signatures"][0]["agent_id"] = Hex64('a');
         b["signatures"][1]["agent_id"] = Hex64('A');
       },
       "duplicate_signer", "signatures[1].agent_id", kInvalid, "signatures[1].agent_id: agent..."},
      {"agent_id 63 chars", Shape::kAssertion,
       [](json& b) {
         b["signatures"] = Signatures(3);
         b["signatures"][2]["agent_id"] = std::string(63, 'a');
       },
       "invalid_hex", "signatures[2].agent_id", kMalformed,
       "signatures[2].agent_id: expected 64 hex characters, got 63"},
      {"signature entry not an object", Shape::kAssertion,
       [](json& b) { b["signatures"] = json::array({"x"}); }, "wrong_type", "signatures[0]",
       kMalformed, "signatures[0]: expected an object, got a string"},
      {"signature missing", Shape::kAssertion, [](json& b) { b["signatures"][0].erase("signature"); },
       "missing_field", "signatures[0].signature", kMalformed,
       "signatures[0].signature: required field is missing"},
      {"signature 64 chars", Shape::kAssertion,
       [](json& b) { b["signatures"][0]["signature"] = Hex64('a'); }, "invalid_hex",
       "signatures[0].signature", kMalformed,
       "signatures[0].signature: expected 128 hex characters, got 64"},
      {"signature entry extra member", Shape::kAssertion,
       [](json& b) { b["signatures"][0]["key_id"] = 1; }, "unknown_field", "signatures[0].key_id",
       kMalformed, "signatures[0].key_id: unknown field (accepted: agent_id, signature)"},
      // Vote.
      {"vote weight above 1", Shape::kVote, [](json& b) { b["weight"] = 1.01; },
       "value_out_of_range", "weight", kInvalid, "weight: 1.01 is outside -1..1"},
      {"vote weight below -1", Shape::kVote, [](json& b) { b["weight"] = -2; },
       "value_out_of_range", "weight", kInvalid, "weight: -2 is outside -1..1"},
      {"vote agent missing", Shape::kVote, [](json& b) { b.erase("agent_id"); }, "missing_field",
       "agent_id", kMalformed, "agent_id: required field is missing"},
      {"vote signature short", Shape::kVote, [](json& b) { b["signature"] = "ab"; }, "invalid_hex",
       "signature", kMalformed, "signature: expected 128 hex characters, got 2"},
      {"vote signatures array", Shape::kVote, [](json& b) { b["signatures"] = json::array(); },
       "unknown_field", "signatures", kMalformed, "signatures: unknown field..."},
      {"vote timestamp negative", Shape::kVote, [](json& b) { b["timestamp"] = -1; },
       "invalid_timestamp", "timestamp", kInvalid, "timestamp: -1 is outside..."},
      // Epoch.
      {"epoch name too long", Shape::kEpoch, [](json& b) { b["name"] = std::string(129, 'e'); },
       "string_too_long", "name", kInvalid, "name: 129 bytes exceeds the limit of 128"},
      {"epoch description empty", Shape::kEpoch, [](json& b) { b["description"] = ""; },
       "empty_string", "description", kInvalid, "description: must not be empty (1..4096 bytes)"},
      {"epoch supersedes without type", Shape::kEpoch, [](json& b) { b["supersedes"] = Hex64('e'); },
       "supersession_type_mismatch", "supersession_type", kInvalid,
       "supersession_type: required when supersedes is set (one of replaces, refines, retracts)"},
      {"epoch type without supersedes", Shape::kEpoch,
       [](json& b) { b["supersession_type"] = "refines"; }, "supersession_type_mismatch",
       "supersession_type", kInvalid, "supersession_type: allowed only when supersedes is set"},
      {"epoch type unknown", Shape::kEpoch,
       [](json& b) {
         b["supersedes"] = Hex64('e');
         b["supersession_type"] = "merges";
       },
       "invalid_enum", "supersession_type", kInvalid,
       "supersession_type: \"merges\" is not one of: replaces, refines, retracts"},
      {"epoch started_at fractional", Shape::kEpoch, [](json& b) { b["started_at"] = 1e9; },
       "wrong_type", "started_at", kMalformed, "started_at: expected an integer..."},
      {"epoch without signatures", Shape::kEpoch, [](json& b) { b["signatures"] = json::array(); },
       "no_signatures", "signatures", kInvalid, "signatures: at least 1 signature is required"},
      // Source.
      {"source uri missing", Shape::kSource, [](json& b) { b.erase("uri"); }, "missing_field",
       "uri", kMalformed, "uri: required field is missing"},
      {"source uri too long", Shape::kSource, [](json& b) { b["uri"] = std::string(2049, 'u'); },
       "string_too_long", "uri", kInvalid, "uri: 2049 bytes exceeds the limit of 2048"},
      {"source title empty", Shape::kSource, [](json& b) { b["title"] = ""; }, "empty_string",
       "title", kInvalid, "title: must not be empty (1..512 bytes)"},
      {"source title too long", Shape::kSource, [](json& b) { b["title"] = std::string(513, 't'); },
       "string_too_long", "title", kInvalid, "title: 513 bytes exceeds the limit of 512"},
      {"source content with NUL", Shape::kSource,
       [](json& b) { b["content"] = std::string("a\0b", 3); }, "invalid_characters", "content",
       kInvalid, "content: control character U+0000 at byte 1 is not allowed"},
      {"source content too long", Shape::kSource,
       [](json& b) { b["content"] = std::string(1024 * 1024 + 1, 'c'); }, "string_too_long",
       "content", kInvalid, "content: 1048577 bytes exceeds the limit of 1048576"},
      {"source class unknown", Shape::kSource, [](json& b) { b["source_class"] = "blog"; },
       "invalid_enum", "source_class", kInvalid, "source_class: \"blog\" is not one of..."},
      {"source signatures", Shape::kSource, [](json& b) { b["signatures"] = json::array(); },
       "unknown_field", "signatures", kMalformed, "signatures: unknown field (accepted: uri, title, "
       "source_class, content)"},
      // Retraction.
      {"retraction reason missing", Shape::kRetraction, [](json& b) { b.erase("reason"); },
       "missing_field", "reason", kMalformed, "reason: required field is missing"},
      {"retraction reason empty", Shape::kRetraction, [](json& b) { b["reason"] = ""; },
       "empty_string", "reason", kInvalid, "reason: must not be empty (1..4096 bytes)"},
      // Batch.
      {"batch not an array", Shape::kBatch, [](json& b) { b["assertions"] = AssertionBody(); },
       "wrong_type", "assertions", kMalformed, "assertions: expected an array, got an object"},
      {"batch too large", Shape::kBatch,
       [](json& b) { b["assertions"] = json(std::vector<json>(1001, json::object())); },
       "batch_too_large", "assertions", kInvalid, "assertions: 1001 items exceed the limit of 1000"},
      {"batch empty", Shape::kBatch, [](json& b) { b["assertions"] = json::array(); }, "empty_batch",
       "assertions", kInvalid, "assertions: a batch holds 1..1000 items, got none"},
      {"batch missing", Shape::kBatch, [](json& b) { b = json::object(); }, "missing_field",
       "assertions", kMalformed, "assertions: required field is missing"},
  };
  return cases;
}

TEST(RecordJsonTest, BaseBodiesAreAccepted) {
  for (Shape shape : {Shape::kAssertion, Shape::kVote, Shape::kEpoch, Shape::kSource,
                      Shape::kRetraction, Shape::kBatch}) {
    std::optional<FieldError> error = ParseError(shape, BaseOf(shape));
    EXPECT_FALSE(error) << error->message;
  }
}

TEST(RecordJsonTest, EveryErrorHasItsCodePathKindAndMessage) {
  for (const ErrorCase& c : ErrorCases()) {
    SCOPED_TRACE(c.name);
    json body = BaseOf(c.shape);
    c.mutate(body);
    std::optional<FieldError> error = ParseError(c.shape, body);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, c.code);
    EXPECT_EQ(error->field, c.field);
    EXPECT_EQ(error->kind, c.kind);
    EXPECT_EQ(error->HttpStatus(), c.kind == kMalformed ? 400 : 422);
    std::string_view expected = c.message;
    if (expected.ends_with("...")) {
      expected.remove_suffix(3);
      EXPECT_TRUE(error->message.starts_with(expected)) << error->message;
    } else {
      EXPECT_EQ(error->message, expected);
    }
  }
}

TEST(RecordJsonTest, LimitsAreInclusive) {
  json body = AssertionBody();
  body["subject"] = std::string(512, 's');
  body["predicate"] = std::string(256, 'p');
  body["object"]["value"] = std::string(65536, 't');
  body["narrative"] = std::string(4096, 'n');
  body["confidence"] = 1;
  body["timestamp"] = 253402300799;
  body["valid_from"] = 0;
  body["valid_until"] = 0;
  body["signatures"] = Signatures(16);
  EXPECT_TRUE(AssertionFromJson(body).ok());
  json vote = VoteBody();
  vote["weight"] = -1;
  EXPECT_TRUE(VoteFromJson(vote).ok());
}

TEST(RecordJsonTest, DefaultsAndNullOptionals) {
  json body = AssertionBody();
  body["epoch"] = nullptr;
  body["source_class"] = nullptr;
  auto a = AssertionFromJson(body);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_FALSE(a->epoch.has_value());
  EXPECT_EQ(a->source_class, SourceClass::kCommunity);
  EXPECT_EQ(a->lifecycle, Lifecycle::kProposed);
}

TEST(RecordJsonTest, UpperCaseHexIsNormalised) {
  json lower = AssertionBody(), upper = AssertionBody();
  lower["parent_hash"] = Hex64('a');
  upper["parent_hash"] = Hex64('A');
  upper["signatures"][0]["agent_id"] = Hex64('A');
  auto a = AssertionFromJson(lower), b = AssertionFromJson(upper);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(ToJson(*b)["parent_hash"], Hex64('a'));
  EXPECT_EQ(ContentId(*a), ContentId(*b));
}

TEST(RecordJsonTest, IntegersAreAcceptedAsNumbersAndNegativeZeroBecomesZero) {
  json body = AssertionBody();
  body["confidence"] = 1;
  body["object"] = {{"type", "number"}, {"value", -0.0}};
  auto a = AssertionFromJson(body);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->confidence, 1.0);
  const double value = std::get<NumberObject>(a->object).value;
  EXPECT_EQ(value, 0.0);
  EXPECT_FALSE(std::signbit(value));
}

TEST(RecordJsonTest, EveryObjectTypeParses) {
  const std::vector<std::pair<json, ObjectValue>> cases = {
      {{{"type", "text"}, {"value", "multi\nline"}}, TextObject{"multi\nline"}},
      {{{"type", "number"}, {"value", 96.7}}, NumberObject{96.7}},
      {{{"type", "boolean"}, {"value", false}}, BooleanObject{false}},
      {{{"type", "reference"}, {"value", "drugs/x"}}, ReferenceObject{"drugs/x"}},
  };
  for (const auto& [object, expected] : cases) {
    json body = AssertionBody();
    body["object"] = object;
    auto a = AssertionFromJson(body);
    ASSERT_TRUE(a.ok()) << a.error().message;
    EXPECT_EQ(a->object, expected);
  }
}

TEST(RecordJsonTest, ToJsonRoundTripsEveryRecord) {
  for (const Record& record : testing::AllSampleRecords()) {
    const json j = ToJson(record);
    std::visit(
        [&](const auto& r) {
          using R = std::decay_t<decltype(r)>;
          if constexpr (std::is_same_v<R, Assertion>) {
            EXPECT_EQ(AssertionFromJson(j).value(), r);
          } else if constexpr (std::is_same_v<R, Vote>) {
            EXPECT_EQ(VoteFromJson(j).value(), r);
          } else if constexpr (std::is_same_v<R, Epoch>) {
            EXPECT_EQ(EpochFromJson(j).value(), r);
          } else if constexpr (std::is_same_v<R, Source>) {
            EXPECT_EQ(SourceFromJson(j).value(), r);
          } else {
            EXPECT_EQ(j["reason"], r.reason);
            EXPECT_EQ(j["source_hash"], HexEncode(r.source_hash));
          }
        },
        record);
  }
}

TEST(RecordJsonTest, ToJsonWritesDefaultsAndLowercaseHex) {
  const json j = ToJson(testing::MinimalAssertion());
  EXPECT_EQ(j["source_class"], "community");
  EXPECT_EQ(j["lifecycle"], "proposed");
  EXPECT_FALSE(j.contains("narrative"));
  const std::string agent = j["signatures"][0]["agent_id"];
  EXPECT_EQ(agent, HexEncode(testing::KeyOf(1).public_key()));
}

TEST(RecordJsonTest, BatchItemsAreReturnedUnparsed) {
  json body = {{"assertions", json::array({AssertionBody(), json::object()})}};
  auto items = AssertionBatchItemsFromJson(body);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ((*items)->size(), 2u);
  EXPECT_TRUE(AssertionFromJson((**items)[0]).ok());
  EXPECT_EQ(AssertionFromJson((**items)[1]).error().code, "missing_field");
  EXPECT_EQ(AssertionBatchItemsFromJson({{"assertions", json::array()}}).error().code, "empty_batch");
}

TEST(RecordJsonTest, UnknownFieldNamesAreSanitisedInPathAndMessage) {
  json body = AssertionBody();
  body["\x01" + std::string(100, 'k')] = 1;
  auto error = AssertionFromJson(body).error();
  EXPECT_EQ(error.code, "unknown_field");
  EXPECT_TRUE(error.field.starts_with("\\x01kkk")) << error.field;
  EXPECT_LT(error.field.size(), 80u);
}

}  // namespace
}  // namespace stemedb::core

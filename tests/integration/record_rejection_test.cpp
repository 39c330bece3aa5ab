// The rejection table of the other write routes: /v1/assert/batch, /v1/vote, /v1/epoch,
// /v1/sources and /v1/sources/{hash}/retract. Same rules as assert_rejection_test.cpp: exact
// status, code and field, and nothing written.

#include <gtest/gtest.h>

#include "stemedb/core/hex.h"
#include "stemedb/core/limits.h"
#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/records.h"
#include "support/rejection_table.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

json Items(size_t n, const json& item) { return {{"assertions", json(std::vector<json>(n, item))}}; }

std::vector<BadRequest> BatchRows() {
  const json item = core::ToJson(SignedAssertion({.subject = "rejections/batch"}));
  json large_item = item;
  large_item["narrative"] = std::string(core::kNarrativeBytesMax, 'n');
  const std::string path = "/v1/assert/batch";
  return {
      {.name = "batch of 1001 items", .path = path, .body = Items(core::kBatchRecordsMax + 1, json::object()).dump(),
       .status = 422, .code = "batch_too_large", .field = "assertions"},
      {.name = "empty batch", .path = path, .body = Items(0, item).dump(), .status = 422, .code = "empty_batch",
       .field = "assertions"},
      {.name = "batch is not an array", .path = path, .body = json{{"assertions", item}}.dump(), .status = 400,
       .code = "wrong_type", .field = "assertions"},
      {.name = "batch without assertions", .path = path, .body = "{}", .status = 400, .code = "missing_field",
       .field = "assertions"},
      {.name = "batch with an unknown member", .path = path, .body = json{{"items", {item}}}.dump(), .status = 400,
       .code = "unknown_field", .field = "items"},
      {.name = "bare array instead of a batch", .path = path, .body = json::array({item}).dump(), .status = 400,
       .code = "wrong_type"},
      {.name = "batch that is not JSON", .path = path, .body = "{\"assertions\": [", .status = 400,
       .code = "malformed_json"},
      {.name = "batch over 1 MiB", .path = path,
       .body = Items(core::kBodyBytesMax / core::kNarrativeBytesMax, large_item).dump(),
       .status = 413, .code = "body_too_large"},
      {.name = "batch as text/plain", .path = path, .body = Items(1, item).dump(),
       .headers = {{"Content-Type", "text/plain"}}, .status = 415, .code = "unsupported_media_type"},
  };
}

std::vector<BadRequest> VoteRows(const StoredForRejections& s) {
  const core::Vote vote = SignedVote(s.proposed, 2, 0.5);
  auto edit = [&vote](const std::function<void(json&)>& fn) { return Edited(vote, fn); };
  const std::string text = core::ToJson(vote).dump();
  core::Hash32 nobody{};
  nobody.fill(0x17);
  const std::string path = "/v1/vote";
  return {
      {.name = "vote on an unknown assertion", .path = path, .body = core::ToJson(SignedVote(nobody, 2, 0.5)).dump(),
       .status = 404, .code = "assertion_not_found", .field = "assertion_hash"},
      {.name = "weight above 1", .path = path, .body = edit([](json& j) { j["weight"] = 1.5; }), .status = 422,
       .code = "value_out_of_range", .field = "weight"},
      {.name = "weight below -1", .path = path, .body = edit([](json& j) { j["weight"] = -1.01; }), .status = 422,
       .code = "value_out_of_range", .field = "weight"},
      {.name = "weight NaN", .path = path, .body = Replaced(text, "\"weight\":0.5", "\"weight\":NaN"), .status = 400,
       .code = "malformed_json"},
      {.name = "weight 1e400", .path = path, .body = Replaced(text, "\"weight\":0.5", "\"weight\":1e400"),
       .status = 400, .code = "invalid_number", .field = "weight"},
      {.name = "vote without signature", .path = path, .body = edit([](json& j) { j.erase("signature"); }),
       .status = 400, .code = "missing_field", .field = "signature"},
      {.name = "vote agent_id of 63 characters", .path = path,
       .body = edit([](json& j) { j["agent_id"] = HexOfLength(63); }), .status = 400, .code = "invalid_hex",
       .field = "agent_id"},
      {.name = "vote signature that does not verify", .path = path, .body = edit([](json& j) { j["weight"] = 0.25; }),
       .status = 422, .code = "invalid_signature", .field = "signature"},
      {.name = "vote signed by another key", .path = path,
       .body = edit([&s](json& j) { j["signature"] = core::ToJson(SignedVote(s.proposed, 3, 0.5))["signature"]; }),
       .status = 422, .code = "invalid_signature", .field = "signature"},
      {.name = "vote with signatures instead of signature", .path = path,
       .body = edit([](json& j) { j["signatures"] = json::array(); }), .status = 400, .code = "unknown_field",
       .field = "signatures"},
      {.name = "vote with a negative timestamp", .path = path, .body = edit([](json& j) { j["timestamp"] = -1; }),
       .status = 422, .code = "invalid_timestamp", .field = "timestamp"},
  };
}

std::vector<BadRequest> EpochRows(const StoredForRejections& s) {
  const core::Epoch successor = SignedEpoch("rejections-next", s.epoch);
  auto edit = [&successor](const std::function<void(json&)>& fn) { return Edited(successor, fn); };
  core::Epoch untyped = successor;
  untyped.supersession_type.reset();
  core::Epoch typed_alone = SignedEpoch("rejections-typed");
  typed_alone.supersession_type = core::SupersessionType::kRefines;
  core::Hash32 nobody{};
  nobody.fill(0x99);
  const std::string path = "/v1/epoch";
  return {
      {.name = "supersedes without supersession_type", .path = path, .body = core::ToJson(Resigned(untyped, {1})).dump(),
       .status = 422, .code = "supersession_type_mismatch", .field = "supersession_type"},
      {.name = "supersession_type without supersedes", .path = path,
       .body = core::ToJson(Resigned(typed_alone, {1})).dump(), .status = 422, .code = "supersession_type_mismatch",
       .field = "supersession_type"},
      {.name = "supersedes an unknown epoch", .path = path,
       .body = core::ToJson(SignedEpoch("rejections-orphan", nobody)).dump(), .status = 422, .code = "unknown_epoch",
       .field = "supersedes"},
      {.name = "unknown supersession_type", .path = path,
       .body = edit([](json& j) { j["supersession_type"] = "obsoletes"; }), .status = 422, .code = "invalid_enum",
       .field = "supersession_type"},
      {.name = "empty epoch name", .path = path, .body = edit([](json& j) { j["name"] = ""; }), .status = 422,
       .code = "empty_string", .field = "name"},
      {.name = "epoch name of 129 bytes", .path = path,
       .body = edit([](json& j) { j["name"] = std::string(core::kEpochNameBytesMax + 1, 'e'); }), .status = 422,
       .code = "string_too_long", .field = "name"},
      {.name = "description of 4097 bytes", .path = path,
       .body = edit([](json& j) { j["description"] = std::string(core::kDescriptionBytesMax + 1, 'd'); }),
       .status = 422, .code = "string_too_long", .field = "description"},
      {.name = "epoch without signatures", .path = path, .body = edit([](json& j) { j["signatures"] = json::array(); }),
       .status = 422, .code = "no_signatures", .field = "signatures"},
      {.name = "epoch signature that does not verify", .path = path,
       .body = edit([](json& j) { j["name"] = "rejections-renamed"; }), .status = 422, .code = "invalid_signature",
       .field = "signatures[0].signature"},
      {.name = "fractional started_at", .path = path, .body = edit([](json& j) { j["started_at"] = 1.5; }),
       .status = 400, .code = "wrong_type", .field = "started_at"},
  };
}

std::vector<BadRequest> SourceRows() {
  const json source = {{"uri", "https://example.org/new"}, {"content", "text"}};
  auto with = [&source](const std::string& member, const json& value) {
    json j = source;
    j[member] = value;
    return j.dump();
  };
  const std::string path = "/v1/sources";
  return {
      {.name = "source without uri", .path = path, .body = json{{"content", "text"}}.dump(), .status = 400,
       .code = "missing_field", .field = "uri"},
      {.name = "uri of 2049 bytes", .path = path, .body = with("uri", std::string(core::kUriBytesMax + 1, 'u')),
       .status = 422, .code = "string_too_long", .field = "uri"},
      {.name = "NUL in source content", .path = path, .body = with("content", std::string("a\0b", 3)), .status = 422,
       .code = "invalid_characters", .field = "content"},
      {.name = "line feed in a title", .path = path, .body = with("title", "a\nb"), .status = 422,
       .code = "invalid_characters", .field = "title"},
      {.name = "unknown source class of a source", .path = path, .body = with("source_class", "blog"), .status = 422,
       .code = "invalid_enum", .field = "source_class"},
      {.name = "source with a hash member", .path = path, .body = with("hash", HexOfLength(64)), .status = 400,
       .code = "unknown_field", .field = "hash"},
  };
}

std::vector<BadRequest> RetractionRows(const StoredForRejections& s, const client::Headers& admin) {
  const std::string path = "/v1/sources/" + core::IdHex(s.source) + "/retract";
  const std::string reason = json{{"reason", "withdrawn"}}.dump();
  core::Hash32 nobody{};
  nobody.fill(0x33);
  return {
      {.name = "retraction without an API key", .path = path, .body = reason, .status = 401, .code = "missing_api_key"},
      {.name = "retraction with an unknown key", .path = path, .body = reason,
       .headers = {{"X-API-Key", "sk_not_a_key"}}, .status = 401, .code = "invalid_api_key"},
      {.name = "retraction with a write key", .path = path, .body = reason, .headers = {{"X-API-Key", s.write_key}},
       .status = 403, .code = "forbidden"},
      {.name = "empty reason", .path = path, .body = R"({"reason":""})", .headers = admin, .status = 422,
       .code = "empty_string", .field = "reason"},
      {.name = "retraction without a reason", .path = path, .body = "{}", .headers = admin, .status = 400,
       .code = "missing_field", .field = "reason"},
      {.name = "NUL in the reason", .path = path, .body = json{{"reason", std::string("a\0b", 3)}}.dump(),
       .headers = admin, .status = 422, .code = "invalid_characters", .field = "reason"},
      {.name = "retraction with an unknown member", .path = path, .body = R"({"reason":"x","force":true})",
       .headers = admin, .status = 400, .code = "unknown_field", .field = "force"},
      {.name = "retraction of an unknown source", .path = "/v1/sources/" + core::IdHex(nobody) + "/retract",
       .body = reason, .headers = admin, .status = 404, .code = "source_not_found", .field = "hash"},
      {.name = "retraction of a bad hash", .path = "/v1/sources/xyz/retract", .body = reason, .headers = admin,
       .status = 400, .code = "invalid_hex", .field = "hash"},
  };
}

TEST(RecordRejectionTest, EveryBadRecordIsRefusedAndWritesNothing) {
  Daemon d({.args = {"--rate-limit-enabled", "false"}});
  const StoredForRejections stored = StoreRecordsForRejections(d);
  std::vector<BadRequest> rows;
  for (auto part : {BatchRows(), VoteRows(stored), EpochRows(stored), SourceRows(),
                    RetractionRows(stored, AdminHeaders(d))}) {
    rows.insert(rows.end(), part.begin(), part.end());
  }
  EXPECT_GE(rows.size(), 40u);
  ExpectAllRefusedWithoutWriting(d, rows);
}

}  // namespace
}  // namespace stemedb::testing

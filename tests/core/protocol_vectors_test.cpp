// docs/protocol_vectors.json, reproduced by the server's code from each vector's JSON body:
// the same checks the Python client makes from its own implementation (tests/clients/python).

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/ed25519.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/json_body.h"
#include "stemedb/core/record_json.h"
#include "stemedb/core/signature_check.h"
#include "stemedb/core/stored_record.h"

namespace stemedb::core {
namespace {

using nlohmann::json;

json LoadVectors() {
  std::ifstream in(std::string(STEMEDB_SOURCE_DIR) + "/docs/protocol_vectors.json");
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = ParseJsonBody(text.str().size() <= (1 << 20) ? text.str() : "");
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? *parsed : json::object();
}

FieldResult<Record> Parse(const std::string& kind, const json& body) {
  auto as_record = [](auto result) -> FieldResult<Record> {
    if (!result.ok()) return result.error();
    return Record(std::move(result).value());
  };
  if (kind == "assertion") return as_record(AssertionFromJson(body));
  if (kind == "vote") return as_record(VoteFromJson(body));
  if (kind == "epoch") return as_record(EpochFromJson(body));
  return as_record(SourceFromJson(body));
}

std::optional<FieldError> Verify(const Record& record) {
  if (auto* a = std::get_if<Assertion>(&record)) return VerifySignatures(*a);
  if (auto* v = std::get_if<Vote>(&record)) return VerifySignatures(*v);
  if (auto* e = std::get_if<Epoch>(&record)) return VerifySignatures(*e);
  return std::nullopt;
}

class ProtocolVectorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { vectors_ = new json(LoadVectors()); }
  static void TearDownTestSuite() { delete vectors_; }
  static json* vectors_;
};
json* ProtocolVectorsTest::vectors_ = nullptr;

TEST_F(ProtocolVectorsTest, FileCoversEveryRecordType) {
  std::set<std::string> kinds, object_types;
  for (const json& v : (*vectors_)["vectors"]) {
    kinds.insert(v["kind"].get<std::string>());
    if (v["kind"] == "assertion")
      object_types.insert(v["json"]["object"]["type"].get<std::string>());
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"assertion", "vote", "epoch", "source"}));
  EXPECT_EQ(object_types, (std::set<std::string>{"text", "number", "boolean", "reference"}));
}

TEST_F(ProtocolVectorsTest, EveryVectorIsReproduced) {
  for (const json& v : (*vectors_)["vectors"]) {
    SCOPED_TRACE(v["name"].get<std::string>());
    FieldResult<Record> record = Parse(v["kind"], v["json"]);
    ASSERT_TRUE(record.ok()) << record.error().message;
    const std::string canonical =
        std::visit([](const auto& r) { return CanonicalEncoding(r); }, *record);
    EXPECT_EQ(HexEncode(canonical), v["canonical_hex"]);
    const Hash32 id = ContentId(*record);
    EXPECT_EQ(IdHex(id), v["id"]);
    EXPECT_FALSE(Verify(*record));
    EXPECT_EQ(HexEncode(EncodeStored(*record)), v["stored_hex"]);

    auto stored = HexDecode(v["stored_hex"].get<std::string>());
    ASSERT_TRUE(stored.ok());
    Result<Record> decoded = DecodeStored(KindOf(*record), *stored);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, *record);

    if (v["signers"].empty()) continue;
    EXPECT_EQ(HexEncode(SigningMessage(id)), v["signing_message_hex"]);
    for (const json& signer : v["signers"]) {
      auto seed = HexDecodeArray<kSeedBytes>(signer["seed"].get<std::string>());
      ASSERT_TRUE(seed.ok());
      const Ed25519KeyPair key(*seed);
      EXPECT_EQ(HexEncode(key.public_key()), signer["public_key"]);
      EXPECT_EQ(HexEncode(key.Sign(SigningMessage(id))), signer["signature"]);
    }
  }
}

TEST_F(ProtocolVectorsTest, DefaultsExplicitAndImplicitShareTheirId) {
  std::map<std::string, std::string> ids;
  for (const json& v : (*vectors_)["vectors"]) ids[v["name"]] = v["id"];
  EXPECT_EQ(ids.at("assertion_minimal"), ids.at("assertion_defaults_explicit"));
}

TEST_F(ProtocolVectorsTest, TamperedVectorBodiesAreRefused) {
  for (const json& v : (*vectors_)["vectors"]) {
    if (v["signers"].empty()) continue;
    SCOPED_TRACE(v["name"].get<std::string>());
    json body = v["json"];
    body[v["kind"] == "epoch" ? "started_at" : "timestamp"] = 1;
    FieldResult<Record> record = Parse(v["kind"], body);
    ASSERT_TRUE(record.ok());
    std::optional<FieldError> error = Verify(*record);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, "invalid_signature");
  }
}

}  // namespace
}  // namespace stemedb::core

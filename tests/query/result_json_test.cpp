// The JSON shapes of http-api.md.
#include "stemedb/query/result_json.h"

#include <gtest/gtest.h>

#include "lens_test_support.h"
#include "reference_scenario.h"
#include "stemedb/query/layered.h"
#include "stemedb/query/skeptic.h"

namespace stemedb::query {
namespace {

using nlohmann::json;
using namespace testing;  // NOLINT: test helpers

const std::string kId1 = std::string(60, '0') + "0001";

TEST(ResultJsonTest, ObjectsKeepTheirJsonTypes) {
  EXPECT_EQ(ToJson(ObjectKey::Text("rare")), json::parse(R"({"type":"text","value":"rare"})"));
  EXPECT_EQ(ToJson(ObjectKey::Number(96.7)), json::parse(R"({"type":"number","value":96.7})"));
  EXPECT_EQ(ToJson(ObjectKey::Boolean(true)), json::parse(R"({"type":"boolean","value":true})"));
  EXPECT_EQ(ToJson(ObjectKey::Reference("drugs/x")),
            json::parse(R"({"type":"reference","value":"drugs/x"})"));
  EXPECT_EQ(ToJson(ObjectKey::Number(-0.0)).dump(), R"({"type":"number","value":0.0})");
}

TEST(ResultJsonTest, QueryResultHasTheDocumentedFields) {
  std::vector<Candidate> c = {Claim(1).Text("a").By(1).Confidence(0.5).NetVotes(1.0),
                              Claim(2).Text("b").By(2).Cites(7, true)};
  json j = ToJson(MustResolve(c, LensKind::kVote), c);
  for (const char* key : {"lens", "winner", "resolution_confidence", "conflict_score",
                          "candidates_count", "candidates", "warnings"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_FALSE(j.contains("inner"));
  EXPECT_EQ(j["lens"], "vote");
  EXPECT_EQ(j["candidates_count"], 1);
  const json& winner = j["winner"];
  EXPECT_EQ(winner["id"], kId1);
  EXPECT_EQ(winner["object"]["value"], "a");
  EXPECT_EQ(winner["source_class"], "community");
  EXPECT_EQ(winner["lifecycle"], "proposed");
  EXPECT_EQ(winner["weight"], 1.0);  // 0.5 * (1 + 1)
  EXPECT_EQ(winner["counted"], true);
  EXPECT_EQ(winner["signers_count"], 1);
  EXPECT_EQ(j["candidates"][0], winner);
  ASSERT_EQ(j["warnings"].size(), 1u);
  EXPECT_EQ(j["warnings"][0]["code"], "source_retracted");
  EXPECT_EQ(j["warnings"][0]["assertion"], std::string(60, '0') + "0002");
  EXPECT_EQ(j["warnings"][0]["source_hash"], "50" + std::string(58, '0') + "0007");
}

TEST(ResultJsonTest, RecencyCandidatesCarryNoWeight) {
  std::vector<Candidate> c = {Claim(1)};
  json j = ToJson(MustResolve(c, LensKind::kRecency), c);
  EXPECT_FALSE(j["winner"].contains("weight"));
  EXPECT_TRUE(j["winner"].contains("effective_confidence"));
}

TEST(ResultJsonTest, EmptyResultHasANullWinner) {
  json j = ToJson(MustResolve({}, LensKind::kEpoch), std::vector<Candidate>{});
  EXPECT_TRUE(j["winner"].is_null());
  EXPECT_EQ(j["inner"], "recency");
  EXPECT_EQ(j["candidates"], json::array());
  EXPECT_EQ(j["warnings"], json::array());
}

TEST(ResultJsonTest, UnknownEpochAndTruncationWarnings) {
  Warnings w;
  w.Add(Warning{.code = WarningCode::kUnknownEpoch,
                .id = Epoch(3),
                .source_hash = std::nullopt,
                .candidates_count = 2});
  w.omitted = 4;
  json j = ToJson(w);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["code"], "unknown_epoch");
  EXPECT_EQ(j[0]["candidates_count"], 2);
  EXPECT_EQ(j[1]["code"], "warnings_truncated");
  EXPECT_EQ(j[1]["omitted"], 4);
}

TEST(ResultJsonTest, SkepticShape) {
  std::vector<Candidate> c = ReferenceScenario();
  auto view = ResolveSkeptic(c, {}, NowContext());
  ASSERT_TRUE(view.ok());
  json j = ToJson(*view, c);
  EXPECT_EQ(j["status"], "contested");
  ASSERT_EQ(j["claims"].size(), 4u);
  const json& top = j["claims"][0];
  EXPECT_EQ(top["object"], json::parse(R"({"type":"text","value":"significant"})"));
  EXPECT_EQ(top["tiers"], json::parse(R"(["community"])"));
  EXPECT_EQ(top["assertions"].size(), 5u);
  EXPECT_TRUE(top["support"].is_number());
  EXPECT_TRUE(top["share"].is_number());
  EXPECT_TRUE(j["conflict_score"].is_number());
}

TEST(ResultJsonTest, LayeredShape) {
  std::vector<Candidate> c = ReferenceScenario();
  auto view = ResolveLayered(c, {}, NowContext());
  ASSERT_TRUE(view.ok());
  json j = ToJson(*view, c);
  ASSERT_EQ(j["tiers"].size(), 4u);
  EXPECT_EQ(j["tiers"][0]["tier"], "regulatory");
  EXPECT_EQ(j["tiers"][0]["winner"]["object"]["value"], "rare");
  EXPECT_EQ(j["tiers"][3]["candidates_count"], 50);
  EXPECT_TRUE(j["tiers"][3].contains("conflict_score"));
  EXPECT_EQ(j["cross_tier_conflict"], true);
  EXPECT_EQ(j["winner"]["object"]["value"], "rare");
}

}  // namespace
}  // namespace stemedb::query

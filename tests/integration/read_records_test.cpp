// The record reads of the real daemon (http-api.md, Reads): GET /v1/assertions/{id},
// /v1/trace/{id}, /v1/epochs[/{id}], /v1/sources[/{hash}], /v1/agents/{id}, with their errors.

#include <gtest/gtest.h>

#include <set>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/hex.h"
#include "support/api.h"
#include "support/daemon.h"
#include "support/records.h"

namespace stemedb::testing {
namespace {

using core::Lifecycle;
using core::SourceClass;
using nlohmann::json;

const std::string kUnknownId(64, '0');

std::string Hex(const core::Hash32& id) { return core::IdHex(id); }
std::string AgentHex(int n) { return Hex(Agent(n).public_key()); }

core::Source LabelSource(const std::string& uri, std::optional<std::string> content = std::nullopt) {
  core::Source s;
  s.uri = uri;
  s.title = "Label of " + uri;
  s.source_class = SourceClass::kRegulatory;
  s.content = std::move(content);
  return s;
}

// Every id-taking read route refuses a malformed id with 400 naming the path parameter, and an
// unknown id with 404.
void ExpectIdErrors(Api& api, const std::string& route, const std::string& param, bool unknown_is_404 = true) {
  for (const std::string& bad : {std::string("xyz"), std::string(63, 'a'), std::string(65, 'a')}) {
    EXPECT_EQ(api.Error(route + bad, 400)["field"], param) << route << bad;
  }
  if (unknown_is_404) {
    json e = api.Error(route + kUnknownId, 404);
    EXPECT_NE(e["message"].get<std::string>().find(kUnknownId), std::string::npos) << e.dump();
  }
  EXPECT_EQ(api.Error(route + kUnknownId + "?verbose=1", 400)["field"], "verbose");
}

class ReadRecordsTest : public ::testing::Test {
 protected:
  Daemon daemon_{{.args = UnlimitedArgs()}};
  Api api_{daemon_};
};

TEST_F(ReadRecordsTest, AssertionHasItsFieldsSignersVoteSummaryAndFlags) {
  const core::Source source = LabelSource("https://example.org/label");
  const std::string source_id = api_.Write(source)["id"];
  core::Assertion a = SignedAssertion({.text = "rare",
                                       .confidence = 0.9,
                                       .source_class = SourceClass::kRegulatory,
                                       .source_hash = core::ContentId(source),
                                       .valid_from = 1600000000},
                                      {1, 2});
  json written = api_.Assert(a);
  EXPECT_EQ(written["status"], "created");
  const std::string id = written["id"];
  EXPECT_EQ(id, Hex(core::ContentId(a)));

  json got = api_.Ok("/v1/assertions/" + id);
  EXPECT_EQ(got["id"], id);
  EXPECT_EQ(got["seq"], written["seq"]);
  EXPECT_EQ(got["ingested_at"], written["ingested_at"]);
  EXPECT_EQ(got["subject"], "drugs/semaglutide");
  EXPECT_EQ(got["predicate"], "gastroparesis_risk");
  EXPECT_EQ(got["object"], (json{{"type", "text"}, {"value", "rare"}}));
  EXPECT_EQ(got["confidence"], 0.9);
  EXPECT_EQ(got["timestamp"], 1700000000);
  EXPECT_EQ(got["source_class"], "regulatory");
  EXPECT_EQ(got["lifecycle"], "proposed");
  EXPECT_EQ(got["source_hash"], source_id);
  EXPECT_EQ(got["valid_from"], 1600000000);
  EXPECT_EQ(got["signers"], json::array({AgentHex(1), AgentHex(2)}));
  EXPECT_EQ(got["votes"], (json{{"count", 0}, {"net_weight", 0.0}}));
  EXPECT_EQ(got["flags"], (json{{"source_retracted", false}, {"has_later_stage", false}}));

  api_.Write(SignedVote(core::ContentId(a), 3, 1.0));
  api_.Write(SignedVote(core::ContentId(a), 4, -0.5));
  api_.Write(SignedVote(core::ContentId(a), 1, 1.0));  // a signer's own vote: stored, never counted
  EXPECT_EQ(api_.Ok("/v1/assertions/" + id)["votes"], (json{{"count", 2}, {"net_weight", 0.5}}));
  api_.Write(SignedVote(core::ContentId(a), 4, 1.0, 1700000200));  // agent 4's later vote replaces its first
  EXPECT_EQ(api_.Ok("/v1/assertions/" + id)["votes"], (json{{"count", 2}, {"net_weight", 2.0}}));

  EXPECT_EQ(api_.Assert(Resigned(a, {5}))["status"], "cosigned");
  EXPECT_EQ(api_.Ok("/v1/assertions/" + id)["signers"], json::array({AgentHex(1), AgentHex(2), AgentHex(5)}));
  EXPECT_EQ(api_.Assert(a)["status"], "exists");
  EXPECT_EQ(api_.Ok("/v1/assertions/" + id)["seq"], written["seq"]);  // a record keeps its first seq
}

TEST_F(ReadRecordsTest, AssertionIdErrors) { ExpectIdErrors(api_, "/v1/assertions/", "id"); }

// A lineage root -> under_review -> approved -> deprecated, a same-stage revision of the root,
// a source, votes, and an epoch at the head of a supersession chain e1 <- e2 <- e3.
TEST_F(ReadRecordsTest, TraceShowsLineageSourceSignersVotesAndEpochChain) {
  const core::Source source = LabelSource("https://example.org/trial", "trial report");
  api_.Write(source);
  std::vector<core::Hash32> epochs;
  for (int i = 0; i < 3; ++i) {
    core::Epoch e = SignedEpoch("e" + std::to_string(i), epochs.empty() ? std::nullopt : std::optional(epochs.back()));
    api_.Write(e);
    epochs.push_back(core::ContentId(e));
  }
  std::vector<core::Hash32> chain;
  for (Lifecycle stage : {Lifecycle::kProposed, Lifecycle::kUnderReview, Lifecycle::kApproved, Lifecycle::kDeprecated}) {
    core::Assertion a = SignedAssertion({.lifecycle = stage,
                                         .parent_hash = chain.empty() ? std::nullopt : std::optional(chain.back()),
                                         .source_hash = core::ContentId(source),
                                         .epoch = epochs.back()},
                                        {1});
    api_.Assert(a);
    chain.push_back(core::ContentId(a));
  }
  core::Assertion revision = SignedAssertion({.text = "rare, revised", .parent_hash = chain[0]}, {2});
  api_.Assert(revision);
  api_.Write(SignedVote(chain[0], 3, 1.0));

  json root = api_.Ok("/v1/trace/" + Hex(chain[0]));
  EXPECT_EQ(root["assertion"]["id"], Hex(chain[0]));
  EXPECT_EQ(root["assertion"]["flags"]["has_later_stage"], true);
  EXPECT_TRUE(root["parents"].empty());
  EXPECT_EQ(std::set<std::string>(root["children"].begin(), root["children"].end()),
            (std::set<std::string>{Hex(chain[1]), Hex(core::ContentId(revision))}));
  EXPECT_EQ(root["source"]["id"], Hex(core::ContentId(source)));
  EXPECT_EQ(root["source"]["uri"], "https://example.org/trial");
  EXPECT_FALSE(root["source"].contains("content"));
  EXPECT_EQ(root["signers"], json::array({json{{"agent_id", AgentHex(1)}, {"trust", 2.0 / 3.0}}}));  // (1+1)/(2+1)
  ASSERT_EQ(root["votes"].size(), 1u);
  EXPECT_EQ(root["votes"][0]["agent_id"], AgentHex(3));
  EXPECT_EQ(root["epoch"]["id"], Hex(epochs[2]));
  EXPECT_EQ(root["epoch"]["status"], "current");
  EXPECT_EQ(root["epoch"]["supersedes_chain"], json::array({Hex(epochs[1]), Hex(epochs[0])}));

  json leaf = api_.Ok("/v1/trace/" + Hex(chain[3]));
  ASSERT_EQ(leaf["parents"].size(), 3u);  // nearest first
  for (int i = 0; i < 3; ++i) EXPECT_EQ(leaf["parents"][i]["id"], Hex(chain[2 - i]));
  EXPECT_TRUE(leaf["children"].empty());
  json shallow = api_.Ok("/v1/trace/" + Hex(chain[3]) + "?depth=1");
  ASSERT_EQ(shallow["parents"].size(), 1u);
  EXPECT_EQ(shallow["parents"][0]["id"], Hex(chain[2]));
  EXPECT_EQ(shallow["epoch"]["supersedes_chain"], json::array({Hex(epochs[1])}));
  EXPECT_TRUE(api_.Ok("/v1/trace/" + Hex(chain[3]) + "?depth=0")["parents"].empty());
  EXPECT_EQ(api_.Ok("/v1/trace/" + Hex(chain[3]) + "?depth=64")["parents"].size(), 3u);
  EXPECT_EQ(api_.Error("/v1/trace/" + Hex(chain[3]) + "?depth=65", 400)["field"], "depth");
  EXPECT_EQ(api_.Error("/v1/trace/" + Hex(chain[3]) + "?depth=-1", 400)["field"], "depth");
  ExpectIdErrors(api_, "/v1/trace/", "id");
}

// has_later_stage: a child at a later lifecycle stage replaces its parent in the lenses; a
// same-stage revision competes with it and does not.
TEST_F(ReadRecordsTest, OnlyALaterStageChildMarksItsParent) {
  core::Assertion draft = SignedAssertion({.text = "draft"});
  api_.Assert(draft);
  api_.Assert(SignedAssertion({.text = "draft, revised", .parent_hash = core::ContentId(draft)}, {2}));
  EXPECT_EQ(api_.Ok("/v1/assertions/" + Hex(core::ContentId(draft)))["flags"]["has_later_stage"], false);
  api_.Assert(SignedAssertion({.text = "draft", .lifecycle = Lifecycle::kUnderReview, .parent_hash = core::ContentId(draft)}));
  EXPECT_EQ(api_.Ok("/v1/assertions/" + Hex(core::ContentId(draft)))["flags"]["has_later_stage"], true);
}

TEST_F(ReadRecordsTest, EpochsListAndReadWithSupersededBy) {
  std::vector<core::Hash32> ids;
  core::Epoch first = SignedEpoch("2023");
  api_.Write(first);
  ids.push_back(core::ContentId(first));
  for (const char* name : {"2024-a", "2024-b"}) {  // two epochs both supersede the first
    core::Epoch e = SignedEpoch(name, ids[0]);
    api_.Write(e);
    ids.push_back(core::ContentId(e));
  }
  core::Epoch lone = SignedEpoch("unrelated", std::nullopt, 2);
  api_.Write(lone);
  ids.push_back(core::ContentId(lone));

  json e0 = api_.Ok("/v1/epochs/" + Hex(ids[0]));
  EXPECT_EQ(e0["name"], "2023");
  EXPECT_EQ(e0["status"], "superseded");
  EXPECT_EQ(std::set<std::string>(e0["superseded_by"].begin(), e0["superseded_by"].end()),
            (std::set<std::string>{Hex(ids[1]), Hex(ids[2])}));
  json e1 = api_.Ok("/v1/epochs/" + Hex(ids[1]));
  EXPECT_EQ(e1["supersedes"], Hex(ids[0]));
  EXPECT_EQ(e1["supersession_type"], "replaces");
  EXPECT_EQ(e1["status"], "current");
  EXPECT_TRUE(e1["superseded_by"].empty());

  // The list, two a page, in id order, every epoch once, the same objects as the single reads.
  std::vector<std::string> listed;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    json r = api_.Ok("/v1/epochs?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const json& e : r["epochs"]) {
      EXPECT_EQ(e, api_.Ok("/v1/epochs/" + e["id"].get<std::string>()));
      listed.push_back(e["id"]);
    }
    if (r["next_cursor"].is_null()) break;
    cursor = r["next_cursor"];
  }
  std::vector<std::string> expected;
  for (const auto& id : ids) expected.push_back(Hex(id));
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(listed, expected);
  EXPECT_EQ(api_.Error("/v1/epochs?cursor=nothex", 400)["field"], "cursor");
  EXPECT_EQ(api_.Error("/v1/epochs?limit=0", 400)["field"], "limit");
  ExpectIdErrors(api_, "/v1/epochs/", "id");
}

// superseded_by is paged like every list (any number of epochs may supersede one): at most
// `limit` ids (default 100, at most 1,000; 10 in each item of /v1/epochs) in id order, with the
// total and the cursor of the next page.
TEST_F(ReadRecordsTest, SupersededByIsPagedWithACountAndACursor) {
  const core::Epoch old = SignedEpoch("old");
  api_.Write(old);
  const std::string old_id = Hex(core::ContentId(old));
  std::vector<std::string> expected;
  for (int i = 0; i < 25; ++i) {
    core::Epoch e = SignedEpoch("new-" + std::to_string(i), core::ContentId(old));
    api_.Write(e);
    expected.push_back(Hex(core::ContentId(e)));
  }
  std::sort(expected.begin(), expected.end());

  std::vector<std::string> paged;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    json e = api_.Ok("/v1/epochs/" + old_id + "?limit=10" + (cursor.empty() ? "" : "&cursor=" + cursor));
    EXPECT_EQ(e["status"], "superseded");
    EXPECT_EQ(e["superseded_by_count"], 25);
    EXPECT_LE(e["superseded_by"].size(), 10u);
    for (const json& id : e["superseded_by"]) paged.push_back(id);
    if (e["superseded_by_next_cursor"].is_null()) break;
    cursor = e["superseded_by_next_cursor"];
  }
  EXPECT_EQ(paged, expected);

  json whole = api_.Ok("/v1/epochs/" + old_id);  // the default page holds all 25
  EXPECT_EQ(whole["superseded_by"].size(), 25u);
  EXPECT_TRUE(whole["superseded_by_next_cursor"].is_null());
  EXPECT_EQ(api_.Ok("/v1/epochs/" + expected[0])["superseded_by_count"], 0);

  bool listed = false;
  const json list = api_.Ok("/v1/epochs?limit=1000");
  for (const json& e : list["epochs"]) {
    if (e["id"] != old_id) continue;
    listed = true;
    EXPECT_EQ(e["superseded_by"], json(std::vector<std::string>(expected.begin(), expected.begin() + 10)));
    EXPECT_EQ(e["superseded_by_count"], 25);
    EXPECT_EQ(e["superseded_by_next_cursor"], expected[9]);
  }
  EXPECT_TRUE(listed);
  EXPECT_EQ(api_.Error("/v1/epochs/" + old_id + "?limit=1001", 400)["field"], "limit");
  EXPECT_EQ(api_.Error("/v1/epochs/" + old_id + "?limit=0", 400)["field"], "limit");
  EXPECT_EQ(api_.Error("/v1/epochs/" + old_id + "?cursor=zz", 400)["field"], "cursor");
}

TEST_F(ReadRecordsTest, SourcesListWithoutContentSingleWithIt) {
  const core::Source with = LabelSource("https://example.org/a", "the label's full text");
  const core::Source without = LabelSource("https://example.org/b");
  EXPECT_EQ(api_.Write(with)["id"], Hex(core::ContentId(with)));
  api_.Write(without);

  json single = api_.Ok("/v1/sources/" + Hex(core::ContentId(with)));
  EXPECT_EQ(single["uri"], "https://example.org/a");
  EXPECT_EQ(single["title"], "Label of https://example.org/a");
  EXPECT_EQ(single["source_class"], "regulatory");
  EXPECT_EQ(single["content"], "the label's full text");
  EXPECT_EQ(single["retracted"], false);

  json list = api_.Ok("/v1/sources");
  ASSERT_EQ(list["sources"].size(), 2u);
  for (const json& s : list["sources"]) {
    EXPECT_FALSE(s.contains("content")) << s.dump();
    json full = api_.Ok("/v1/sources/" + s["id"].get<std::string>());
    full.erase("content");
    EXPECT_EQ(s, full);
  }
  EXPECT_TRUE(list["next_cursor"].is_null());
  ExpectIdErrors(api_, "/v1/sources/", "hash");
}

TEST_F(ReadRecordsTest, AgentShowsTrustOverrideAndCounts) {
  std::vector<core::Hash32> ids;
  for (const char* text : {"a", "b", "c"}) {
    core::Assertion a = SignedAssertion({.text = text}, {1});
    api_.Assert(a);
    ids.push_back(core::ContentId(a));
  }
  api_.Write(SignedVote(ids[0], 2, 1.0));
  api_.Write(SignedVote(ids[1], 2, -0.5));
  api_.Write(SignedVote(ids[2], 3, 0.5));

  json author = api_.Ok("/v1/agents/" + AgentHex(1));
  EXPECT_EQ(author["agent_id"], AgentHex(1));
  EXPECT_EQ(author["assertions_count"], 3);
  EXPECT_EQ(author["votes_count"], 0);
  EXPECT_EQ(author["votes_received"], (json{{"up", 1.5}, {"down", 0.5}}));
  EXPECT_DOUBLE_EQ(author["trust"].get<double>(), (1 + 1.5) / (2 + 1.5 + 0.5));  // Beta(1,1) updated by votes
  EXPECT_EQ(author["trust_overridden"], false);

  json voter = api_.Ok("/v1/agents/" + AgentHex(2));
  EXPECT_EQ(voter["assertions_count"], 0);
  EXPECT_EQ(voter["votes_count"], 2);
  EXPECT_EQ(voter["trust"], 0.5);

  api_.SetTrust(1, 0.2);
  json overridden = api_.Ok("/v1/agents/" + AgentHex(1));
  EXPECT_EQ(overridden["trust"], 0.2);
  EXPECT_EQ(overridden["trust_overridden"], true);
  EXPECT_EQ(api_.Ok("/v1/trace/" + Hex(ids[0]))["signers"][0]["trust"], 0.2);

  // An agent the store has never seen has the prior and no counts.
  json stranger = api_.Ok("/v1/agents/" + AgentHex(9));
  EXPECT_EQ(stranger["trust"], 0.5);
  EXPECT_EQ(stranger["assertions_count"], 0);
  ExpectIdErrors(api_, "/v1/agents/", "agent_id", /*unknown_is_404=*/false);
}

}  // namespace
}  // namespace stemedb::testing

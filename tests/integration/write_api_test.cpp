// The write API of http-api.md (Writes) against the real daemon: statuses and ids computed on
// this side, co-signing, batches, votes, epochs, sources and their retraction, lifecycle chains.
// Refused requests are in write_rejection_test.cpp, durability in write_durability_test.cpp.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/daemon.h"
#include "support/records.h"

namespace stemedb::testing {
namespace {

using core::Lifecycle;
using nlohmann::json;

core::Hash32 IdOf(const std::string& hex) { return core::HexDecodeArray<32>(hex).value(); }

class WriteApiTest : public ::testing::Test {
 protected:
  WriteApiTest() : c_(d_.Connect()) {}

  StoreCounts Counts() { return ReadStoreCounts(*c_, d_); }
  json Read(const std::string& path) {
    JsonReply r = GetJson(*c_, path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.response.body;
    return r.body;
  }
  // An assertion in `stage` whose parent is `parent` (same subject and predicate).
  core::Assertion Stage(Lifecycle stage, const std::string& parent,
                        const std::string& text = "rare") {
    return SignedAssertion({.subject = "writes/lifecycle",
                            .text = text,
                            .lifecycle = stage,
                            .parent_hash = IdOf(parent)});
  }

  Daemon d_{{.args = {"--rate-limit-enabled", "false"}}};
  std::unique_ptr<client::HttpConnection> c_;
};

TEST_F(WriteApiTest, AssertIsCreatedThenExistsThenCosigned) {
  const core::Assertion a = SignedAssertion({.subject = "writes/idempotency"}, {1});
  JsonReply first = ExpectWrite(*c_, a);
  ASSERT_EQ(first.status, 201);
  ASSERT_TRUE(first.body["seq"].is_number_unsigned());
  ASSERT_TRUE(first.body["ingested_at"].is_number_unsigned());
  EXPECT_GT(first.body["ingested_at"].get<uint64_t>(), 1'600'000'000'000u) << "unix milliseconds";

  // The same content and signers: nothing new, the original's seq and time, and nothing
  // appended to the WAL either (architecture.md: duplicates are found before the append).
  const StoreCounts stored_once = Counts();
  JsonReply again = ExpectWrite(*c_, a, 200, "exists");
  EXPECT_EQ(again.body["seq"], first.body["seq"]);
  EXPECT_EQ(again.body["ingested_at"], first.body["ingested_at"]);
  EXPECT_EQ(Counts(), stored_once);

  // The same content signed by a new agent: one assertion with two signers.
  ExpectWrite(*c_, Resigned(a, {2}), 200, "cosigned");
  ExpectWrite(*c_, Resigned(a, {1, 2}), 200, "exists");
  const std::string id = first.body["id"];
  json stored = Read("/v1/assertions/" + id);
  EXPECT_EQ(stored["seq"], first.body["seq"]);
  EXPECT_EQ(stored["signers"],
            json({core::IdHex(Agent(1).public_key()), core::IdHex(Agent(2).public_key())}));
  EXPECT_EQ(Counts().assertions, 1u);
}

TEST_F(WriteApiTest, UpperCaseHexIsTheSameValue) {
  const std::string parent = Created(*c_, SignedAssertion({.subject = "writes/lifecycle"}));
  json child = core::ToJson(Stage(Lifecycle::kUnderReview, parent));
  std::string upper = parent;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  child["parent_hash"] = upper;
  JsonReply r = PostJson(*c_, "/v1/assert", child);
  ASSERT_EQ(r.status, 201) << r.response.body;
  EXPECT_EQ(r.body["id"], core::IdHex(core::ContentId(Stage(Lifecycle::kUnderReview, parent))));
  EXPECT_EQ(Read("/v1/assertions/" + r.body["id"].get<std::string>())["parent_hash"], parent);
}

TEST_F(WriteApiTest, BatchReportsEachItemAndWritesTheValidOnesInOneCommit) {
  const StoreCounts before = Counts();
  const core::Assertion root = SignedAssertion({.subject = "writes/batch", .text = "root"});
  json tampered = core::ToJson(SignedAssertion({.subject = "writes/batch", .text = "tampered"}));
  tampered["confidence"] = 0.5;  // changed after signing
  const core::Assertion unknown_parent =
      SignedAssertion({.subject = "writes/batch", .text = "orphan", .parent_hash = core::Hash32{}});
  // Item 3 names item 0 as its parent: earlier items of the same batch count as stored.
  const core::Assertion child = SignedAssertion({.subject = "writes/batch",
                                                 .text = "root",
                                                 .lifecycle = Lifecycle::kUnderReview,
                                                 .parent_hash = core::ContentId(root)});
  const json items = {core::ToJson(root), tampered,
                      core::ToJson(SignedAssertion({.subject = "writes/batch", .text = "2"})),
                      core::ToJson(child), core::ToJson(unknown_parent)};
  JsonReply r = PostJson(*c_, "/v1/assert/batch", {{"assertions", items}});
  ASSERT_EQ(r.status, 200) << r.response.body;
  const json& results = r.body["results"];
  ASSERT_EQ(results.size(), 5u);
  for (size_t i = 0; i < results.size(); ++i) EXPECT_EQ(results[i]["index"], i);
  EXPECT_EQ(results[1]["error"]["code"], "invalid_signature");
  EXPECT_EQ(results[1]["error"]["field"], "assertions[1].signatures[0].signature");
  EXPECT_EQ(results[4]["error"]["code"], "unknown_parent");
  EXPECT_EQ(results[4]["error"]["field"], "assertions[4].parent_hash");

  // The valid items, in order, with consecutive seqs: one append of three records.
  const uint64_t first_seq = results[0]["seq"];
  const size_t valid[] = {0, 2, 3};
  for (size_t k = 0; k < std::size(valid); ++k) {
    const size_t i = valid[k];
    EXPECT_EQ(results[i]["status"], "created") << i;
    EXPECT_EQ(results[i]["seq"], first_seq + k) << i;
    EXPECT_EQ(results[i]["ingested_at"], results[0]["ingested_at"]) << "one group commit, one time";
    EXPECT_EQ(Read("/v1/assertions/" + results[i]["id"].get<std::string>())["seq"],
              results[i]["seq"]);
  }
  EXPECT_EQ(results[0]["id"], core::IdHex(core::ContentId(root)));
  EXPECT_EQ(results[3]["id"], core::IdHex(core::ContentId(child)));
  const StoreCounts after = Counts();
  EXPECT_EQ(after.assertions, before.assertions + 3);
  EXPECT_EQ(after.wal_last_seq, first_seq + 2);
}

// A single write of a small body is checked on the I/O thread that read it; a batch, or a body
// that could carry many signatures, goes to the worker pool.
TEST_F(WriteApiTest, SmallSingleWritesRunWithoutTheWorkerPool) {
  const std::string tasks = "stemedb_http_worker_queue_wait_seconds_count";
  const double before = ReadMetric(*c_, tasks);
  const core::Assertion a = SignedAssertion({.subject = "writes/in-place"});
  ExpectWrite(*c_, a);
  ExpectWrite(*c_, SignedVote(core::ContentId(a), 2, 0.5));
  EXPECT_EQ(ReadMetric(*c_, tasks), before);

  JsonReply batch =
      PostJson(*c_, "/v1/assert/batch",
               {{"assertions",
                 {core::ToJson(SignedAssertion({.subject = "writes/in-place", .text = "b"}))}}});
  EXPECT_EQ(batch.status, 200) << batch.response.body;
  EXPECT_EQ(ReadMetric(*c_, tasks), before + 1);
  ExpectWrite(*c_, SignedAssertion({.subject = "writes/in-place", .text = std::string(3000, 'x')}));
  EXPECT_EQ(ReadMetric(*c_, tasks), before + 2);
}

TEST_F(WriteApiTest, BatchOfOnlyInvalidItemsWritesNothing) {
  const StoreCounts before = Counts();
  json bad = core::ToJson(SignedAssertion({.subject = "writes/batch-bad"}));
  bad["confidence"] = 2.0;
  JsonReply r = PostJson(*c_, "/v1/assert/batch", {{"assertions", {bad, {{"subject", 1}}}}});
  ASSERT_EQ(r.status, 200) << r.response.body;
  EXPECT_EQ(r.body["results"][0]["error"]["code"], "value_out_of_range");
  EXPECT_EQ(r.body["results"][0]["error"]["field"], "assertions[0].confidence");
  EXPECT_EQ(r.body["results"][1]["error"]["code"], "wrong_type");
  EXPECT_EQ(r.body["results"][1]["error"]["field"], "assertions[1].subject");
  EXPECT_EQ(Counts(), before);
}

TEST_F(WriteApiTest, VotesAreCreatedAndNeedAStoredAssertion) {
  const std::string target = Created(*c_, SignedAssertion({.subject = "writes/votes"}));
  const core::Vote vote = SignedVote(IdOf(target), 2, -0.5);
  JsonReply r = ExpectWrite(*c_, vote);
  EXPECT_TRUE(r.body["seq"].is_number_unsigned());
  ExpectWrite(*c_, vote, 200, "exists");
  Created(*c_, SignedVote(IdOf(target), 3, 1.0));
  json stored = Read("/v1/assertions/" + target);
  EXPECT_EQ(stored["votes"]["count"], 2);
  EXPECT_DOUBLE_EQ(stored["votes"]["net_weight"].get<double>(), 0.5);

  const StoreCounts before = Counts();
  core::Hash32 unknown{};
  unknown.fill(0xab);
  ExpectApiError(PostRecord(*c_, SignedVote(unknown, 2, 1.0)), 404, "assertion_not_found",
                 "assertion_hash");
  EXPECT_EQ(Counts(), before);
}

TEST_F(WriteApiTest, EpochsSupersedeAndNameOnlyStoredEpochs) {
  const std::string e2020 = Created(*c_, SignedEpoch("covid-guidelines-2020"));
  const std::string e2021 = Created(*c_, SignedEpoch("covid-guidelines-2021", IdOf(e2020)));
  // An epoch may be superseded by several later ones.
  core::Epoch refinement = SignedEpoch("covid-guidelines-2020-rev", IdOf(e2020));
  refinement.supersession_type = core::SupersessionType::kRefines;
  const std::string e2020_rev = Created(*c_, Resigned(refinement, {1, 2}));
  ExpectWrite(*c_, SignedEpoch("covid-guidelines-2021", IdOf(e2020)), 200, "exists");

  json old = Read("/v1/epochs/" + e2020);
  EXPECT_EQ(old["status"], "superseded");
  EXPECT_EQ(old["superseded_by"].size(), 2u);
  EXPECT_NE(std::find(old["superseded_by"].begin(), old["superseded_by"].end(), e2021),
            old["superseded_by"].end());
  EXPECT_NE(std::find(old["superseded_by"].begin(), old["superseded_by"].end(), e2020_rev),
            old["superseded_by"].end());
  EXPECT_EQ(Read("/v1/epochs/" + e2021)["status"], "current");
  EXPECT_EQ(Read("/v1/epochs/" + e2021)["supersedes"], e2020);

  const StoreCounts before = Counts();
  core::Hash32 unknown{};
  unknown.fill(0xcd);
  ExpectApiError(PostRecord(*c_, SignedEpoch("orphan", unknown)), 422, "unknown_epoch",
                 "supersedes");
  EXPECT_EQ(Counts(), before);
  // A supersession cycle (409 supersession_cycle) cannot be posted: an epoch's id hashes the id
  // it supersedes, so it can only name epochs older than itself. The check is proven on a
  // hand-made graph in tests/storage/write_checks_test.cpp.
}

TEST_F(WriteApiTest, SourcesRegisterAndAdminsRetractThem) {
  core::Source report{.uri = "https://example.org/report",
                      .title = "A report",
                      .source_class = core::SourceClass::kClinical,
                      .content = "the report's text\n"};
  JsonReply created = ExpectWrite(*c_, report);
  const std::string hash = created.body["id"];
  EXPECT_EQ(hash, core::IdHex(core::ContentId(report)));
  ExpectWrite(*c_, report, 200, "exists");
  const std::string page = Created(*c_, core::Source{.uri = "https://example.org/page"});
  const std::string citing =
      Created(*c_, SignedAssertion({.subject = "writes/sources", .source_hash = IdOf(hash)}));

  const std::string retract = "/v1/sources/" + hash + "/retract";
  const json reason = {{"reason", "the study was withdrawn"}};
  ExpectApiError(PostJson(*c_, retract, reason), 401, "missing_api_key");
  JsonReply key = PostJson(*c_, "/v1/admin/keys", {{"role", "write"}}, AdminHeaders(d_));
  ASSERT_EQ(key.status, 201) << key.response.body;
  ExpectApiError(PostJson(*c_, retract, reason, {{"X-API-Key", key.body["key"]}}), 403,
                 "forbidden");
  ExpectApiError(PostJson(*c_, retract, {{"reason", ""}}, AdminHeaders(d_)), 422, "empty_string",
                 "reason");
  EXPECT_FALSE(Read("/v1/sources/" + hash)["retracted"]);

  JsonReply done = PostJson(*c_, retract, reason, AdminHeaders(d_));
  ASSERT_EQ(done.status, 200) << done.response.body;
  EXPECT_EQ(done.body["id"], hash);
  EXPECT_EQ(done.body["status"], "retracted");
  EXPECT_EQ(PostJson(*c_, retract, reason, AdminHeaders(d_)).body["status"], "exists");
  json source = Read("/v1/sources/" + hash);
  EXPECT_TRUE(source["retracted"]);
  EXPECT_EQ(source["retraction_reason"], "the study was withdrawn");
  EXPECT_FALSE(Read("/v1/sources/" + page)["retracted"]);
  EXPECT_TRUE(Read("/v1/assertions/" + citing)["flags"]["source_retracted"]);
}

TEST_F(WriteApiTest, LifecycleStagesFollowTheAllowedChains) {
  const std::string proposed = Created(*c_, SignedAssertion({.subject = "writes/lifecycle"}));
  const std::string revision = Created(*c_, Stage(Lifecycle::kProposed, proposed, "revised"));
  const std::string review = Created(*c_, Stage(Lifecycle::kUnderReview, revision));
  const std::string approved = Created(*c_, Stage(Lifecycle::kApproved, review));
  const std::string deprecated = Created(*c_, Stage(Lifecycle::kDeprecated, approved));
  const std::string rejected = Created(*c_, Stage(Lifecycle::kRejected, review, "rejected"));
  EXPECT_TRUE(Read("/v1/assertions/" + review)["flags"]["has_later_stage"]);

  const StoreCounts before = Counts();
  struct Refused {
    Lifecycle stage;
    std::string parent;
  };
  for (const Refused& r :
       {Refused{Lifecycle::kApproved, proposed}, Refused{Lifecycle::kApproved, rejected},
        Refused{Lifecycle::kProposed, deprecated}, Refused{Lifecycle::kUnderReview, approved},
        Refused{Lifecycle::kRejected, proposed}}) {
    SCOPED_TRACE(std::string(core::LifecycleName(r.stage)) + " after " + r.parent);
    JsonReply reply = PostRecord(*c_, Stage(r.stage, r.parent, "refused"));
    ExpectApiError(reply, 422, "invalid_lifecycle_transition", "lifecycle");
    EXPECT_NE(reply.body["error"]["message"].get<std::string>().find("cannot follow a"),
              std::string::npos);
  }
  core::Hash32 unknown{};
  unknown.fill(0x5a);
  ExpectApiError(PostRecord(*c_, Stage(Lifecycle::kUnderReview, core::IdHex(unknown))), 422,
                 "unknown_parent", "parent_hash");
  ExpectApiError(PostRecord(*c_, SignedAssertion({.subject = "writes/other",
                                                  .lifecycle = Lifecycle::kUnderReview,
                                                  .parent_hash = IdOf(proposed)})),
                 422, "parent_mismatch", "parent_hash");
  EXPECT_EQ(Counts(), before);
}

// {"assertions": [...]} of assertions with a text object of text_bytes each, at least `bytes`
// long as JSON.
std::string BatchOfAtLeast(const std::string& subject, size_t bytes, size_t text_bytes) {
  json list = json::array();
  std::string body;
  while (body.size() < bytes) {
    list.push_back(
        core::ToJson(SignedAssertion({.subject = subject + "/" + std::to_string(list.size()),
                                      .text = std::string(text_bytes, 't')})));
    body = json{{"assertions", list}}.dump();
  }
  return body;
}

// The answer to a batch announced `length` bytes long, of which only the first bytes are sent: a
// body over the limit is refused from its header alone.
JsonReply AnnouncedBatch(const Daemon& d, size_t length) {
  auto c = d.Connect();
  return SendRawRequest(
      *c,
      "POST /v1/assert/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
          std::to_string(length) + "\r\n\r\n{\"assertions\":[");
}

// server.max_body_bytes is the JSON body's limit too: the JSON parser had a hard 1 MiB cap of its
// own, so a limit above 1 MiB let bigger bodies in only to refuse them (413 naming 1048576).
// Above 1 MiB, a batch up to the configured size is taken whole; below, larger bodies are refused
// with 413 naming the configured limit; either way one byte over it is refused.
TEST(BodyLimitTest, MaxBodyBytesGovernsTheJsonBody) {
  constexpr size_t kTwoMiB = 2 << 20;
  {
    Daemon d({.args = {"--server-max-body-bytes", std::to_string(kTwoMiB), "--rate-limit-enabled",
                       "false"}});
    auto c = d.Connect();
    const std::string body = BatchOfAtLeast("body/large", (3 << 20) / 2, 60000);  // 1.5 MiB
    ASSERT_LT(body.size(), kTwoMiB);
    JsonReply r = Send(*c, "POST", "/v1/assert/batch", body);
    ASSERT_EQ(r.status, 200) << r.response.body.substr(0, 500);
    for (const json& item : r.body["results"])
      EXPECT_EQ(item.value("status", ""), "created") << item.dump();
    EXPECT_EQ(ReadStoreCounts(*c, d).assertions, r.body["results"].size());

    JsonReply refused = AnnouncedBatch(d, kTwoMiB + 1);
    ExpectApiError(refused, 413, "body_too_large");
    EXPECT_NE(refused.body["error"]["message"].get<std::string>().find(std::to_string(kTwoMiB)),
              std::string::npos)
        << refused.response.body;
  }
  {
    Daemon d({.args = {"--server-max-body-bytes", "65536", "--rate-limit-enabled", "false"}});
    auto c = d.Connect();
    const std::string body = BatchOfAtLeast("body/small", 40000, 20000);
    ASSERT_LT(body.size(), 65536u);
    EXPECT_EQ(Send(*c, "POST", "/v1/assert/batch", body).status, 200);
    JsonReply refused = AnnouncedBatch(d, 65537);
    ExpectApiError(refused, 413, "body_too_large");
    EXPECT_NE(refused.body["error"]["message"].get<std::string>().find("65536"), std::string::npos)
        << refused.response.body;
  }
}

}  // namespace
}  // namespace stemedb::testing

// GET /v1/query, /v1/skeptic and /v1/layered on the real daemon: one resolution per predicate,
// every filter, cursor paging, and refusals of bad or unknown parameters.

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <set>
#include <thread>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/daemon.h"
#include "support/records.h"

namespace stemedb::testing {
namespace {

using core::Lifecycle;
using core::SourceClass;
using nlohmann::json;
using Params = QueryList;

std::string Hex(const core::Hash32& id) { return core::IdHex(id); }

class QueryApiTest : public ::testing::Test {
 protected:
  // Posts `spec` signed by `signers` and returns its id.
  std::string Post(const AssertionSpec& spec, const std::vector<int>& signers = {1}) {
    return api_.Assert(SignedAssertion(spec, signers))["id"];
  }
  json Query(const std::string& subject, Params extra = {}) {
    Params p = {{"subject", subject}, {"predicate", "p"}};
    p.insert(p.end(), extra.begin(), extra.end());
    return api_.Ok(Target("/v1/query", p));
  }
  // The ids of the candidates of a query (one page).
  std::set<std::string> CandidateIds(const std::string& subject, Params extra = {}) {
    std::set<std::string> ids;
    const json r = Query(subject, extra);
    for (const json& c : r["candidates"]) ids.insert(c["id"].get<std::string>());
    return ids;
  }

  Daemon daemon_{{.args = UnlimitedArgs()}};
  Api api_{daemon_};
};

TEST_F(QueryApiTest, WithoutPredicateOneResolutionPerPredicateInPages) {
  for (const char* predicate : {"weight", "dose", "risk"}) {
    Post({.subject = "drug/x", .predicate = predicate, .text = std::string("about ") + predicate});
  }
  Post({.subject = "drug/x", .predicate = "dose", .text = "10mg", .timestamp = 1700000100});
  Post({.subject = "drug/xy", .predicate = "other"});  // another subject, even with the same prefix
  json all = api_.Ok("/v1/query?subject=drug/x&lens=recency");
  EXPECT_EQ(all["subject"], "drug/x");
  EXPECT_EQ(all["lens"], "recency");
  ASSERT_EQ(all["resolutions"].size(), 3u);
  const std::vector<std::string> in_order = {"dose", "risk", "weight"};
  for (size_t i = 0; i < 3; ++i) {
    const json& r = all["resolutions"][i];
    EXPECT_EQ(r["predicate"], in_order[i]);
    // Each resolution is the same as the query naming its predicate.
    json one = api_.Ok(Target("/v1/query", {{"subject", "drug/x"}, {"predicate", in_order[i]}}));
    // The two requests decay at their own request times (milliseconds apart, more under the
    // sanitizers): effective confidence agrees closely, everything else exactly.
    json winner = r["winner"], one_winner = one["winner"];
    EXPECT_NEAR(winner["effective_confidence"].get<double>(), one_winner["effective_confidence"].get<double>(),
                1e-6 * one_winner["effective_confidence"].get<double>());
    winner.erase("effective_confidence");
    one_winner.erase("effective_confidence");
    EXPECT_EQ(winner, one_winner);
    EXPECT_EQ(r["candidates_count"], one["candidates_count"]);
  }
  EXPECT_EQ(all["resolutions"][0]["winner"]["object"]["value"], "10mg");
  EXPECT_TRUE(all["next_cursor"].is_null());

  json first = api_.Ok("/v1/query?subject=drug/x&limit=2");
  ASSERT_EQ(first["resolutions"].size(), 2u);
  ASSERT_TRUE(first["next_cursor"].is_string());
  json second = api_.Ok("/v1/query?subject=drug/x&limit=2&cursor=" + first["next_cursor"].get<std::string>());
  ASSERT_EQ(second["resolutions"].size(), 1u);
  EXPECT_EQ(second["resolutions"][0]["predicate"], "weight");
  EXPECT_TRUE(second["next_cursor"].is_null());
  EXPECT_TRUE(api_.Ok("/v1/query?subject=nobody")["resolutions"].empty());
}

TEST_F(QueryApiTest, NoCandidatesIsANullWinner) {
  json r = Query("nothing/here");
  EXPECT_TRUE(r["winner"].is_null());
  EXPECT_EQ(r["resolution_confidence"], 0.0);
  EXPECT_EQ(r["candidates_count"], 0);
  EXPECT_TRUE(r["candidates"].empty());
  json skeptic = api_.Ok("/v1/skeptic?subject=nothing/here&predicate=p");
  EXPECT_EQ(skeptic["status"], "unanimous");
  EXPECT_TRUE(api_.Ok("/v1/layered?subject=nothing/here&predicate=p")["tiers"].empty());
}

// Lineages: a proposed claim alone; one taken through review to approval; one to rejection.
TEST_F(QueryApiTest, LifecycleFilterSeesTheNewestStageOfEachLineage) {
  const std::string subject = "lifecycle";
  auto lineage = [&](const std::string& text, std::vector<Lifecycle> stages) {
    std::optional<core::Hash32> parent;
    std::string id;
    for (size_t i = 0; i < stages.size(); ++i) {
      core::Assertion a = SignedAssertion(
          {.subject = subject, .predicate = "p", .text = text, .timestamp = 1700000000 + int64_t(i), .lifecycle = stages[i], .parent_hash = parent});
      id = api_.Assert(a)["id"];
      parent = core::ContentId(a);
    }
    return id;  // the newest stage
  };
  const std::string alone = lineage("alone", {Lifecycle::kProposed});
  const std::string approved = lineage("approved", {Lifecycle::kProposed, Lifecycle::kUnderReview, Lifecycle::kApproved});
  const std::string rejected = lineage("rejected", {Lifecycle::kProposed, Lifecycle::kUnderReview, Lifecycle::kRejected});

  EXPECT_EQ(CandidateIds(subject), (std::set<std::string>{alone, approved}));  // default: all but rejected
  EXPECT_EQ(CandidateIds(subject, {{"lifecycle", "any"}}), (std::set<std::string>{alone, approved, rejected}));
  EXPECT_EQ(CandidateIds(subject, {{"lifecycle", "approved"}}), (std::set<std::string>{approved}));
  EXPECT_EQ(CandidateIds(subject, {{"lifecycle", "rejected"}}), (std::set<std::string>{rejected}));
  EXPECT_EQ(CandidateIds(subject, {{"lifecycle", "proposed"}}), (std::set<std::string>{alone}));
  EXPECT_TRUE(CandidateIds(subject, {{"lifecycle", "under_review"}}).empty());  // both moved on
  EXPECT_EQ(api_.Error("/v1/query?subject=lifecycle&lifecycle=final", 400)["field"], "lifecycle");
}

TEST_F(QueryApiTest, EpochSourceClassAndValidAtFilters) {
  core::Epoch e1 = SignedEpoch("one"), e2 = SignedEpoch("two");
  api_.Write(e1);
  api_.Write(e2);
  const std::string in_e1 = Post({.subject = "f", .predicate = "p", .text = "a", .source_class = SourceClass::kClinical, .epoch = core::ContentId(e1)});
  const std::string in_e2 = Post({.subject = "f", .predicate = "p", .text = "b", .epoch = core::ContentId(e2)});
  const std::string bounded = Post({.subject = "f", .predicate = "p", .text = "c", .valid_from = 1000, .valid_until = 2000});
  const std::string open_end = Post({.subject = "f", .predicate = "p", .text = "d", .source_class = SourceClass::kClinical, .valid_from = 1500});

  EXPECT_EQ(CandidateIds("f", {{"epoch", Hex(core::ContentId(e1))}}), (std::set<std::string>{in_e1}));
  EXPECT_EQ(CandidateIds("f", {{"source_class", "clinical"}}), (std::set<std::string>{in_e1, open_end}));
  EXPECT_TRUE(CandidateIds("f", {{"source_class", "expert"}}).empty());
  // The valid period is closed; an absent bound is open; a claim without one is always valid.
  EXPECT_EQ(CandidateIds("f", {{"valid_at", "1000"}}), (std::set<std::string>{in_e1, in_e2, bounded}));
  EXPECT_EQ(CandidateIds("f", {{"valid_at", "2000"}}), (std::set<std::string>{in_e1, in_e2, bounded, open_end}));
  EXPECT_EQ(CandidateIds("f", {{"valid_at", "2001"}}), (std::set<std::string>{in_e1, in_e2, open_end}));
  EXPECT_EQ(CandidateIds("f", {{"valid_at", "999"}, {"source_class", "clinical"}}), (std::set<std::string>{in_e1}));

  EXPECT_EQ(api_.Error("/v1/query?subject=f&epoch=nothex", 400)["field"], "epoch");
  EXPECT_EQ(api_.Error("/v1/query?subject=f&source_class=gossip", 400)["field"], "source_class");
  EXPECT_EQ(api_.Error("/v1/query?subject=f&valid_at=soon", 400)["field"], "valid_at");
}

TEST_F(QueryApiTest, AsOfIsKnowledgeTimeAndDecayCanBeTurnedOff) {
  const int64_t year_ago = UnixNowS() - 365 * 86400;
  json early = api_.Assert(SignedAssertion({.subject = "t", .predicate = "p", .text = "early", .timestamp = year_ago}));
  const uint64_t as_of = early["ingested_at"];
  WaitForClockPast(as_of);
  const std::string late = Post({.subject = "t", .predicate = "p", .text = "late", .timestamp = year_ago + 1});
  EXPECT_EQ(CandidateIds("t"), (std::set<std::string>{early["id"], late}));
  EXPECT_EQ(CandidateIds("t", {{"as_of", std::to_string(as_of)}}), (std::set<std::string>{early["id"]}));
  EXPECT_TRUE(CandidateIds("t", {{"as_of", std::to_string(as_of - 1)}}).empty());

  // A community claim a year old has lost 2^(-365/90) of its confidence; decay=false keeps it.
  json decayed = Query("t", {{"lens", "confidence"}})["winner"];
  EXPECT_NEAR(decayed["effective_confidence"].get<double>(), 0.8 * std::exp2(-365.0 / 90.0), 1e-4);
  json flat = Query("t", {{"lens", "confidence"}, {"decay", "false"}})["winner"];
  EXPECT_EQ(flat["effective_confidence"], 0.8);
  EXPECT_EQ(api_.Error("/v1/query?subject=t&decay=maybe", 400)["field"], "decay");
  EXPECT_EQ(api_.Error("/v1/query?subject=t&as_of=yesterday", 400)["field"], "as_of");
}

// 60 candidates of three tiers and ten values, paged seven at a time through every lens: each
// candidate shows up exactly once, in the order of the unpaged ranking.
TEST_F(QueryApiTest, CursorPagingVisitsEveryCandidateExactlyOnce) {
  std::vector<std::string> batch;
  const SourceClass tiers[] = {SourceClass::kClinical, SourceClass::kCommunity, SourceClass::kAnecdotal};
  for (int i = 0; i < 60; ++i) {
    batch.push_back(core::ToJson(SignedAssertion({.subject = "paged", .predicate = "p", .text = "v" + std::to_string(i % 10),
                                                  .confidence = 0.5 + 0.005 * i, .timestamp = 1700000000 + i,
                                                  .source_class = tiers[i % 3]},
                                                 {1 + i % 7}))
                        .dump());
  }
  for (const json& r : api_.Batch(batch)) EXPECT_EQ(r["status"], "created") << r.dump();
  for (const char* lens : {"recency", "confidence", "consensus", "vote", "authority", "epoch"}) {
    json whole = Query("paged", {{"lens", lens}, {"limit", "1000"}});
    ASSERT_EQ(whole["candidates"].size(), 60u);
    std::vector<std::string> paged;
    std::string cursor;
    for (int page = 0; page < 20; ++page) {
      Params p = {{"lens", lens}, {"limit", "7"}};
      if (!cursor.empty()) p.emplace_back("cursor", cursor);
      json r = Query("paged", p);
      EXPECT_EQ(r["candidates_count"], 60);
      EXPECT_EQ(r["winner"]["id"], whole["winner"]["id"]);  // the scores describe the whole ranking
      for (const json& c : r["candidates"]) paged.push_back(c["id"]);
      if (r["next_cursor"].is_null()) break;
      cursor = r["next_cursor"];
    }
    std::vector<std::string> expected;
    for (const json& c : whole["candidates"]) expected.push_back(c["id"]);
    EXPECT_EQ(paged, expected) << lens;
  }
  EXPECT_EQ(api_.Error("/v1/query?subject=paged&predicate=p&cursor=bogus", 400)["code"], "invalid_cursor");
  EXPECT_EQ(api_.Error("/v1/query?subject=paged&predicate=p&limit=0", 400)["field"], "limit");
  EXPECT_EQ(api_.Error("/v1/query?subject=paged&predicate=p&limit=1001", 400)["field"], "limit");
}

// The suite of the one test that writes a pair past the loaded bound: 10,001 signed claims,
// minutes under the sanitizers, so it is not in the `sanitize` suites (tests/CMakeLists.txt);
// the streamed path's unit tests (query/streamed_test.cpp) run under them instead.
class BigPairQueryApiTest : public QueryApiTest {};

// A pair past what the candidate cache loads (10,000) is resolved streamed: a claim posted
// after ten thousand others still counts in every lens and view (it was ignored once: the scan
// kept the oldest 10,000 and answered "truncated").
TEST_F(BigPairQueryApiTest, AClaimAfterTenThousandOthersStillCounts) {
  const int64_t now_s = UnixNowS();
  for (int b = 0; b < 10; ++b) {
    std::vector<std::string> batch;
    for (int i = 0; i < 1000; ++i) {
      const int n = b * 1000 + i;
      batch.push_back(core::ToJson(SignedAssertion({.subject = "buried", .predicate = "p", .text = "old",
                                                    .confidence = 0.1, .timestamp = now_s - 100000 + n,
                                                    .source_class = SourceClass::kCommunity},
                                                   {1 + n % 5}))
                          .dump());
    }
    for (const json& r : api_.Batch(batch)) ASSERT_EQ(r["status"], "created") << r.dump();
  }
  const std::string late = Post({.subject = "buried", .predicate = "p", .text = "new", .confidence = 1.0,
                                 .timestamp = now_s, .source_class = SourceClass::kRegulatory},
                                {51});  // authority: 1.0 x 1.0 x 0.5 against 5 agents x 0.1 x 0.3 x 0.5
  for (const char* lens : {"recency", "authority", "confidence"}) {
    json r = Query("buried", {{"lens", lens}});
    EXPECT_EQ(r["winner"]["id"], late) << lens;
    EXPECT_EQ(r["candidates_count"], 10001) << lens;
    EXPECT_FALSE(r.contains("truncated")) << lens;
    EXPECT_EQ(r["candidates"].size(), 100u) << lens;
  }
  json consensus = Query("buried", {{"lens", "consensus"}});
  EXPECT_EQ(consensus["winner"]["object"]["value"], "old");  // 5 agents against 1
  EXPECT_NEAR(consensus["resolution_confidence"].get<double>(), 5.0 / 6.0, 1e-12);

  json skeptic = api_.Ok("/v1/skeptic?subject=buried&predicate=p");
  EXPECT_EQ(skeptic["candidates_count"], 10001);
  EXPECT_EQ(skeptic["claims_count"], 2);
  ASSERT_EQ(skeptic["claims"].size(), 2u);
  EXPECT_EQ(skeptic["claims"][1]["assertions_count"].get<int>() + skeptic["claims"][0]["assertions_count"].get<int>(),
            10001);
  json layered = api_.Ok("/v1/layered?subject=buried&predicate=p");
  EXPECT_EQ(layered["winner"]["id"], late);
  EXPECT_TRUE(layered["cross_tier_conflict"]);
  EXPECT_EQ(layered["candidates_count"], 10001);

  // Paging a streamed pair: every page from the first page's snapshot, no repeats, to the
  // listed depth of 10,000, which the answer names.
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  for (; pages < 20; ++pages) {
    Params p = {{"limit", "1000"}};
    if (!cursor.empty()) p.emplace_back("cursor", cursor);
    json r = Query("buried", p);
    if (pages == 0) {
      EXPECT_EQ(r["candidates"][0]["id"], late);
    }
    EXPECT_EQ(r["candidates_listed_max"], 10000);
    for (const json& c : r["candidates"]) EXPECT_TRUE(seen.insert(c["id"].get<std::string>()).second);
    if (r["next_cursor"].is_null()) break;
    cursor = r["next_cursor"];
  }
  EXPECT_EQ(pages, 9);
  EXPECT_EQ(seen.size(), 10000u);
}

// Later pages rank what the first page saw, at the first page's time: a write in between does
// not shift them (no repeat, no gap), and decay does not move on (votes still count at once).
// A pair whose few candidates are cached is resolved on the I/O thread: no task for the worker
// pool (whose queue-wait histogram counts every task). A cold pair, or a subject's every
// predicate, still goes to the pool. The answers are the same either way.
TEST_F(QueryApiTest, ASmallCachedPairIsAnsweredWithoutTheWorkerPool) {
  const std::string id = Post({.subject = "warm", .predicate = "p", .text = "v"});
  const std::string tasks = "stemedb_http_worker_queue_wait_seconds_count";
  const double before = ReadMetric(api_.connection(), tasks);
  EXPECT_EQ(Query("warm")["winner"]["id"], id);  // a miss: loaded on a worker, then cached
  const double loaded = ReadMetric(api_.connection(), tasks);
  EXPECT_EQ(loaded, before + 1);
  for (const char* lens : {"recency", "consensus", "authority"}) {
    EXPECT_EQ(Query("warm", {{"lens", lens}})["winner"]["id"], id) << lens;
  }
  EXPECT_EQ(api_.Ok("/v1/skeptic?subject=warm&predicate=p")["claims_count"], 1);
  EXPECT_EQ(api_.Ok("/v1/layered?subject=warm&predicate=p")["winner"]["id"], id);
  EXPECT_EQ(ReadMetric(api_.connection(), tasks), loaded);
  EXPECT_EQ(api_.Ok("/v1/query?subject=warm")["resolutions"].size(), 1u);
  EXPECT_EQ(ReadMetric(api_.connection(), tasks), loaded + 1);
}

TEST_F(QueryApiTest, LaterPagesAreResolvedAtTheFirstPagesSnapshot) {
  const int64_t now_s = UnixNowS();
  std::vector<std::string> ids;  // oldest first
  for (int i = 0; i < 4; ++i) {
    ids.push_back(Post({.subject = "snap", .predicate = "p", .text = "v" + std::to_string(i), .confidence = 0.9 - 0.1 * i,
                        .timestamp = now_s - 1000 + i, .source_class = SourceClass::kAnecdotal}));
  }
  json first = Query("snap", {{"limit", "2"}});
  ASSERT_EQ(first["candidates"].size(), 2u);
  EXPECT_EQ(first["candidates"][0]["id"], ids[3]);
  EXPECT_EQ(first["candidates"][1]["id"], ids[2]);
  const std::string newest = Post({.subject = "snap", .predicate = "p", .text = "late", .timestamp = now_s - 10,
                                   .source_class = SourceClass::kAnecdotal});
  json second = Query("snap", {{"limit", "2"}, {"cursor", first["next_cursor"]}});
  EXPECT_EQ(second["candidates_count"], 4);
  EXPECT_EQ(second["winner"]["id"], ids[3]);
  ASSERT_EQ(second["candidates"].size(), 2u);
  EXPECT_EQ(second["candidates"][0]["id"], ids[1]);
  EXPECT_EQ(second["candidates"][1]["id"], ids[0]);
  EXPECT_TRUE(second["next_cursor"].is_null());
  EXPECT_EQ(Query("snap")["winner"]["id"], newest);  // a new query sees the write

  json by_confidence = Query("snap", {{"lens", "confidence"}, {"limit", "1"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the request time moves on by a second
  json next = Query("snap", {{"lens", "confidence"}, {"limit", "1"}, {"cursor", by_confidence["next_cursor"]}});
  EXPECT_EQ(next["winner"], by_confidence["winner"]);  // effective confidence decayed at the same time
  EXPECT_EQ(next["conflict_score"], by_confidence["conflict_score"]);
}

// Each read fills the candidate cache; each write after it must show in the next read at once.
TEST_F(QueryApiTest, VotesCosignsTrustAndEpochsShowAtOnce) {
  core::Epoch e1 = SignedEpoch("e1");
  api_.Write(e1);
  core::Assertion x = SignedAssertion({.subject = "live", .predicate = "p", .text = "x", .confidence = 0.8, .epoch = core::ContentId(e1)}, {1});
  const std::string y = Post({.subject = "live", .predicate = "p", .text = "y", .confidence = 0.7}, {2});
  const std::string x_id = api_.Assert(x)["id"];
  auto candidate = [](const json& r, const std::string& id) {
    for (const json& c : r["candidates"]) {
      if (c["id"] == id) return c;
    }
    return json();
  };

  EXPECT_EQ(Query("live", {{"lens", "vote"}})["winner"]["id"], x_id);  // 0.8 against 0.7
  api_.Write(SignedVote(core::ContentId(x), 3, -1.0));
  json voted = Query("live", {{"lens", "vote"}});
  EXPECT_EQ(voted["winner"]["id"], y);  // x's support is 0.8 * max(0, 1 - 1) = 0
  EXPECT_EQ(candidate(voted, x_id)["net_votes"], -1.0);

  EXPECT_EQ(Query("live", {{"lens", "consensus"}})["resolution_confidence"], 0.5);  // one agent each
  EXPECT_EQ(api_.Assert(Resigned(x, {4, 5}))["status"], "cosigned");
  json cosigned = Query("live", {{"lens", "consensus"}});
  EXPECT_EQ(cosigned["winner"]["id"], x_id);  // three signing agents against one
  EXPECT_EQ(candidate(cosigned, x_id)["signers_count"], 3);

  Params authority = {{"lens", "authority"}, {"decay", "false"}};
  EXPECT_DOUBLE_EQ(candidate(Query("live", authority), y)["weight"].get<double>(), 0.7 * 0.3 * 0.5);
  api_.SetTrust(2, 1.0);
  EXPECT_DOUBLE_EQ(candidate(Query("live", authority), y)["weight"].get<double>(), 0.7 * 0.3 * 1.0);

  EXPECT_EQ(Query("live", {{"lens", "epoch"}})["candidates_count"], 2);
  api_.Write(SignedEpoch("e2", core::ContentId(e1)));
  json superseded = Query("live", {{"lens", "epoch"}});
  EXPECT_EQ(superseded["candidates_count"], 1);  // x's epoch is superseded now
  EXPECT_EQ(superseded["winner"]["id"], y);
}

TEST_F(QueryApiTest, UnknownAndMissingParametersAreRefusedByName) {
  for (const char* path : {"/v1/query", "/v1/skeptic", "/v1/layered"}) {
    json e = api_.Error(std::string(path) + "?subject=s&predicte=p", 400);
    EXPECT_EQ(e["code"], "unknown_parameter") << path;
    EXPECT_EQ(e["field"], "predicte") << path;
    EXPECT_NE(e["message"].get<std::string>().find("predicte"), std::string::npos) << e.dump();
    EXPECT_EQ(api_.Error(std::string(path) + "?predicate=p", 400)["field"], "subject") << path;
    EXPECT_EQ(api_.Error(std::string(path) + "?subject=s&predicate=p&subject=t", 400)["field"], "subject") << path;
  }
  // The views resolve one predicate, and take no lens or paging.
  EXPECT_EQ(api_.Error("/v1/skeptic?subject=s", 400)["field"], "predicate");
  EXPECT_EQ(api_.Error("/v1/layered?subject=s&predicate=p&lens=vote", 400)["field"], "lens");
  EXPECT_EQ(api_.Error("/v1/query?subject=s&lens=popularity", 400)["field"], "lens");
  EXPECT_EQ(api_.Error("/v1/query?subject=s&lens=epoch&inner=epoch", 400)["field"], "inner");
  for (const char* path : {"/v1/feed?afterr=1", "/v1/epochs?page=2", "/v1/sources?page=2"}) {
    EXPECT_EQ(api_.Error(path, 400)["code"], "unknown_parameter") << path;
  }
}

}  // namespace
}  // namespace stemedb::testing

// GET /v1/feed on the real daemon: assertions in log order with after, limit and
// subject_prefix, other kinds of record with kind=, a predicate filter, and follow=true as Server-Sent Events that push new assertions as they become
// durable and resume after a reconnect with Last-Event-ID, with no gap and no duplicate. Idle
// followers cost no CPU whatever the kind of the last record, and one that leaves is let go.

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <set>
#include <thread>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/hex.h"
#include "stemedb/ops/process_metrics.h"
#include "support/api.h"
#include "support/daemon.h"
#include "support/records.h"
#include "support/sse.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

struct Written {
  std::string id;
  uint64_t seq;
};

class FeedTest : public ::testing::Test {
 protected:
  Written Post(const std::string& subject, const std::string& text) {
    json r = api_.Assert(SignedAssertion({.subject = subject, .text = text}));
    return {r["id"], r["seq"]};
  }
  // n assertions about subject/0.. subject/n-1.
  std::vector<Written> PostMany(const std::string& subject, int n) {
    std::vector<Written> out;
    for (int i = 0; i < n; ++i) out.push_back(Post(subject + "/" + std::to_string(i), "v" + std::to_string(i)));
    return out;
  }
  // The next n events of `s`, each checked to be an assertion event whose id is its seq.
  std::vector<Written> Events(SseStream& s, size_t n) {
    std::vector<Written> out;
    while (out.size() < n) {
      auto e = s.Next();
      if (!e) {
        ADD_FAILURE() << "the stream ended after " << out.size() << " of " << n << " events";
        break;
      }
      EXPECT_EQ(e->event, "assertion");
      json data = json::parse(e->data);
      EXPECT_EQ(e->id, std::to_string(data["seq"].get<uint64_t>()));
      out.push_back({data["id"], data["seq"]});
    }
    return out;
  }

  Daemon daemon_{{.args = UnlimitedArgs()}};
  Api api_{daemon_};
};

std::vector<std::string> Ids(const std::vector<Written>& w) {
  std::vector<std::string> ids;
  for (const auto& x : w) ids.push_back(x.id);
  return ids;
}

std::vector<std::string> Ids(const json& assertions) {
  std::vector<std::string> ids;
  for (const json& a : assertions) ids.push_back(a["id"]);
  return ids;
}

std::vector<Written> Concat(std::vector<Written> a, const std::vector<Written>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST_F(FeedTest, ListsAssertionsInLogOrderWithAfterLimitAndSubjectPrefix) {
  std::vector<Written> a = PostMany("feed/a", 5);
  core::Assertion first = SignedAssertion({.subject = "feed/a/0", .text = "v0"});
  api_.Write(SignedVote(core::ContentId(first), 2, 1.0));  // not an assertion: not in the feed
  api_.Write(SignedEpoch("e"));
  EXPECT_EQ(api_.Assert(Resigned(first, {3}))["status"], "cosigned");  // not a new assertion
  std::vector<Written> b = PostMany("feed/b", 3);
  const std::vector<Written> all = Concat(a, b);

  json feed = api_.Ok("/v1/feed");
  EXPECT_EQ(Ids(feed["assertions"]), Ids(all));
  EXPECT_EQ(feed["assertions"][0]["subject"], "feed/a/0");
  EXPECT_EQ(feed["assertions"][0]["seq"], all[0].seq);
  EXPECT_TRUE(feed["assertions"][0].contains("ingested_at"));
  EXPECT_EQ(Ids(api_.Ok("/v1/feed?after=" + std::to_string(a[2].seq))["assertions"]),
            Ids(std::vector<Written>(all.begin() + 3, all.end())));
  EXPECT_EQ(Ids(api_.Ok("/v1/feed?subject_prefix=feed/b")["assertions"]), Ids(b));
  EXPECT_TRUE(api_.Ok("/v1/feed?subject_prefix=feed/c")["assertions"].empty());

  // Paging two at a time with next_after visits every assertion once, in order.
  std::vector<std::string> paged;
  uint64_t after = 0;
  for (int page = 0; page < 10; ++page) {
    json r = api_.Ok("/v1/feed?limit=2&after=" + std::to_string(after));
    if (r["assertions"].empty()) break;
    EXPECT_LE(r["assertions"].size(), 2u);
    for (const std::string& id : Ids(r["assertions"])) paged.push_back(id);
    after = r["next_after"];
  }
  EXPECT_EQ(paged, Ids(all));

  EXPECT_EQ(api_.Error("/v1/feed?limit=0", 400)["field"], "limit");
  EXPECT_EQ(api_.Error("/v1/feed?limit=1001", 400)["field"], "limit");
  EXPECT_EQ(api_.Error("/v1/feed?after=-1", 400)["field"], "after");
  EXPECT_EQ(api_.Error("/v1/feed?follow=yes", 400)["field"], "follow");
}

TEST_F(FeedTest, KindAndPredicateSelectRecords) {
  const Written a = Post("kinds/a", "v0");
  const core::Assertion b_claim = SignedAssertion({.subject = "kinds/b", .predicate = "other", .text = "v1"});
  const std::string b = api_.Assert(b_claim)["id"];
  const std::string vote_a = api_.Write(SignedVote(*core::HexDecodeArray<32>(a.id), 2, 1.0))["id"];
  const std::string vote_b = api_.Write(SignedVote(core::ContentId(b_claim), 2, -0.5))["id"];
  const std::string epoch = api_.Write(SignedEpoch("kinds-epoch"))["id"];

  // Assertions only, as before, unless kind= asks; each kind its own list, in log order.
  json plain = api_.Ok("/v1/feed");
  EXPECT_FALSE(plain.contains("votes"));
  json all = api_.Ok("/v1/feed?kind=assertion,vote,epoch,source");
  EXPECT_EQ(Ids(all["assertions"]), (std::vector<std::string>{a.id, b}));
  EXPECT_EQ(Ids(all["votes"]), (std::vector<std::string>{vote_a, vote_b}));
  EXPECT_EQ(all["votes"][0]["assertion_hash"], a.id);
  EXPECT_EQ(Ids(all["epochs"]), std::vector<std::string>{epoch});
  EXPECT_TRUE(all["sources"].empty());
  json votes = api_.Ok("/v1/feed?kind=vote");
  EXPECT_FALSE(votes.contains("assertions"));
  EXPECT_EQ(Ids(votes["votes"]), (std::vector<std::string>{vote_a, vote_b}));

  // predicate= and subject_prefix= select assertions and the votes on them; epochs have neither.
  json by_predicate = api_.Ok("/v1/feed?predicate=other&kind=assertion,vote,epoch");
  EXPECT_EQ(Ids(by_predicate["assertions"]), std::vector<std::string>{b});
  EXPECT_EQ(Ids(by_predicate["votes"]), std::vector<std::string>{vote_b});
  EXPECT_TRUE(by_predicate["epochs"].empty());
  EXPECT_EQ(Ids(api_.Ok("/v1/feed?subject_prefix=kinds/a&kind=vote")["votes"]), std::vector<std::string>{vote_a});

  // Streamed, each record is an event named by its kind.
  SseStream stream(daemon_, "/v1/feed?follow=true&kind=vote,epoch");
  ASSERT_EQ(stream.status(), 200) << stream.header().body;
  std::vector<std::string> events;
  for (int i = 0; i < 3; ++i) {
    auto e = stream.Next();
    ASSERT_TRUE(e);
    events.push_back(e->event + " " + json::parse(e->data)["id"].get<std::string>());
  }
  EXPECT_EQ(events, (std::vector<std::string>{"vote " + vote_a, "vote " + vote_b, "epoch " + epoch}));

  const json bad = api_.Error("/v1/feed?kind=assertion,votes", 400);
  EXPECT_EQ(bad["field"], "kind");
  EXPECT_NE(bad["message"].get<std::string>().find("'votes'"), std::string::npos) << bad;
  EXPECT_EQ(api_.Error("/v1/feed?predicate=" + std::string(300, 'p'), 400)["field"], "predicate");
}

TEST_F(FeedTest, FollowPushesNewAssertionsAndResumesWithLastEventId) {
  std::vector<Written> before = PostMany("live", 3);
  SseStream stream(daemon_, "/v1/feed?follow=true");
  ASSERT_EQ(stream.status(), 200) << stream.header().body;
  EXPECT_EQ(stream.header().Header("content-type"), "text/event-stream");
  EXPECT_EQ(Ids(Events(stream, 3)), Ids(before));  // the backlog from after=0 first

  std::vector<Written> pushed = PostMany("live/next", 4);  // each pushed once durable
  EXPECT_EQ(Ids(Events(stream, 4)), Ids(pushed));
  stream.Close();

  std::vector<Written> missed = PostMany("live/missed", 5);  // while nobody listens
  // Last-Event-ID wins over `after`: the stream resumes right after the last event seen.
  SseStream resumed(daemon_, "/v1/feed?follow=true&after=0", {{"Last-Event-ID", std::to_string(pushed.back().seq)}});
  ASSERT_EQ(resumed.status(), 200);
  EXPECT_EQ(Ids(Events(resumed, 5)), Ids(missed));
  std::vector<Written> later = PostMany("live/later", 2);
  EXPECT_EQ(Ids(Events(resumed, 2)), Ids(later));  // no duplicate of the missed ones, no gap

  SseStream bad(daemon_, "/v1/feed?follow=true", {{"Last-Event-ID", "seven"}});
  EXPECT_EQ(bad.status(), 400);
}

TEST_F(FeedTest, FollowWithSubjectPrefixPushesOnlyMatchingSubjects) {
  const Written start = Post("other", "x");
  SseStream stream(daemon_, "/v1/feed?follow=true&subject_prefix=watched/&after=" + std::to_string(start.seq));
  ASSERT_EQ(stream.status(), 200);
  std::vector<Written> expected;
  for (int i = 0; i < 6; ++i) {
    Post("unwatched/" + std::to_string(i), "x");
    expected.push_back(Post("watched/" + std::to_string(i), "x"));
  }
  EXPECT_EQ(Ids(Events(stream, expected.size())), Ids(expected));
}

// The daemon's CPU use, as a fraction of one core, in the quietest of `windows` consecutive
// windows of doing nothing (after a moment to finish the last request's work), and every window's
// figure for the failure message. A spinning hub keeps a thread runnable all the time: even on a
// loaded 2-core machine it gets half a core or more in every window. One-off background work (the
// storage tier's periodic persist: a RocksDB flush every 10 s, 0.4 s of CPU under TSan and spread
// over seconds when CI's other test holds the cores) lands in some windows, not all, so the
// quietest window tells a spin from it.
struct IdleCpu {
  double quietest_core_fraction = std::numeric_limits<double>::infinity();
  std::string windows;
};
IdleCpu QuietestIdleCpu(const Daemon& d, std::chrono::milliseconds window, int windows) {
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  IdleCpu idle;
  const double window_s = std::chrono::duration<double>(window).count();
  for (int i = 0; i < windows; ++i) {
    const double before = ops::ProcessCpuSeconds(d.pid());
    std::this_thread::sleep_for(window);
    const double fraction = (ops::ProcessCpuSeconds(d.pid()) - before) / window_s;
    idle.quietest_core_fraction = std::min(idle.quietest_core_fraction, fraction);
    idle.windows += (i == 0 ? "" : " ") + std::to_string(fraction);
  }
  return idle;
}
// Below this share of a core in the quietest window the daemon is idle; a spin is 0.5 or more.
constexpr double kIdleCoreFractionMax = 0.3;

// A co-signature, an API key, its revocation and a trust override write no log entry by seq, so
// the log's last entry lies below the last applied seq. A follower used to stay below it and the
// hub spun on it (a core at 100%) until some other record came. Followers attached after each
// kind of record, as the last record, must leave the daemon idle.
TEST_F(FeedTest, IdleFollowersCostNoCpuWhateverTheLastRecord) {
  const core::Assertion claim = SignedAssertion({.subject = "feed/cpu", .text = "v"});
  const std::string agent_path = "/v1/admin/agents/" + core::IdHex(Agent(4).public_key()) + "/trust";
  std::string key_id;
  const std::vector<std::pair<std::string, std::function<void()>>> records = {
      {"assertion", [&] { api_.Assert(claim); }},
      {"co-signature", [&] { EXPECT_EQ(api_.Assert(Resigned(claim, {1, 3}))["status"], "cosigned"); }},
      {"vote", [&] { api_.Write(SignedVote(core::ContentId(claim), 2, 1.0)); }},
      {"API key",
       [&] {
         JsonReply r = Send(api_.connection(), "POST", "/v1/admin/keys", R"({"role":"read"})", AdminHeaders(daemon_));
         ASSERT_EQ(r.status, 201) << r.response.body;
         key_id = r.body["key_id"];
       }},
      {"epoch", [&] { api_.Write(SignedEpoch("feed-cpu")); }},
      {"API key revocation",
       [&] {
         EXPECT_EQ(Send(api_.connection(), "DELETE", "/v1/admin/keys/" + key_id, "", AdminHeaders(daemon_)).status, 200);
       }},
      {"trust override", [&] { api_.SetTrust(4, 0.25); }},
      {"trust override cleared",
       [&] { EXPECT_EQ(Send(api_.connection(), "DELETE", agent_path, "", AdminHeaders(daemon_)).status, 200); }},
  };
  std::vector<std::unique_ptr<SseStream>> followers;
  for (const auto& [kind, write] : records) {
    write();
    followers.push_back(std::make_unique<SseStream>(daemon_, "/v1/feed?follow=true"));
    ASSERT_EQ(followers.back()->status(), 200) << kind;
    const IdleCpu idle = QuietestIdleCpu(daemon_, std::chrono::milliseconds(500), 5);
    EXPECT_LT(idle.quietest_core_fraction, kIdleCoreFractionMax)
        << "followers idle after a " << kind << "; share of a core in each window: " << idle.windows;
  }
  ASSERT_EQ(ReadMetric(api_.connection(), "stemedb_feed_followers"), static_cast<double>(records.size()));
  const IdleCpu idle = QuietestIdleCpu(daemon_, std::chrono::seconds(1), 5);
  EXPECT_LT(idle.quietest_core_fraction, kIdleCoreFractionMax)
      << records.size() << " idle followers; share of a core in each second: " << idle.windows;

  // Followers that leave are let go at once (not at the next keep-alive, 15 s on), and cost
  // nothing after.
  for (auto& f : followers) f->Close();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (ReadMetric(api_.connection(), "stemedb_feed_followers") > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(ReadMetric(api_.connection(), "stemedb_feed_followers"), 0) << "followers that left are still counted";
  const IdleCpu after = QuietestIdleCpu(daemon_, std::chrono::milliseconds(500), 5);
  EXPECT_LT(after.quietest_core_fraction, kIdleCoreFractionMax)
      << "after the followers left; share of a core in each window: " << after.windows;

  // And the feed still serves: a new follower gets the one assertion, then what comes next.
  SseStream again(daemon_, "/v1/feed?follow=true");
  ASSERT_EQ(again.status(), 200);
  EXPECT_EQ(Events(again, 1)[0].id, core::IdHex(core::ContentId(claim)));
  const Written next = Post("feed/cpu/next", "x");
  EXPECT_EQ(Events(again, 1)[0].id, next.id);
}

// The largest seq has no successor: after it (or a Last-Event-ID of it) comes nothing. after + 1
// used to wrap to 0 and serve the log from its start.
TEST_F(FeedTest, AfterTheLargestSeqIsTheEnd) {
  PostMany("feed/end", 2);
  const std::string max = "18446744073709551615";
  json r = api_.Ok("/v1/feed?after=" + max);
  EXPECT_TRUE(r["assertions"].empty()) << r.dump();
  EXPECT_EQ(r["next_after"].get<uint64_t>(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(api_.Error("/v1/feed?after=18446744073709551616", 400)["field"], "after");
  // A stream from the start still gets both assertions.
  SseStream from_start(daemon_, "/v1/feed?follow=true", {{"Last-Event-ID", "0"}});
  ASSERT_EQ(from_start.status(), 200);
  EXPECT_EQ(Events(from_start, 2).size(), 2u);
}

// HEAD on the stream: its header, and no body, not even the first chunk; the connection stays in
// step for the next request, and the stream's follower place is given back.
TEST_F(FeedTest, HeadOnTheStreamSendsNoBody) {
  PostMany("feed/head", 3);  // a GET would start with these three events at once
  auto c = daemon_.Connect();
  auto head = c->Request("HEAD", "/v1/feed?follow=true");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("content-type"), "text/event-stream");
  EXPECT_TRUE(head->body.empty());
  auto next = c->Get("/v1/health");  // read garbage (the events) before the fix
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(json::parse(next->body)["status"], "ok");
  EXPECT_EQ(ReadMetric(*c, "stemedb_feed_followers"), 0);
}

}  // namespace
}  // namespace stemedb::testing

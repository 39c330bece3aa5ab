// GET /v1/feed on the real daemon: assertions in log order with after, limit and
// subject_prefix, and follow=true as Server-Sent Events that push new assertions as they become
// durable and resume after a reconnect with Last-Event-ID, with no gap and no duplicate.

#include <gtest/gtest.h>

#include <set>

#include "stemedb/core/canonical_encoding.h"
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

}  // namespace
}  // namespace stemedb::testing

// Read-your-writes (http-api.md, Reads; issue 5 point 5): 16 writer threads, 10,000 writes in
// all (2,000 in a sanitizer build), each thread reading its own write right after the 2xx, by id
// and through a query (the candidate cache's path), with zero misses, while two more threads
// query the same subjects.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/daemon.h"
#include "support/records.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

constexpr int kWriters = 16;
#ifdef STEMEDB_SANITIZER_PROBE_BINARY
// A sanitizer build (tests/CMakeLists.txt defines the probe only there) runs the daemon ten to
// twenty times slower: 2,000 writes still interleave every writer and both readers through the
// cache's shards many times over, in a fraction of the time (10,000 took minutes under TSan).
constexpr int kWritesPerWriter = 125;
#else
constexpr int kWritesPerWriter = 625;  // 10,000 in all
#endif
// Each writer spreads its writes over a few subjects: every query still resolves a list the
// write just invalidated, without the list growing to hundreds of candidates.
constexpr int kSubjectsPerWriter = 8;

struct Misses {
  std::atomic<int> by_id{0}, by_query{0}, failed_writes{0};
};

// Writer t posts claims about its own subjects, each newer than the last, and after each 2xx
// reads it back by id and as the recency winner of its subject with the count so far. Threads
// share the candidate cache's shards, so one thread's writes invalidate while another's
// queries fill.
void WriteAndReadBack(const Daemon& d, int t, Misses& misses) {
  Api api(d);
  for (int i = 0; i < kWritesPerWriter; ++i) {
    const std::string subject = "ryw/" + std::to_string(t) + "/" + std::to_string(i % kSubjectsPerWriter);
    const std::string query = Target("/v1/query", {{"subject", subject}, {"predicate", "p"}, {"limit", "1"}});
    JsonReply w = api.Post("/v1/assert", core::ToJson(SignedAssertion({.subject = subject, .predicate = "p",
                                                                   .text = std::to_string(i), .timestamp = 1700000000 + i},
                                                                  {1 + t}))
                                         .dump());
    if (w.status != 201) {
      misses.failed_writes.fetch_add(1);
      ADD_FAILURE() << "write " << t << "/" << i << ": " << w.status << " " << w.response.body;
      continue;
    }
    const std::string id = w.body["id"];
    if (api.Get("/v1/assertions/" + id).status != 200) misses.by_id.fetch_add(1);
    JsonReply q = api.Get(query);
    if (q.status != 200 || q.body["winner"]["id"] != id || q.body["candidates_count"] != i / kSubjectsPerWriter + 1) {
      misses.by_query.fetch_add(1);
    }
  }
}

// Queries every writer's subjects round and round until told to stop: lists built while writes
// land, which the cache must never keep once a write has invalidated them.
void QueryAlongside(const Daemon& d, int first, const std::atomic<bool>& stop) {
  Api api(d);
  for (int n = first; !stop.load(); n += 7) {
    const std::string subject = "ryw/" + std::to_string(n % kWriters) + "/" + std::to_string(n % kSubjectsPerWriter);
    api.Get(Target("/v1/query", {{"subject", subject}, {"predicate", "p"}, {"limit", "1"}}));
  }
}

TEST(ReadYourWritesTest, SixteenWritersReadTheirOwnWrites) {
  Daemon d({.args = UnlimitedArgs()});
  Misses misses;
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers, writers;
  for (int r = 0; r < 2; ++r) readers.emplace_back([&, r] { QueryAlongside(d, r, stop); });
  for (int t = 0; t < kWriters; ++t) writers.emplace_back([&, t] { WriteAndReadBack(d, t, misses); });
  for (auto& w : writers) w.join();
  stop.store(true);
  for (auto& r : readers) r.join();
  EXPECT_EQ(misses.failed_writes.load(), 0);
  EXPECT_EQ(misses.by_id.load(), 0);
  EXPECT_EQ(misses.by_query.load(), 0);
  EXPECT_EQ(Api(d).Ok("/v1/health")["assertions_count"], kWriters * kWritesPerWriter);
}

}  // namespace
}  // namespace stemedb::testing

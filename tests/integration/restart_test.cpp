// Restart (issue 5 point 6): 200,000 assertions (with votes, epochs, a co-signer, a retracted
// source and a trust override) written through the batch API, the daemon killed with SIGKILL
// right after and restarted on the same data dir: every id reads back through its
// subject+predicate index, the counts match, and a fixed set of reads (every lens, skeptic,
// layered, record reads, feed pages) answers byte for byte as before. Reads pin their time with
// as_of, so decay cannot move between the two runs.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/daemon.h"
#include "support/records.h"

namespace stemedb::testing {
namespace {

using core::SourceClass;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kSubjects = 2000, kPredicates = 10, kClaims = 10;  // 200,000 assertions
constexpr int kAssertions = kSubjects * kPredicates * kClaims;
constexpr size_t kBatch = 1000;
constexpr int kThreads = 2;  // the CI machine's cores
constexpr int kQueriedSubjects = 8;
constexpr int kVotedAssertions = 400;

std::string Subject(int s) { return "restart/" + std::to_string(s); }

// Assertion i: subject i / 100, predicate (i / 10) % 10, ten claims of four values by ten agents
// over every tier. Claims about the first subject sit in an epoch; some about the second cite a
// source that gets retracted.
AssertionSpec Spec(int i, const core::Hash32& epoch, const core::Hash32& source) {
  const int c = i % kClaims;
  AssertionSpec spec{.subject = Subject(i / (kPredicates * kClaims)),
                     .predicate = "p" + std::to_string((i / kClaims) % kPredicates),
                     .text = "v" + std::to_string(c % 4),
                     .confidence = 0.5 + 0.04 * c,
                     .timestamp = 1700000000 + i % 5000,
                     .source_class = static_cast<SourceClass>(c % 6)};
  if (i / (kPredicates * kClaims) == 0 && c < 5) spec.epoch = epoch;
  if (i / (kPredicates * kClaims) == 1 && c < 3) spec.source_hash = source;
  return spec;
}

struct Dataset {
  std::vector<std::string> json;  // the signed assertions, encoded
  std::vector<std::string> ids;
};

// Signing is the slow part of the client: kThreads threads share it.
Dataset Sign(const core::Hash32& epoch, const core::Hash32& source) {
  Dataset d;
  d.json.resize(kAssertions);
  d.ids.resize(kAssertions);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kAssertions; i += kThreads) {
        core::Assertion a = SignedAssertion(Spec(i, epoch, source), {1 + i % kClaims});
        d.ids[i] = core::IdHex(core::ContentId(a));
        d.json[i] = core::ToJson(a).dump();
      }
    });
  }
  for (auto& t : threads) t.join();
  return d;
}

// Batches of kBatch posted from kThreads connections; every item must be created.
void WriteAll(const Daemon& daemon, const Dataset& d) {
  std::atomic<size_t> next{0};
  std::atomic<int> not_created{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      Api api(daemon);
      for (size_t start = next.fetch_add(kBatch); start < d.json.size(); start = next.fetch_add(kBatch)) {
        const size_t end = std::min(d.json.size(), start + kBatch);
        json results = api.Batch(std::vector<std::string>(d.json.begin() + start, d.json.begin() + end));
        for (const json& r : results) not_created += r.value("status", "") == "created" ? 0 : 1;
        if (results.size() != end - start) not_created += int(end - start);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(not_created.load(), 0);
}

// Votes, epochs, a co-signer, a source retraction and a trust override: the state beside the
// assertions that replay must rebuild too.
void WriteTheRest(Api& api, const Dataset& d, const core::Epoch& epoch, const core::Source& source) {
  for (int i = 0; i < kVotedAssertions; ++i) {
    auto id = core::HexDecodeArray<32>(d.ids[i * 7 % (kQueriedSubjects * kPredicates * kClaims)]);
    api.Write(SignedVote(*id, 20 + i % 3, i % 5 == 0 ? -0.5 : 1.0, 1700000100 + i));
  }
  api.Write(SignedEpoch("restart-2", core::ContentId(epoch)));
  EXPECT_EQ(api.Assert(Resigned(SignedAssertion(Spec(3, core::ContentId(epoch), core::ContentId(source))), {30}))["status"],
            "cosigned");
  api.Retract(core::ContentId(source), "withdrawn");
  api.SetTrust(3, 0.9);
}

// The fixed reads whose answers must not change across the restart.
std::vector<std::string> FixedReads(const Dataset& d, uint64_t as_of_ms) {
  const std::string as_of = std::to_string(as_of_ms);
  std::vector<std::string> reads;
  for (int s = 0; s < kQueriedSubjects; ++s) {
    for (const char* predicate : {"p0", "p7"}) {
      auto with = [&](QueryList extra) {
        QueryList p = {{"subject", Subject(s)}, {"predicate", predicate}, {"as_of", as_of}};
        p.insert(p.end(), extra.begin(), extra.end());
        return p;
      };
      for (const char* lens : {"recency", "confidence", "consensus", "vote", "authority", "epoch"}) {
        reads.push_back(Target("/v1/query", with({{"lens", lens}})));
      }
      reads.push_back(Target("/v1/query", with({{"lens", "authority"}, {"include_retracted", "true"}})));
      reads.push_back(Target("/v1/skeptic", with({})));
      reads.push_back(Target("/v1/layered", with({})));
    }
    reads.push_back(Target("/v1/query", {{"subject", Subject(s)}, {"as_of", as_of}}));
  }
  for (int i : {0, 3, 100, kAssertions / 2, kAssertions - 1}) {
    reads.push_back("/v1/assertions/" + d.ids[i]);
    reads.push_back("/v1/trace/" + d.ids[i]);
  }
  for (int agent : {1, 3, 20}) reads.push_back("/v1/agents/" + core::IdHex(Agent(agent).public_key()));
  reads.push_back("/v1/epochs");
  reads.push_back("/v1/sources");
  for (int after : {0, kAssertions / 2, kAssertions - 500}) reads.push_back("/v1/feed?limit=1000&after=" + std::to_string(after));
  return reads;
}

// Every fixed read's body, and the whole feed page by page: the second run must equal the first.
std::vector<std::string> Answers(Api& api, const std::vector<std::string>& reads) {
  std::vector<std::string> out;
  for (const std::string& target : reads) {
    JsonReply r = api.Get(target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.response.body;
    out.push_back(r.response.body);
  }
  return out;
}

// Every candidate id of every subject, one resolution per predicate (retracted ones included),
// from kThreads connections: what the indexes and the records hold, sorted.
std::vector<std::string> IndexedIds(const Daemon& daemon) {
  std::vector<std::vector<std::string>> found(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Api api(daemon);
      for (int s = t; s < kSubjects; s += kThreads) {
        JsonReply r = api.Get(Target("/v1/query", {{"subject", Subject(s)}, {"include_retracted", "true"}}));
        EXPECT_EQ(r.status, 200) << r.response.body;
        if (r.status != 200) continue;
        EXPECT_EQ(r.body["resolutions"].size(), size_t(kPredicates));
        for (const json& resolution : r.body["resolutions"]) {
          for (const json& c : resolution["candidates"]) found[t].push_back(c["id"]);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<std::string> all;
  for (auto& f : found) all.insert(all.end(), f.begin(), f.end());
  std::sort(all.begin(), all.end());
  return all;
}

class PhaseTimer {
 public:
  void Done(const char* phase) {
    const auto now = Clock::now();
    std::cout << "[ restart  ] " << phase << ": " << std::chrono::duration<double>(now - last_).count() << " s\n";
    last_ = now;
  }

 private:
  Clock::time_point last_ = Clock::now();
};

TEST(RestartTest, TwoHundredThousandAssertionsSurviveSigkillUnchanged) {
  PhaseTimer timer;
  TempDir dir;
  const core::Epoch epoch = SignedEpoch("restart-1");
  core::Source source;
  source.uri = "https://example.org/restart";
  const Dataset data = Sign(core::ContentId(epoch), core::ContentId(source));
  timer.Done("sign 200,000 assertions");

  std::vector<std::string> reads, answers;
  StoreCounts counts;
  {
    Daemon d({.args = UnlimitedArgs(), .data_dir = dir.Sub("data")});
    Api api(d);
    api.Write(epoch);
    api.Write(source);
    WriteAll(d, data);
    WriteTheRest(api, data, epoch, source);
    timer.Done("write");
    // Every write is acknowledged, so known by now: as_of now sees them all, and fixes `now`.
    const uint64_t as_of_ms = uint64_t(UnixNowMs());
    reads = FixedReads(data, as_of_ms);
    answers = Answers(api, reads);
    counts = ReadStoreCounts(api.connection(), d);
    d.Kill();  // at once: the newest writes are in the WAL and the memory tier only
    timer.Done("read before, kill");
  }
  Daemon d({.args = UnlimitedArgs(), .data_dir = dir.Sub("data")});
  Api api(d);
  std::cout << "[ restart  ] WAL records replayed at start-up: "
            << ReadMetric(api.connection(), "stemedb_storage_replayed_records_total") << "\n";
  timer.Done("restart");
  EXPECT_EQ(ReadStoreCounts(api.connection(), d), counts);
  EXPECT_EQ(counts.assertions, uint64_t(kAssertions));
  const std::vector<std::string> after = Answers(api, reads);
  ASSERT_EQ(after.size(), answers.size());
  for (size_t i = 0; i < reads.size(); ++i) EXPECT_EQ(after[i], answers[i]) << reads[i];
  timer.Done("fixed reads after");
  std::vector<std::string> written = data.ids;
  std::sort(written.begin(), written.end());
  EXPECT_EQ(IndexedIds(d), written);  // every id once, under its subject and predicate
  timer.Done("read back every id");
}

}  // namespace
}  // namespace stemedb::testing

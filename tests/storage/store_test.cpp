#include "stemedb/storage/store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/storage/fault_injection_tier.h"
#include "support/records.h"
#include "support/temp_dir.h"

namespace stemedb::storage {
namespace {

using stemedb::testing::Agent;
using stemedb::testing::AssertionSpec;
using stemedb::testing::Resigned;
using stemedb::testing::SignedAssertion;
using stemedb::testing::SignedEpoch;
using stemedb::testing::SignedVote;
using stemedb::testing::TempDir;

StoreOptions Options(const TempDir& dir) {
  StoreOptions o;
  o.data_dir = dir.Sub("data");
  o.journal.dir = dir.Sub("data/wal");
  return o;
}

std::unique_ptr<Store> OpenStore(StoreOptions o, ops::Registry& metrics) {
  auto s = Store::Open(std::move(o), metrics);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

struct Written {
  Status status;
  std::vector<WriteOutcome> outcomes;
};

Written WriteSync(Store& store, std::vector<AnyRecord> records) {
  std::vector<PendingWrite> writes;
  for (auto& r : records) {
    core::Hash32 id = RecordId(r);
    writes.push_back({std::move(r), id});
  }
  std::promise<Written> p;
  store.Write(std::move(writes), [&p](const Status& s, std::vector<WriteOutcome> o) { p.set_value({s, std::move(o)}); });
  return p.get_future().get();
}

WriteOutcome WriteOne(Store& store, AnyRecord r) {
  Written w = WriteSync(store, {std::move(r)});
  EXPECT_TRUE(w.status.ok()) << w.status.ToString();
  EXPECT_EQ(w.outcomes.size(), 1u);
  return w.outcomes.empty() ? WriteOutcome{} : w.outcomes[0];
}

TEST(StoreTest, WriteThenReadBackWithMetadata) {
  TempDir dir;
  ops::Registry metrics;
  auto store = OpenStore(Options(dir), metrics);
  core::Assertion a = SignedAssertion({});
  WriteOutcome o = WriteOne(*store, a);
  EXPECT_EQ(o.status, WriteStatus::kCreated);
  EXPECT_EQ(o.seq, 1u);
  EXPECT_EQ(o.id, core::ContentId(a));
  auto got = store->GetAssertion(o.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->record, a);
  EXPECT_EQ((*got)->meta.seq, 1u);
  EXPECT_GT((*got)->meta.ingested_at_ms, 1700000000000u);
  auto ids = store->AssertionsFor("drugs/semaglutide", "gastroparesis_risk", 100);
  ASSERT_TRUE(ids.ok());
  ASSERT_EQ(ids->size(), 1u);
  EXPECT_EQ((*ids)[0], o.id);
  EXPECT_EQ(store->Counts()->assertions, 1u);
}

TEST(StoreTest, SameContentIsIdempotentAndNewSignersCosign) {
  TempDir dir;
  ops::Registry metrics;
  auto store = OpenStore(Options(dir), metrics);
  core::Assertion a = SignedAssertion({}, {1});
  WriteOutcome first = WriteOne(*store, a);
  WriteOutcome again = WriteOne(*store, a);
  EXPECT_EQ(again.status, WriteStatus::kExists);
  EXPECT_EQ(again.seq, first.seq);
  WriteOutcome cosigned = WriteOne(*store, Resigned(a, {1, 2}));
  EXPECT_EQ(cosigned.status, WriteStatus::kCosigned);
  EXPECT_EQ(cosigned.id, first.id);
  EXPECT_EQ(cosigned.seq, first.seq);
  auto got = store->GetAssertion(first.id);
  ASSERT_EQ((*got)->record.signatures.size(), 2u);
  EXPECT_EQ((*got)->record.signatures[1].agent_id, Agent(2).public_key());
  EXPECT_EQ(store->Counts()->assertions, 1u);
  EXPECT_EQ(store->AssertionsFor("drugs/semaglutide", "gastroparesis_risk", 100)->size(), 1u);
}

// Records stored already with all their signers are answered from the store, not appended;
// mixed with new ones, the outcomes stay in request order.
TEST(StoreTest, UnchangedDuplicatesAreNotAppended) {
  TempDir dir;
  ops::Registry metrics;
  auto store = OpenStore(Options(dir), metrics);
  const core::Assertion a = SignedAssertion({}, {1, 2});
  const core::Hash32 id = core::ContentId(a);
  const core::Epoch e = SignedEpoch("e");
  const core::Source s{.uri = "https://example.org"};
  WriteSync(*store, {a, SignedVote(id, 3, 1.0), e, s});
  const uint64_t head = store->journal().head_offset();
  Written again = WriteSync(*store, {Resigned(a, {2}), SignedVote(id, 3, 1.0), e, s});
  ASSERT_TRUE(again.status.ok());
  for (const WriteOutcome& o : again.outcomes) EXPECT_EQ(o.status, WriteStatus::kExists);
  EXPECT_EQ(again.outcomes[0].seq, 1u);
  EXPECT_EQ(store->journal().head_offset(), head);

  Written mixed = WriteSync(*store, {a, SignedAssertion({.text = "new"}), Resigned(a, {3})});
  ASSERT_EQ(mixed.outcomes.size(), 3u);
  EXPECT_EQ(mixed.outcomes[0].status, WriteStatus::kExists);
  EXPECT_EQ(mixed.outcomes[1].status, WriteStatus::kCreated);
  EXPECT_EQ(mixed.outcomes[2].status, WriteStatus::kCosigned);
  EXPECT_EQ(mixed.outcomes[2].id, id);
  EXPECT_GT(store->journal().head_offset(), head);
}

TEST(StoreTest, EffectiveVotesAndTrust) {
  TempDir dir;
  ops::Registry metrics;
  auto store = OpenStore(Options(dir), metrics);
  const core::Hash32 a = WriteOne(*store, SignedAssertion({}, {1})).id;
  WriteOne(*store, SignedVote(a, 2, 1.0, 100));
  WriteOne(*store, SignedVote(a, 3, -0.5, 100));
  WriteOne(*store, SignedVote(a, 1, 1.0, 100));  // the author's own: stored, never counted
  auto summary = store->VoteSummary(a);
  EXPECT_EQ(summary->count, 2u);
  EXPECT_DOUBLE_EQ(summary->net_weight, 0.5);
  // Agent 2 changes its mind: the later vote replaces the earlier; an older one does not.
  WriteOne(*store, SignedVote(a, 2, -1.0, 200));
  WriteOne(*store, SignedVote(a, 2, 1.0, 150));
  summary = store->VoteSummary(a);
  EXPECT_EQ(summary->count, 2u);
  EXPECT_DOUBLE_EQ(summary->net_weight, -1.5);
  // Trust of the author: up 0, down 1.5 -> (1 + 0) / (2 + 0 + 1.5).
  EXPECT_DOUBLE_EQ(*store->Trust(Agent(1).public_key()), 1.0 / 3.5);
  EXPECT_DOUBLE_EQ(*store->Trust(Agent(9).public_key()), 0.5);
  auto agent = store->Agent(Agent(2).public_key());
  EXPECT_EQ(agent->votes_on_its_work.votes, 3u);
  EXPECT_EQ(store->VotesOn(a, 100)->size(), 5u);
  WriteOne(*store, TrustOverride{Agent(1).public_key(), 0.9});
  EXPECT_DOUBLE_EQ(*store->Trust(Agent(1).public_key()), 0.9);
  WriteOne(*store, TrustOverride{Agent(1).public_key(), std::nullopt});
  EXPECT_DOUBLE_EQ(*store->Trust(Agent(1).public_key()), 1.0 / 3.5);
}

TEST(StoreTest, TrustReadBetweenVotesFollowsEveryVote) {
  // Trust is cached (trust_cache.h): every read after a vote must see that vote.
  TempDir dir;
  ops::Registry metrics;
  auto store = OpenStore(Options(dir), metrics);
  const core::PublicKey author = Agent(1).public_key();
  const core::Hash32 a = WriteOne(*store, SignedAssertion({}, {1})).id;
  EXPECT_DOUBLE_EQ(*store->Trust(author), 0.5);
  EXPECT_DOUBLE_EQ(*store->Trust(author), 0.5);  // a hit
  WriteOne(*store, SignedVote(a, 2, 1.0, 100));
  EXPECT_DOUBLE_EQ(*store->Trust(author), 2.0 / 3.0);
  WriteOne(*store, SignedVote(a, 3, -1.0, 100));
  EXPECT_DOUBLE_EQ(*store->Trust(author), 2.0 / 4.0);
  WriteOne(*store, SignedVote(a, 3, 1.0, 200));  // agent 3 changes its mind
  EXPECT_DOUBLE_EQ(*store->Trust(author), 3.0 / 4.0);
  // An override wins over the cached value, and its removal brings the vote-derived one back.
  WriteOne(*store, TrustOverride{author, 0.1});
  EXPECT_DOUBLE_EQ(*store->Trust(author), 0.1);
  WriteOne(*store, TrustOverride{author, std::nullopt});
  EXPECT_DOUBLE_EQ(*store->Trust(author), 3.0 / 4.0);
}

TEST(StoreTest, IdsStoredBeforeARestartAreKnownToTheIdFilter) {
  TempDir dir;
  ops::Registry metrics;
  core::Hash32 first{};
  {
    auto store = OpenStore(Options(dir), metrics);
    first = WriteOne(*store, SignedAssertion({}, {1})).id;
    ASSERT_TRUE(store->Close().ok());
  }
  ops::Registry metrics2;
  auto store = OpenStore(Options(dir), metrics2);
  for (int i = 0; i < 500 && !store->id_filter_complete(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(store->id_filter_complete());
  EXPECT_TRUE(store->MayHoldAssertion(first));
  // The same claim again is still a duplicate, and a co-signer still merges into it.
  EXPECT_EQ(WriteOne(*store, SignedAssertion({}, {1})).status, WriteStatus::kExists);
  EXPECT_EQ(WriteOne(*store, SignedAssertion({}, {1, 2})).status, WriteStatus::kCosigned);
  const core::Hash32 second = WriteOne(*store, SignedAssertion({.text = "other"}, {3})).id;
  EXPECT_TRUE(store->MayHoldAssertion(second));
  EXPECT_EQ(store->Counts()->assertions, 2u);
}

TEST(StoreTest, EpochsSupersessionAndSourcesRetraction) {
  TempDir dir;
  ops::Registry metrics;
  auto store = OpenStore(Options(dir), metrics);
  const core::Hash32 e1 = WriteOne(*store, SignedEpoch("covid-2020")).id;
  const core::Hash32 e2 = WriteOne(*store, SignedEpoch("covid-2021", e1)).id;
  EXPECT_TRUE(store->catalog().EpochSuperseded(e1));
  EXPECT_FALSE(store->catalog().EpochSuperseded(e2));
  EXPECT_TRUE(store->catalog().EpochReaches(e2, e1));
  core::Source src;
  src.uri = "https://example.org/label.pdf";
  const core::Hash32 s = WriteOne(*store, src).id;
  EXPECT_FALSE(store->catalog().IsRetracted(s));
  WriteOne(*store, core::SourceRetraction{s, "withdrawn by the publisher"});
  EXPECT_EQ(store->catalog().SourceRetraction(s).value_or(""), "withdrawn by the publisher");
  EXPECT_EQ(store->ListIds(core::RecordKind::kEpoch, 10, std::nullopt)->size(), 2u);
}

TEST(StoreTest, RestartReplaysAndRebuildsEverything) {
  TempDir dir;
  ops::Registry m1, m2;
  core::Hash32 a, e1, s;
  {
    auto store = OpenStore(Options(dir), m1);
    a = WriteOne(*store, SignedAssertion({}, {1})).id;
    WriteOne(*store, SignedVote(a, 2, 0.75));
    e1 = WriteOne(*store, SignedEpoch("e1")).id;
    WriteOne(*store, SignedEpoch("e2", e1));
    core::Source src;
    src.uri = "u";
    s = WriteOne(*store, src).id;
    WriteOne(*store, core::SourceRetraction{s, "bad"});
    WriteOne(*store, ApiKeyCreated{"00112233aabbccdd", "admin", {}, "ops", 1});
    // No Close(): the destructor closes; the next test covers state that never reached RocksDB.
  }
  auto store = OpenStore(Options(dir), m2);
  EXPECT_TRUE(store->GetAssertion(a)->has_value());
  EXPECT_DOUBLE_EQ(store->VoteSummary(a)->net_weight, 0.75);
  EXPECT_TRUE(store->catalog().EpochSuperseded(e1));
  EXPECT_TRUE(store->catalog().IsRetracted(s));
  EXPECT_TRUE(store->catalog().FindApiKey("00112233aabbccdd").has_value());
  EXPECT_EQ(store->Counts()->assertions, 1u);
  EXPECT_EQ(store->last_applied_seq(), 7u);
  EXPECT_EQ(WriteOne(*store, SignedAssertion({.text = "new"})).seq, 8u);
}

TEST(StoreTest, RecordsOnlyInTheWalAreReplayed) {
  TempDir dir;
  ops::Registry m1, m2;
  std::vector<core::Hash32> ids;
  {
    StoreOptions o = Options(dir);
    // Never flush: everything stays in the memory tier and the WAL, as after a crash.
    o.kv.flush_interval = std::chrono::hours(1);
    o.kv.memtable_bytes_flush = 1u << 30;
    auto fault = std::make_shared<FaultInjectionTier*>(nullptr);
    o.wrap_tier = [fault](std::unique_ptr<Tier> t) {
      auto f = std::make_unique<FaultInjectionTier>(std::move(t));
      *fault = f.get();
      return std::unique_ptr<Tier>(std::move(f));
    };
    auto store = OpenStore(o, m1);
    (*fault)->fail_writes.store(true);  // the final flush at close fails too
    for (int i = 0; i < 50; ++i) ids.push_back(WriteOne(*store, SignedAssertion({.text = std::to_string(i)})).id);
    WriteOne(*store, SignedVote(ids[0], 2, 1.0));
  }
  auto store = OpenStore(Options(dir), m2);
  for (const auto& id : ids) EXPECT_TRUE(store->GetAssertion(id)->has_value());
  EXPECT_EQ(store->Counts()->assertions, 50u);
  EXPECT_DOUBLE_EQ(store->VoteSummary(ids[0])->net_weight, 1.0);
}

TEST(StoreTest, RocksDbDiskFullRefusesWritesUntilAFlushSucceeds) {
  TempDir dir;
  ops::Registry metrics;
  StoreOptions o = Options(dir);
  o.kv.flush_interval = std::chrono::milliseconds(5);
  o.kv.persist_interval = std::chrono::milliseconds(0);
  auto fault = std::make_shared<FaultInjectionTier*>(nullptr);
  o.wrap_tier = [fault](std::unique_ptr<Tier> t) {
    auto f = std::make_unique<FaultInjectionTier>(std::move(t));
    *fault = f.get();
    return std::unique_ptr<Tier>(std::move(f));
  };
  auto store = OpenStore(o, metrics);
  // Written before the fault: the flusher persists every 5 ms, empty table or not, so a fault
  // set first can mark the disk full before this write arrives.
  const core::Hash32 kept = WriteOne(*store, SignedAssertion({.text = "in the WAL"})).id;
  (*fault)->write_errno.store(ENOSPC);
  (*fault)->fail_writes.store(true);
  for (int i = 0; i < 3000 && !store->disk_full(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(store->disk_full());
  Written refused = WriteSync(*store, {SignedAssertion({.text = "refused"})});
  EXPECT_EQ(refused.status.code(), StatusCode::kDiskFull);
  EXPECT_TRUE(refused.status.message().starts_with("disk_full: the RocksDB disk is full")) << refused.status.message();
  EXPECT_TRUE(store->GetAssertion(kept)->has_value());
  (*fault)->fail_writes.store(false);
  for (int i = 0; i < 3000 && store->disk_full(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_FALSE(store->disk_full());
  EXPECT_TRUE(WriteSync(*store, {SignedAssertion({.text = "after"})}).status.ok());
}

TEST(StoreTest, BatchAppliesInOrderWithinOneGroupCommit) {
  TempDir dir;
  ops::Registry metrics;
  auto store = OpenStore(Options(dir), metrics);
  core::Assertion a = SignedAssertion({}, {1});
  core::Hash32 id = core::ContentId(a);
  Written w = WriteSync(*store, {a, SignedVote(id, 2, 1.0), a});
  ASSERT_TRUE(w.status.ok());
  ASSERT_EQ(w.outcomes.size(), 3u);
  EXPECT_EQ(w.outcomes[0].status, WriteStatus::kCreated);
  EXPECT_EQ(w.outcomes[1].status, WriteStatus::kCreated);
  EXPECT_EQ(w.outcomes[2].status, WriteStatus::kExists);
  EXPECT_EQ(store->VoteSummary(id)->count, 1u);
}

TEST(StoreTest, ConcurrentWritersReadTheirOwnWrites) {
  TempDir dir;
  ops::Registry metrics;
  auto store = OpenStore(Options(dir), metrics);
  std::atomic<int> misses{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        core::Assertion a = SignedAssertion({.subject = "s" + std::to_string(t), .text = std::to_string(i)});
        WriteOutcome o = WriteOne(*store, a);
        auto got = store->GetAssertion(o.id);
        if (!got.ok() || !got->has_value()) misses.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(misses.load(), 0);
  EXPECT_EQ(store->Counts()->assertions, 800u);
}

TEST(StoreTest, MissingWalSegmentsRefuseToOpen) {
  TempDir dir;
  ops::Registry m1, m2;
  {
    auto store = OpenStore(Options(dir), m1);
    WriteOne(*store, SignedAssertion({}));
    ASSERT_TRUE(store->Close().ok());
  }
  std::filesystem::remove_all(dir.Sub("data/wal"));
  auto reopened = Store::Open(Options(dir), m2);
  ASSERT_FALSE(reopened.ok());
  EXPECT_NE(reopened.status().message().find("WAL segments are missing"), std::string::npos)
      << reopened.status().ToString();
}

}  // namespace
}  // namespace stemedb::storage

namespace stemedb::storage {
namespace {

// CandidatesFor with the simplest builder: the records themselves, shared.
struct RecordList {
  std::shared_ptr<const std::vector<Store::CandidateRecord>> list;
  bool truncated = false;
};
const char kRecordsKind = 0;
std::atomic<size_t> builds{0};  // concurrent queries build candidate lists at once

RecordList Records(Store& store, std::string_view subject, std::string_view predicate, size_t limit) {
  const Store::CandidateBuilder builder{&kRecordsKind, [](std::vector<Store::CandidateRecord>&& records) {
                                          ++builds;
                                          auto list = std::make_shared<std::vector<Store::CandidateRecord>>(std::move(records));
                                          return Store::BuiltCandidates{list, list->size() * 512};
                                        }};
  auto got = store.CandidatesFor(subject, predicate, limit, builder);
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  if (!got.ok()) return {};
  return {std::static_pointer_cast<const std::vector<Store::CandidateRecord>>(got->value), got->truncated};
}

TEST(StoreCacheTest, CandidateListsFollowWritesVotesAndCosigns) {
  TempDir dir;
  ops::Registry metrics;
  auto store = OpenStore(Options(dir), metrics);
  core::Assertion a = SignedAssertion({}, {1});
  const core::Hash32 id = WriteOne(*store, a).id;
  RecordList first = Records(*store, "drugs/semaglutide", "gastroparesis_risk", 100);
  ASSERT_EQ(first.list->size(), 1u);
  // A second read is a hit: the same list object.
  EXPECT_EQ(Records(*store, "drugs/semaglutide", "gastroparesis_risk", 100).list, first.list);
  WriteOne(*store, SignedVote(id, 2, 0.5));
  auto after_vote = Records(*store, "drugs/semaglutide", "gastroparesis_risk", 100);
  EXPECT_DOUBLE_EQ((*after_vote.list)[0].votes.net_weight, 0.5);
  WriteOne(*store, Resigned(a, {1, 3}));
  auto after_cosign = Records(*store, "drugs/semaglutide", "gastroparesis_risk", 100);
  EXPECT_EQ((*after_cosign.list)[0].assertion.record.signatures.size(), 2u);
  WriteOne(*store, SignedAssertion({.text = "another"}));
  EXPECT_EQ(Records(*store, "drugs/semaglutide", "gastroparesis_risk", 100).list->size(), 2u);
  auto truncated = Records(*store, "drugs/semaglutide", "gastroparesis_risk", 1);
  EXPECT_TRUE(truncated.truncated);
}

TEST(StoreCacheTest, CandidateEntriesOnDiskCarryVotesAndCosigners) {
  // After a restart the cache is empty: candidates come from the by_subject_predicate entries
  // alone, so those must have been rewritten by every vote and co-signature.
  TempDir dir;
  core::Assertion a = SignedAssertion({}, {1});
  core::Hash32 id;
  {
    ops::Registry metrics;
    auto store = OpenStore(Options(dir), metrics);
    id = WriteOne(*store, a).id;
    WriteOne(*store, SignedVote(id, 2, 0.5));
    WriteOne(*store, SignedVote(id, 3, -1.0));
    WriteOne(*store, Resigned(a, {1, 4}));
    ASSERT_TRUE(store->Close().ok());
  }
  ops::Registry metrics;
  auto store = OpenStore(Options(dir), metrics);
  RecordList got = Records(*store, "drugs/semaglutide", "gastroparesis_risk", 100);
  ASSERT_EQ(got.list->size(), 1u);
  const Store::CandidateRecord& c = (*got.list)[0];
  EXPECT_EQ(c.assertion.id, id);
  EXPECT_EQ(c.assertion.meta.seq, 1u);
  EXPECT_EQ(c.votes.count, 2u);
  EXPECT_DOUBLE_EQ(c.votes.net_weight, -0.5);
  EXPECT_EQ(c.assertion.record.signatures.size(), 2u);
  EXPECT_EQ(store->VoteSummary(id)->count, 2u);
}

TEST(StoreCacheTest, AValueBuiltBeforeAWriteIsNeverCachedAfterIt) {
  ops::Registry metrics;
  CandidateCache cache(1 << 20, metrics);
  const char kind = 0;
  auto miss = cache.Get("k", &kind);
  ASSERT_EQ(miss.value, nullptr);
  cache.Invalidate("k");  // a write lands while the reader builds its value
  cache.Insert("k", &kind, std::make_shared<int>(1), 1, 64, miss.generation);
  EXPECT_EQ(cache.Get("k", &kind).value, nullptr);
  auto again = cache.Get("k", &kind);
  cache.Insert("k", &kind, std::make_shared<int>(2), 1, 64, again.generation);
  EXPECT_NE(cache.Get("k", &kind).value, nullptr);
  const char other_kind = 0;
  EXPECT_EQ(cache.Get("k", &other_kind).value, nullptr) << "a value only goes to readers of its kind";
  auto before_clear = cache.Get("k", &kind);
  cache.Clear();
  EXPECT_EQ(cache.Get("k", &kind).value, nullptr);
  cache.Insert("k", &kind, std::make_shared<int>(3), 1, 64, before_clear.generation);
  EXPECT_EQ(cache.Get("k", &kind).value, nullptr) << "Clear moves every generation on";
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(StoreCacheTest, ARetractionStartsTheCacheOver) {
  TempDir dir;
  ops::Registry metrics;
  auto store = OpenStore(Options(dir), metrics);
  core::Source src;
  src.uri = "https://example.org/label.pdf";
  const core::Hash32 source = WriteOne(*store, src).id;
  WriteOne(*store, SignedAssertion({}));
  builds = 0;
  Records(*store, "drugs/semaglutide", "gastroparesis_risk", 100);
  Records(*store, "drugs/semaglutide", "gastroparesis_risk", 100);
  EXPECT_EQ(builds.load(), 1u);
  WriteOne(*store, core::SourceRetraction{source, "withdrawn"});
  Records(*store, "drugs/semaglutide", "gastroparesis_risk", 100);
  EXPECT_EQ(builds.load(), 2u);
}

TEST(StoreCacheTest, ConcurrentWritersAndQueriesNeverMissAnAcknowledgedWrite) {
  TempDir dir;
  ops::Registry metrics;
  auto store = OpenStore(Options(dir), metrics);
  std::atomic<int> misses{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        WriteOne(*store, SignedAssertion({.subject = "shared", .text = std::to_string(t) + "/" + std::to_string(i)}));
        auto c = Records(*store, "shared", "gastroparesis_risk", 10000);
        // Every thread's own writes so far must be in the list it reads next.
        int mine = 0;
        for (const auto& cc : *c.list) {
          const auto& text = std::get<core::TextObject>(cc.assertion.record.object).value;
          if (text.rfind(std::to_string(t) + "/", 0) == 0) ++mine;
        }
        if (mine != i + 1) misses.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(misses.load(), 0);
}

}  // namespace
}  // namespace stemedb::storage

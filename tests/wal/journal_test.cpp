// The journal on a healthy disk: appends, group commit, ordering, backpressure, replay.
#include "stemedb/wal/journal.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include "stemedb/ground/fault_injection_env.h"
#include "stemedb/wal/record_payload.h"
#include "stemedb/wal/segment_header.h"
#include "support/temp_dir.h"
#include "wal/wal_test_helpers.h"

namespace stemedb::wal {
namespace {

using wal::testing::AppendAndWait;
using wal::testing::AppendOne;
using wal::testing::ReadBack;
using wal::testing::StoredRecord;

// Holds the writer thread inside a callback until released, so the queue fills up
// deterministically behind it.
class WriterGate {
 public:
  AppendCallback Hold() {
    return [this](const Status&, const AppendResult&) {
      std::unique_lock lock(mu_);
      held_ = true;
      cv_.notify_all();
      cv_.wait(lock, [&] { return released_; });
    };
  }
  void WaitHeld() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return held_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool held_ = false;
  bool released_ = false;
};

class JournalTest : public ::testing::Test {
 protected:
  std::unique_ptr<Journal> OpenJournal(JournalOptions o) {
    Result<std::unique_ptr<Journal>> j = Journal::Open(o, registry_);
    EXPECT_TRUE(j.ok()) << j.status().ToString();
    return j.ok() ? std::move(j).value() : nullptr;
  }
  JournalOptions Options() { return wal::testing::OptionsFor(dir_.path(), &env_); }

  stemedb::testing::TempDir dir_;
  FaultInjectionEnv env_;
  ops::Registry registry_;
};

TEST_F(JournalTest, AppendsReadBackWithDenseSeqAndGlobalOffsets) {
  auto j = OpenJournal(Options());
  j->Start();
  auto a = AppendOne(*j, "first", 1);
  ASSERT_TRUE(a.status.ok()) << a.status.ToString();
  EXPECT_EQ(a.result.first_seq, 1u);
  EXPECT_EQ(a.result.offsets, std::vector<uint64_t>{0});
  EXPECT_EQ(a.result.end_offset, JournalRecordBytes(5));

  std::vector<Entry> two = {{2, "second"}, {3, std::string(1000, 'z')}};
  auto b = AppendAndWait(*j, two);
  ASSERT_TRUE(b.status.ok());
  EXPECT_EQ(b.result.first_seq, 2u);
  ASSERT_EQ(b.result.offsets.size(), 2u);
  EXPECT_EQ(b.result.offsets[0], a.result.end_offset);
  EXPECT_EQ(b.result.offsets[1], a.result.end_offset + JournalRecordBytes(6));
  EXPECT_EQ(j->head_offset(), b.result.end_offset);
  EXPECT_EQ(j->last_seq(), 3u);
  j->Close();
  EXPECT_EQ(j->state(), JournalState::kClosed);

  auto records = ReadBack(Options());
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].body, "first");
  EXPECT_EQ((*records)[1].body, "second");
  EXPECT_EQ((*records)[2].body, std::string(1000, 'z'));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*records)[i].seq, i + 1);
    EXPECT_EQ((*records)[i].type, i + 1);
    if (i > 0) {
      EXPECT_EQ((*records)[i].offset, (*records)[i - 1].end_offset);
    }
  }
  EXPECT_EQ((*records)[2].end_offset, b.result.end_offset);
  EXPECT_EQ((*records)[1].ingested_at_ms, b.result.ingested_at_ms);
}

TEST_F(JournalTest, ReopenContinuesSeqAndOffsets) {
  uint64_t end = 0;
  {
    auto j = OpenJournal(Options());
    j->Start();
    for (int i = 0; i < 5; ++i) end = AppendOne(*j, "r" + std::to_string(i)).result.end_offset;
  }
  auto j = OpenJournal(Options());
  EXPECT_EQ(j->last_seq(), 5u);
  EXPECT_EQ(j->head_offset(), end);
  j->Start();
  auto next = AppendOne(*j, "after restart");
  EXPECT_EQ(next.result.first_seq, 6u);
  EXPECT_EQ(next.result.offsets[0], end);
}

TEST_F(JournalTest, ReplayFromAnOffsetSkipsEarlierRecords) {
  std::vector<uint64_t> offsets;
  {
    auto j = OpenJournal(Options());
    j->Start();
    for (int i = 0; i < 10; ++i)
      offsets.push_back(AppendOne(*j, std::to_string(i)).result.offsets[0]);
  }
  auto j = OpenJournal(Options());
  std::vector<StoredRecord> from_fourth;
  ASSERT_TRUE(wal::testing::ReplayAll(*j, from_fourth, offsets[3]).ok());
  ASSERT_EQ(from_fourth.size(), 7u);
  EXPECT_EQ(from_fourth.front().seq, 4u);
  EXPECT_EQ(from_fourth.front().body, "3");

  std::vector<StoredRecord> none;
  ASSERT_TRUE(wal::testing::ReplayAll(*j, none, j->head_offset()).ok());
  EXPECT_TRUE(none.empty());

  Status stop = j->Replay(0, [](const RecordView& v) {
    return v.seq == 2 ? Status::Conflict("stop here") : Status::OK();
  });
  EXPECT_EQ(stop.code(), StatusCode::kConflict);

  j->Start();
  std::vector<StoredRecord> late;
  EXPECT_EQ(wal::testing::ReplayAll(*j, late).code(), StatusCode::kFailedPrecondition);
}

TEST_F(JournalTest, RefusesBadEntriesAndAppendsOutsideItsLifetime) {
  auto j = OpenJournal(Options());
  EXPECT_EQ(AppendOne(*j, "early").status.code(), StatusCode::kFailedPrecondition);
  j->Start();
  EXPECT_EQ(AppendOne(*j, "zero type", 0).status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AppendAndWait(*j, {}).status.code(), StatusCode::kInvalidArgument);
  std::string huge(j->options().max_batch_bytes, 'h');
  EXPECT_EQ(AppendOne(*j, huge).status.code(), StatusCode::kInvalidArgument);
  j->Close();
  auto late = AppendOne(*j, "late");
  EXPECT_EQ(late.status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(j->Rotate().status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(j->last_seq(), 0u);
}

TEST_F(JournalTest, QueuedAppendsShareOneWriteAndOneFdatasync) {
  auto j = OpenJournal(Options());
  j->Start();
  WriterGate gate;
  j->Append({{1, "holder"}}, gate.Hold());
  gate.WaitHeld();  // the writer sits in the first batch's callback

  uint64_t syncs = env_.Calls(FaultOp::kDataSync);
  uint64_t writes = env_.Calls(FaultOp::kWrite);
  constexpr int kQueued = 50;
  std::vector<uint64_t> seq_in_callback_order;
  std::mutex mu;
  std::atomic<int> done{0};
  for (int i = 0; i < kQueued; ++i) {
    j->Append({{1, "queued " + std::to_string(i)}}, [&](const Status& s, const AppendResult& r) {
      EXPECT_TRUE(s.ok());
      std::lock_guard lock(mu);
      seq_in_callback_order.push_back(r.first_seq);
      done.fetch_add(1);
    });
  }
  gate.Release();
  j->Close();  // drains the queue
  ASSERT_EQ(done.load(), kQueued);
  EXPECT_EQ(env_.Calls(FaultOp::kDataSync) - syncs, 1u);
  EXPECT_EQ(env_.Calls(FaultOp::kWrite) - writes, 1u);
  for (int i = 0; i < kQueued; ++i) EXPECT_EQ(seq_in_callback_order[i], uint64_t(i) + 2);
}

TEST_F(JournalTest, BatchesAreCappedAtMaxBatchBytes) {
  JournalOptions o = Options();
  o.max_batch_bytes = 4096;
  auto j = OpenJournal(o);
  j->Start();
  WriterGate gate;
  j->Append({{1, "holder"}}, gate.Hold());
  gate.WaitHeld();
  uint64_t syncs = env_.Calls(FaultOp::kDataSync);
  // 20 appends of ~1 KiB: at most 3 fit in a 4 KiB batch, so 7 batches.
  for (int i = 0; i < 20; ++i) j->Append({{1, std::string(1000, 'b')}}, [](auto&, auto&) {});
  gate.Release();
  j->Close();
  EXPECT_EQ(env_.Calls(FaultOp::kDataSync) - syncs, 7u);
}

TEST_F(JournalTest, FullQueueRefusesWithOverloaded) {
  JournalOptions o = Options();
  o.max_batch_bytes = 4096;
  o.queue_bytes_max = 8192;
  auto j = OpenJournal(o);
  j->Start();
  WriterGate gate;
  j->Append({{1, "holder"}}, gate.Hold());
  gate.WaitHeld();
  int accepted = 0;
  Status refused;
  for (int i = 0; i < 20 && refused.ok(); ++i) {
    j->Append({{1, std::string(1000, 'q')}}, [&](const Status& s, const AppendResult&) {
      if (!s.ok()) refused = s;  // refusals run on this thread, before Append returns
    });
    if (refused.ok()) ++accepted;
  }
  EXPECT_EQ(refused.code(), StatusCode::kOverloaded);
  EXPECT_EQ(accepted, 7);  // 7 x 1025 bytes <= 8192 < 8 x 1025
  gate.Release();
  j->Close();
  EXPECT_EQ(j->last_seq(), 1u + accepted);
}

TEST_F(JournalTest, ConcurrentAppendersGetDistinctDenseSeqs) {
  auto j = OpenJournal(Options());
  j->Start();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<uint64_t> callback_seqs;
  std::atomic<int> pending{kThreads * kPerThread};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string body = std::to_string(t) + ":" + std::to_string(i);
        j->Append({{1, body}}, [&](const Status& s, const AppendResult& r) {
          EXPECT_TRUE(s.ok());
          std::lock_guard lock(mu);
          callback_seqs.push_back(r.first_seq);
          pending.fetch_sub(1);
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  j->Close();
  ASSERT_EQ(pending.load(), 0);
  // Callbacks ran in log order: seq 1, 2, 3, ...
  for (size_t i = 0; i < callback_seqs.size(); ++i) ASSERT_EQ(callback_seqs[i], i + 1);
  auto records = ReadBack(Options());
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), size_t{kThreads * kPerThread});
}

TEST_F(JournalTest, CallbacksMayAppendAgain) {
  auto j = OpenJournal(Options());
  j->Start();
  std::promise<void> finished;
  std::function<void(int)> chain = [&](int left) {
    j->Append({{1, "link"}}, [&, left](const Status& s, const AppendResult&) {
      ASSERT_TRUE(s.ok());
      if (left == 0)
        finished.set_value();
      else
        chain(left - 1);
    });
  };
  chain(20);
  finished.get_future().wait();
  j->Close();
  EXPECT_EQ(j->last_seq(), 21u);
}

TEST_F(JournalTest, RejectsBadOptions) {
  JournalOptions o = Options();
  o.segment_bytes = 100;
  EXPECT_EQ(Journal::Open(o, registry_).status().code(), StatusCode::kInvalidArgument);
  o = Options();
  o.queue_bytes_max = o.max_batch_bytes - 1;
  EXPECT_EQ(Journal::Open(o, registry_).status().code(), StatusCode::kInvalidArgument);
  o = Options();
  o.dir = "";
  EXPECT_EQ(Journal::Open(o, registry_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(JournalTest, CreatesTheDirectoryAndTheFirstSegment) {
  JournalOptions o = Options();
  o.dir = dir_.Sub("nested/wal");
  auto j = OpenJournal(o);
  std::vector<SegmentInfo> segments = j->Segments();
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_EQ(segments[0].name, "segment.001.wal");
  EXPECT_EQ(segments[0].bytes, kSegmentHeaderBytes);
  EXPECT_FALSE(segments[0].sealed);
  EXPECT_EQ(wal::testing::ReadFileBytes(o.dir + "/segment.001.wal").size(), kSegmentHeaderBytes);
}

}  // namespace
}  // namespace stemedb::wal

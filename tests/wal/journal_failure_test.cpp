// The failed state (storage.md, "Failure semantics"): every fault of the fault Env that only a
// restart recovers from. A full disk, which heals in place, is journal_disk_full_test.cpp.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "stemedb/ground/fault_injection_env.h"
#include "stemedb/wal/journal.h"
#include "stemedb/wal/segment_header.h"
#include "support/metrics_text.h"
#include "support/temp_dir.h"
#include "wal/wal_test_helpers.h"

namespace stemedb::wal {
namespace {

using wal::testing::AppendOne;
using wal::testing::AppendOutcome;
using wal::testing::Contains;

class JournalFailureTest : public ::testing::Test {
 protected:
  void OpenAndStart(JournalOptions o) {
    Result<std::unique_ptr<Journal>> j = Journal::Open(o, registry_);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    journal_ = std::move(j).value();
    journal_->Start();
  }
  JournalOptions Options() { return wal::testing::OptionsFor(dir_.path(), &env_); }

  // Queues `count` appends behind a writer held in a callback, arms `arm`, then releases the
  // writer. Returns every outcome, in append order.
  std::vector<AppendOutcome> QueueThenFail(int count, const std::function<void()>& arm) {
    std::mutex mu;
    std::condition_variable cv;
    bool held = false, released = false;
    journal_->Append({{1, "holder"}}, [&](const Status&, const AppendResult&) {
      std::unique_lock lock(mu);
      held = true;
      cv.notify_all();
      cv.wait(lock, [&] { return released; });
    });
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return held; });
    }
    std::vector<std::promise<AppendOutcome>> promises(count);
    for (int i = 0; i < count; ++i) {
      journal_->Append({{1, "queued " + std::to_string(i)}},
                       [&promises, i](const Status& s, const AppendResult& r) {
                         promises[i].set_value({s, r});
                       });
    }
    arm();
    {
      std::lock_guard lock(mu);
      released = true;
      cv.notify_all();
    }
    std::vector<AppendOutcome> out;
    for (auto& p : promises) out.push_back(p.get_future().get());
    return out;
  }

  double Metric(const std::string& sample) {
    return stemedb::testing::MetricSample(registry_.Render(), sample).value_or(-1);
  }

  stemedb::testing::TempDir dir_;
  FaultInjectionEnv env_;
  ops::Registry registry_;
  std::unique_ptr<Journal> journal_;
};

TEST_F(JournalFailureTest, FailedFdatasyncFailsTheBatchAndIsNeverRetried) {
  wal::testing::LogCapture log;
  OpenAndStart(Options());
  ASSERT_TRUE(AppendOne(*journal_, "durable").status.ok());
  uint64_t durable_head = journal_->head_offset();

  auto outcomes = QueueThenFail(5, [&] { env_.FailNth(FaultOp::kDataSync, 1, EIO); });
  for (const AppendOutcome& o : outcomes) {
    EXPECT_EQ(o.status.code(), StatusCode::kIOError) << o.status.ToString();
    EXPECT_EQ(o.status.sys_errno(), EIO);
  }
  EXPECT_EQ(journal_->state(), JournalState::kFailed);
  EXPECT_EQ(journal_->failure().sys_errno(), EIO);
  uint64_t syncs = env_.Calls(FaultOp::kDataSync) + env_.Calls(FaultOp::kSync);

  // Later appends and rotations are refused; nothing syncs that file again, not even Close.
  AppendOutcome later = AppendOne(*journal_, "later");
  EXPECT_EQ(later.status.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(later.status.message().starts_with("journal_failed")) << later.status.message();
  EXPECT_FALSE(journal_->Rotate().ok());
  journal_->Close();
  EXPECT_EQ(journal_->state(), JournalState::kFailed);
  EXPECT_EQ(env_.Calls(FaultOp::kDataSync) + env_.Calls(FaultOp::kSync), syncs);
  EXPECT_EQ(env_.InjectedFailures(FaultOp::kDataSync), 1u);

  EXPECT_EQ(Metric("stemedb_wal_fsync_errors_total{segment=\"segment.001.wal\"}"), 1);
  EXPECT_EQ(Metric("stemedb_wal_state"), 0);
  EXPECT_EQ(Metric("stemedb_wal_append_errors_total{reason=\"io_error\"}"), 5);
  EXPECT_EQ(Metric("stemedb_wal_append_errors_total{reason=\"journal_failed\"}"), 1);
  std::string text = log.text();
  EXPECT_TRUE(Contains(text, "fsync failed")) << text;
  EXPECT_TRUE(Contains(text, "segment=segment.001.wal")) << text;
  // What the seed runbook greps for, naming the segment, on the same line as the above.
  EXPECT_TRUE(Contains(text, "Failed to fsync WAL segment segment.001.wal; WAL fsync failed: segment=segment.001.wal"))
      << text;
  EXPECT_TRUE(Contains(text, "errno=5 (" + std::string(std::strerror(EIO)) + ")")) << text;

  // The failed batch was cut off: a restart sees exactly what was acknowledged.
  env_.ClearFaults();
  auto records = wal::testing::ReadBack(Options());
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].body, "durable");
  EXPECT_EQ((*records)[1].body, "holder");
  EXPECT_GT(records->back().end_offset, durable_head);
}

TEST_F(JournalFailureTest, AppendsQueuedBehindTheFailedBatchAreRefused) {
  JournalOptions o = Options();
  o.max_batch_bytes = 1024;  // each 990-byte append is a batch of its own
  OpenAndStart(o);
  auto outcomes = QueueThenFail(1, [&] {
    env_.FailNth(FaultOp::kDataSync, 1, EIO);
    for (int i = 0; i < 3; ++i) journal_->Append({{1, std::string(990, 'x')}}, [](auto&, auto&) {});
  });
  EXPECT_EQ(outcomes[0].status.code(), StatusCode::kIOError);
  std::vector<Status> refused;
  std::promise<void> done;
  journal_->Append({{1, "after"}}, [&](const Status& s, const AppendResult&) {
    refused.push_back(s);
    done.set_value();
  });
  done.get_future().wait();
  EXPECT_EQ(refused[0].code(), StatusCode::kUnavailable);
  journal_->Close();
  EXPECT_EQ(Metric("stemedb_wal_append_errors_total{reason=\"io_error\"}"), 1);
  EXPECT_EQ(Metric("stemedb_wal_append_errors_total{reason=\"journal_failed\"}"), 4);
}

TEST_F(JournalFailureTest, FailedWriteFailsTheBatchWithoutSyncing) {
  wal::testing::LogCapture log;
  OpenAndStart(Options());
  uint64_t syncs = env_.Calls(FaultOp::kDataSync);
  env_.FailNth(FaultOp::kWrite, 1, EIO);
  AppendOutcome failed = AppendOne(*journal_, "lost");
  EXPECT_EQ(failed.status.code(), StatusCode::kIOError);
  EXPECT_EQ(env_.Calls(FaultOp::kDataSync), syncs);
  EXPECT_EQ(AppendOne(*journal_, "refused").status.code(), StatusCode::kUnavailable);
  journal_->Close();
  EXPECT_TRUE(Contains(log.text(), "Failed to write WAL segment segment.001.wal; WAL write error")) << log.text();
  EXPECT_EQ(Metric("stemedb_wal_fsync_errors_total{segment=\"segment.001.wal\"}"), 1);
}

TEST_F(JournalFailureTest, ShortWritesStillWriteWholeRecords) {
  OpenAndStart(Options());
  env_.SetShortWriteBytes(7);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(AppendOne(*journal_, "short write " + std::to_string(i)).status.ok());
  }
  journal_->Close();
  EXPECT_GT(env_.Calls(FaultOp::kWrite), 20u * 5);
  env_.ClearFaults();
  auto records = wal::testing::ReadBack(Options());
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 20u);
  EXPECT_EQ((*records)[19].body, "short write 19");
}

TEST_F(JournalFailureTest, FailedSealOnRotationFailsTheJournal) {
  wal::testing::LogCapture log;
  OpenAndStart(Options());
  ASSERT_TRUE(AppendOne(*journal_, "before").status.ok());
  env_.FailNth(FaultOp::kSync, 1, EIO);
  Result<std::string> rotated = journal_->Rotate();
  EXPECT_EQ(rotated.status().sys_errno(), EIO);
  EXPECT_EQ(journal_->state(), JournalState::kFailed);
  EXPECT_EQ(AppendOne(*journal_, "after").status.code(), StatusCode::kUnavailable);
  journal_->Close();
  EXPECT_TRUE(Contains(log.text(), "fsync failed")) << log.text();
  EXPECT_TRUE(Contains(log.text(), "Failed to fsync WAL segment segment.001.wal")) << log.text();
}

TEST_F(JournalFailureTest, FailedDirectorySyncOnRotationFailsTheJournal) {
  OpenAndStart(Options());
  env_.FailNth(FaultOp::kSyncDir, 1, EIO);
  EXPECT_EQ(journal_->Rotate().status().sys_errno(), EIO);
  EXPECT_EQ(journal_->state(), JournalState::kFailed);
}

TEST_F(JournalFailureTest, LogFsyncErrorsLogsEveryRefusedAppend) {
  wal::testing::LogCapture log;
  JournalOptions o = Options();
  o.log_fsync_errors = true;
  OpenAndStart(o);
  env_.FailNth(FaultOp::kDataSync, 1, EIO);
  EXPECT_FALSE(AppendOne(*journal_, "fails").status.ok());
  EXPECT_FALSE(AppendOne(*journal_, "refused one").status.ok());
  EXPECT_FALSE(AppendOne(*journal_, "refused two").status.ok());
  journal_->Close();
  std::string text = log.text();
  size_t refused_lines = 0;
  for (size_t at = 0; (at = text.find("WAL append refused", at)) != std::string::npos; ++at) {
    ++refused_lines;
  }
  EXPECT_EQ(refused_lines, 2u) << text;
  EXPECT_TRUE(Contains(text, "WAL append failed")) << text;
}

}  // namespace
}  // namespace stemedb::wal

// A full disk (storage.md, "Failure semantics"; docs/wal-format.md, "Failures"): ENOSPC on a
// write or on creating a segment pauses the journal, cuts what was not synced, refuses appends
// with kDiskFull, and takes writes again by itself once space is back, from the same durable
// offset. ENOSPC from a sync is a failed sync: that one needs a restart.
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <chrono>
#include <thread>

#include "stemedb/ground/fault_injection_env.h"
#include "stemedb/ground/power_cut_env.h"
#include "stemedb/wal/journal.h"
#include "stemedb/wal/segment_header.h"
#include "stemedb/wal/verifier.h"
#include "support/metrics_text.h"
#include "support/temp_dir.h"
#include "wal/wal_test_helpers.h"

namespace stemedb::wal {
namespace {

using wal::testing::AppendOne;
using wal::testing::AppendOutcome;
using wal::testing::Contains;

// Waits (up to a minute: a loaded machine is slow, never a timing assertion) for a state.
bool WaitForState(const Journal& journal, JournalState state) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (journal.state() != state) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

class JournalDiskFullTest : public ::testing::Test {
 protected:
  JournalOptions Options(Env* env) {
    JournalOptions o = wal::testing::OptionsFor(dir_, env);
    o.disk_full_probe_interval_ms = 2;
    return o;
  }
  void OpenAndStart(JournalOptions o) {
    Result<std::unique_ptr<Journal>> j = Journal::Open(o, registry_);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    journal_ = std::move(j).value();
    journal_->Start();
  }
  double Metric(const std::string& sample) {
    return stemedb::testing::MetricSample(registry_.Render(), sample).value_or(-1);
  }

  stemedb::testing::TempDir temp_;
  std::string dir_ = temp_.path();
  FaultInjectionEnv env_;
  ops::Registry registry_;
  std::unique_ptr<Journal> journal_;
};

TEST_F(JournalDiskFullTest, EnospcOnAWritePausesAndWritesComeBackAtTheSameOffset) {
  wal::testing::LogCapture log;
  OpenAndStart(Options(&env_));
  ASSERT_TRUE(AppendOne(*journal_, "before").status.ok());
  const uint64_t head = journal_->head_offset();
  const uint64_t syncs = env_.Calls(FaultOp::kDataSync);

  env_.FailAlways(FaultOp::kWrite, ENOSPC);
  AppendOutcome failed = AppendOne(*journal_, "no room");
  EXPECT_EQ(failed.status.code(), StatusCode::kDiskFull);
  EXPECT_EQ(failed.status.sys_errno(), ENOSPC);
  EXPECT_EQ(journal_->state(), JournalState::kDiskFull);
  EXPECT_EQ(journal_->head_offset(), head);
  EXPECT_EQ(env_.Calls(FaultOp::kDataSync), syncs) << "nothing was synced";
  AppendOutcome refused = AppendOne(*journal_, "still no room");
  EXPECT_EQ(refused.status.code(), StatusCode::kDiskFull);
  EXPECT_TRUE(refused.status.message().starts_with("disk_full")) << refused.status.message();
  EXPECT_FALSE(journal_->Rotate().ok());
  EXPECT_EQ(Metric("stemedb_wal_state"), 0);
  EXPECT_EQ(Metric("stemedb_wal_fsync_errors_total{segment=\"segment.001.wal\"}"), 0)
      << "no fsync failed: WALFsyncFailure (restart) must not fire";
  // The probe keeps trying while the disk is full, and each try is cut off again.
  const uint64_t writes = env_.Calls(FaultOp::kWrite);
  while (env_.Calls(FaultOp::kWrite) < writes + 3) std::this_thread::yield();
  EXPECT_EQ(journal_->state(), JournalState::kDiskFull);

  env_.ClearFaults();  // space freed
  ASSERT_TRUE(WaitForState(*journal_, JournalState::kOk));
  EXPECT_EQ(Metric("stemedb_wal_state"), 1);
  AppendOutcome after = AppendOne(*journal_, "after");
  ASSERT_TRUE(after.status.ok()) << after.status.ToString();
  EXPECT_EQ(after.result.offsets[0], head) << "written where the failed batch was";
  EXPECT_EQ(after.result.first_seq, 2u) << "the failed batch took no seq";
  journal_->Close();
  EXPECT_EQ(Metric("stemedb_wal_append_errors_total{reason=\"disk_full\"}"), 2);
  const std::string text = log.text();
  EXPECT_TRUE(Contains(text, "WAL disk full (write error): segment=segment.001.wal")) << text;
  EXPECT_TRUE(Contains(text, "errno=28 (No space left on device)")) << text;
  EXPECT_TRUE(Contains(text, "WAL disk space is back")) << text;

  auto records = wal::testing::ReadBack(wal::testing::OptionsFor(dir_));
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].body, "before");
  EXPECT_EQ((*records)[1].body, "after");
}

TEST_F(JournalDiskFullTest, PartOfABatchOnDiskIsCutBeforeTheRewrite) {
  OpenAndStart(Options(&env_));
  ASSERT_TRUE(AppendOne(*journal_, "kept").status.ok());
  const uint64_t head = journal_->head_offset();
  env_.SetShortWriteBytes(10);
  env_.FailNth(FaultOp::kWrite, 3, ENOSPC);  // 20 bytes of the record reach the file first
  EXPECT_EQ(AppendOne(*journal_, std::string(100, 'p')).status.code(), StatusCode::kDiskFull);
  EXPECT_EQ(wal::testing::ReadFileBytes(dir_ + "/segment.001.wal").size(),
            kSegmentHeaderBytes + head)
      << "the 20 bytes were cut";
  ASSERT_TRUE(WaitForState(*journal_, JournalState::kOk));  // the fault was for one call only
  ASSERT_TRUE(AppendOne(*journal_, "rewritten").status.ok());
  journal_->Close();
  auto records = wal::testing::ReadBack(wal::testing::OptionsFor(dir_));
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[1].body, "rewritten");
  auto report = VerifyDir(*Env::Default(), dir_);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->corrupt());
  EXPECT_FALSE(report->torn_tail.has_value());
}

TEST_F(JournalDiskFullTest, QueuedAppendsAreRefusedNotHeld) {
  OpenAndStart(Options(&env_));
  env_.FailAlways(FaultOp::kWrite, ENOSPC);
  std::vector<std::promise<AppendOutcome>> promises(20);
  for (size_t i = 0; i < promises.size(); ++i) {
    journal_->Append({{1, "queued " + std::to_string(i)}},
                     [&promises, i](const Status& s, const AppendResult& r) {
                       promises[i].set_value({s, r});
                     });
  }
  for (auto& p : promises) EXPECT_EQ(p.get_future().get().status.code(), StatusCode::kDiskFull);
  env_.ClearFaults();
  ASSERT_TRUE(WaitForState(*journal_, JournalState::kOk));
  EXPECT_TRUE(AppendOne(*journal_, "after").status.ok());
}

TEST_F(JournalDiskFullTest, EnospcCreatingTheNextSegmentPausesUntilItCanBeCreated) {
  OpenAndStart(Options(&env_));
  ASSERT_TRUE(AppendOne(*journal_, "in segment 1").status.ok());
  env_.FailAlways(FaultOp::kOpen, ENOSPC);
  Result<std::string> rotated = journal_->Rotate();
  EXPECT_EQ(rotated.status().code(), StatusCode::kDiskFull);
  EXPECT_EQ(journal_->state(), JournalState::kDiskFull);
  EXPECT_EQ(AppendOne(*journal_, "refused").status.code(), StatusCode::kDiskFull);
  EXPECT_EQ(journal_->Segments().size(), 1u);

  env_.ClearFaults();
  ASSERT_TRUE(WaitForState(*journal_, JournalState::kOk));
  std::vector<SegmentInfo> segments = journal_->Segments();
  ASSERT_EQ(segments.size(), 2u) << "the probe created the missing segment";
  EXPECT_TRUE(segments[0].sealed);
  AppendOutcome after = AppendOne(*journal_, "in segment 2");
  ASSERT_TRUE(after.status.ok());
  EXPECT_EQ(journal_->Segments().back().name, "segment.002.wal");
  journal_->Close();
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/segment.002.wal.tmp"));
  auto records = wal::testing::ReadBack(wal::testing::OptionsFor(dir_));
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
}

TEST_F(JournalDiskFullTest, EnospcWritingTheNewSegmentsHeaderRemovesItsTempFile) {
  JournalOptions o = Options(&env_);
  o.segment_bytes = 4096;
  OpenAndStart(o);
  // The first pwrite of the rotation is the next segment's header. The space probe (every
  // 2 ms) would create the segment again before the checks below on a slow machine, so every
  // open after the rotation's own fails until the checks are done.
  env_.FailNth(FaultOp::kWrite, 1, ENOSPC);
  env_.FailNth(FaultOp::kOpen, 2, ENOSPC, /*sticky=*/true);
  EXPECT_EQ(journal_->Rotate().status().code(), StatusCode::kDiskFull);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/segment.002.wal.tmp"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/segment.002.wal"));
  env_.ClearFaults();
  ASSERT_TRUE(WaitForState(*journal_, JournalState::kOk));
  // Appends that fill segments go on rotating normally.
  for (int i = 0; i < 40; ++i) {
    AppendOutcome filled = AppendOne(*journal_, std::string(300, 'r'));
    ASSERT_TRUE(filled.status.ok()) << filled.status.ToString();
  }
  EXPECT_GE(journal_->Segments().size(), 3u);
}

TEST_F(JournalDiskFullTest, EnospcFromFdatasyncNeedsARestart) {
  OpenAndStart(Options(&env_));
  env_.FailNth(FaultOp::kDataSync, 1, ENOSPC);
  AppendOutcome failed = AppendOne(*journal_, "lost");
  EXPECT_EQ(failed.status.code(), StatusCode::kDiskFull);
  EXPECT_EQ(journal_->state(), JournalState::kFailed);
  // No probe ever brings it back: the sync failed.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(journal_->state(), JournalState::kFailed);
  AppendOutcome later = AppendOne(*journal_, "later");
  EXPECT_TRUE(later.status.message().starts_with("journal_failed")) << later.status.message();
  EXPECT_EQ(Metric("stemedb_wal_fsync_errors_total{segment=\"segment.001.wal\"}"), 1);
}

TEST_F(JournalDiskFullTest, AProbeFailingOtherwiseFailsTheJournalForGood) {
  OpenAndStart(Options(&env_));
  env_.FailAlways(FaultOp::kWrite, ENOSPC);
  EXPECT_EQ(AppendOne(*journal_, "no room").status.code(), StatusCode::kDiskFull);
  env_.FailAlways(FaultOp::kWrite, EIO);
  ASSERT_TRUE(WaitForState(*journal_, JournalState::kFailed));
  EXPECT_EQ(journal_->failure().sys_errno(), EIO);
}

TEST_F(JournalDiskFullTest, CloseWhilePausedIsCleanAndTheLogReopens) {
  OpenAndStart(Options(&env_));
  ASSERT_TRUE(AppendOne(*journal_, "kept").status.ok());
  env_.FailAlways(FaultOp::kWrite, ENOSPC);
  EXPECT_EQ(AppendOne(*journal_, "no room").status.code(), StatusCode::kDiskFull);
  journal_->Close();
  EXPECT_EQ(journal_->state(), JournalState::kClosed);
  env_.ClearFaults();
  auto records = wal::testing::ReadBack(wal::testing::OptionsFor(dir_));
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 1u);
}

// A real small file system, in memory: the writers fill it, get kDiskFull, the space comes
// back, they go on; then the power is cut and what was acknowledged is all there.
TEST_F(JournalDiskFullTest, ASmallFileSystemFillsUpAndHealsWithoutARestart) {
  PowerCutEnv disk;
  dir_ = "/data/wal";
  JournalOptions o = Options(&disk);
  o.segment_bytes = 8192;
  OpenAndStart(o);
  disk.SetCapacityBytes(disk.used_bytes() + 20000);
  std::vector<std::string> acked;
  int full = 0;
  for (int i = 0; acked.size() < 200; ++i) {
    std::string body = "record " + std::to_string(i) + " " + std::string(100 + i % 50, 'x');
    AppendOutcome o = AppendOne(*journal_, body);
    if (o.status.ok()) {
      acked.push_back(body);
    } else {
      ASSERT_EQ(o.status.code(), StatusCode::kDiskFull) << o.status.ToString();
      if (++full == 1) disk.SetCapacityBytes(UINT64_MAX);  // an operator frees space
      ASSERT_TRUE(WaitForState(*journal_, JournalState::kOk));
    }
  }
  EXPECT_GE(full, 1);
  journal_->Close();
  journal_.reset();
  disk.CutPowerNow();
  disk.Reboot();
  auto records = wal::testing::ReadBack(wal::testing::OptionsFor(dir_, &disk));
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), acked.size());
  for (size_t i = 0; i < acked.size(); ++i) EXPECT_EQ((*records)[i].body, acked[i]) << i;
}

}  // namespace
}  // namespace stemedb::wal

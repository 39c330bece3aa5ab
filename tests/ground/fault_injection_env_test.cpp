// The fault-injecting Env itself: each fault lands on exactly the call it names.
#include "stemedb/ground/fault_injection_env.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "support/temp_dir.h"
#include "support/file_bytes.h"

namespace stemedb {
namespace {

class FaultInjectionEnvTest : public ::testing::Test {
 protected:
  std::unique_ptr<File> OpenNew(const std::string& name) {
    Result<std::unique_ptr<File>> f = env_.OpenFile(dir_.Sub(name), OpenMode::kCreateNew);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? std::move(f).value() : nullptr;
  }

  stemedb::testing::TempDir dir_;
  FaultInjectionEnv env_;
};

TEST_F(FaultInjectionEnvTest, FailsExactlyTheNthWrite) {
  auto f = OpenNew("a");
  env_.FailNth(FaultOp::kWrite, 2, EIO);
  EXPECT_TRUE(f->WriteAt(0, "one").ok());
  Result<size_t> second = f->WriteAt(3, "two");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kIOError);
  EXPECT_EQ(second.status().sys_errno(), EIO);
  EXPECT_TRUE(f->WriteAt(3, "three").ok());
  EXPECT_EQ(env_.Calls(FaultOp::kWrite), 3u);
  EXPECT_EQ(env_.InjectedFailures(FaultOp::kWrite), 1u);
  // The failed write did nothing.
  EXPECT_EQ(testing::ReadFileBytes(dir_.Sub("a")), "onethree");
}

TEST_F(FaultInjectionEnvTest, StickyFaultFailsEveryLaterCall) {
  auto f = OpenNew("a");
  env_.FailNth(FaultOp::kDataSync, 2, EIO, /*sticky=*/true);
  EXPECT_TRUE(f->DataSync().ok());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(f->DataSync().sys_errno(), EIO);
  EXPECT_TRUE(f->Sync().ok()) << "fsync is a different operation";
  env_.ClearFaults();
  EXPECT_TRUE(f->DataSync().ok());
  EXPECT_EQ(env_.Calls(FaultOp::kDataSync), 5u);
}

TEST_F(FaultInjectionEnvTest, EnospcBecomesDiskFull) {
  auto f = OpenNew("a");
  env_.FailAlways(FaultOp::kWrite, ENOSPC);
  Result<size_t> w = f->WriteAt(0, "x");
  EXPECT_EQ(w.status().code(), StatusCode::kDiskFull);
  EXPECT_EQ(w.status().sys_errno(), ENOSPC);
  env_.FailAlways(FaultOp::kOpen, ENOSPC);
  EXPECT_EQ(env_.OpenFile(dir_.Sub("b"), OpenMode::kCreateNew).status().code(),
            StatusCode::kDiskFull);
}

TEST_F(FaultInjectionEnvTest, ShortWritesAreContinuedByWriteFully) {
  auto f = OpenNew("a");
  env_.SetShortWriteBytes(3);
  Result<size_t> n = f->WriteAt(0, "abcdefgh");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3u);
  ASSERT_TRUE(WriteFully(*f, 3, "defghij").ok());
  EXPECT_EQ(testing::ReadFileBytes(dir_.Sub("a")), "abcdefghij");
  EXPECT_EQ(env_.Calls(FaultOp::kWrite), 4u);  // 1 + ceil(7 / 3)
}

TEST_F(FaultInjectionEnvTest, ShortWriteThenErrorLeavesAPrefix) {
  auto f = OpenNew("a");
  env_.SetShortWriteBytes(4);
  env_.FailNth(FaultOp::kWrite, 2, EIO);
  Status s = WriteFully(*f, 0, "0123456789");
  EXPECT_EQ(s.sys_errno(), EIO);
  EXPECT_EQ(testing::ReadFileBytes(dir_.Sub("a")), "0123");
}

TEST_F(FaultInjectionEnvTest, DirectoryOperationsCanFail) {
  env_.FailNth(FaultOp::kSyncDir, 1, EIO);
  EXPECT_EQ(env_.SyncDir(dir_.path()).sys_errno(), EIO);
  EXPECT_TRUE(env_.SyncDir(dir_.path()).ok());
  auto f = OpenNew("a");
  env_.FailNth(FaultOp::kRename, 1, EIO);
  EXPECT_FALSE(env_.Rename(dir_.Sub("a"), dir_.Sub("b")).ok());
  EXPECT_TRUE(env_.Rename(dir_.Sub("a"), dir_.Sub("b")).ok());
  env_.FailNth(FaultOp::kTruncate, 1, EIO);
  EXPECT_FALSE(f->Truncate(0).ok());
}

}  // namespace
}  // namespace stemedb

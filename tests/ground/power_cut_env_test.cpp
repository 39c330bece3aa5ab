// The power-cut Env: a reboot keeps exactly what was synced, files and directory entries.
#include "stemedb/ground/power_cut_env.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>

namespace stemedb {
namespace {

std::unique_ptr<File> Create(Env& env, const std::string& path) {
  Result<std::unique_ptr<File>> f = env.OpenFile(path, OpenMode::kCreateNew);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? std::move(f).value() : nullptr;
}

std::string Contents(Env& env, const std::string& path) {
  Result<std::unique_ptr<File>> f = env.OpenFile(path, OpenMode::kReadOnly);
  if (!f.ok()) return "<" + f.status().ToString() + ">";
  std::string out(1 << 16, '\0');
  Result<size_t> n = ReadFully(**f, 0, out.data(), out.size());
  EXPECT_TRUE(n.ok());
  out.resize(n.ok() ? *n : 0);
  return out;
}

std::vector<std::string> Sorted(Result<std::vector<std::string>> names) {
  EXPECT_TRUE(names.ok()) << names.status().ToString();
  if (!names.ok()) return {};
  std::sort(names->begin(), names->end());
  return *names;
}

class PowerCutEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.CreateDirs("/d").ok());
    ASSERT_TRUE(env_.SyncDir("/").ok());
  }
  PowerCutEnv env_;
};

TEST_F(PowerCutEnvTest, RebootKeepsSyncedBytesOnly) {
  auto f = Create(env_, "/d/a");
  ASSERT_TRUE(env_.SyncDir("/d").ok());
  ASSERT_TRUE(WriteFully(*f, 0, "durable").ok());
  ASSERT_TRUE(f->DataSync().ok());
  ASSERT_TRUE(WriteFully(*f, 7, " and lost").ok());
  EXPECT_EQ(Contents(env_, "/d/a"), "durable and lost");
  f.reset();
  env_.CutPowerNow();
  env_.Reboot();
  EXPECT_EQ(Contents(env_, "/d/a"), "durable");
}

TEST_F(PowerCutEnvTest, UnsyncedTruncateComesBack) {
  auto f = Create(env_, "/d/a");
  ASSERT_TRUE(env_.SyncDir("/d").ok());
  ASSERT_TRUE(WriteFully(*f, 0, "0123456789").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Truncate(4).ok());
  f.reset();
  env_.Reboot();
  EXPECT_EQ(Contents(env_, "/d/a"), "0123456789");
}

TEST_F(PowerCutEnvTest, EntriesNeedTheirDirectorySynced) {
  auto kept = Create(env_, "/d/kept");
  ASSERT_TRUE(kept->DataSync().ok());
  ASSERT_TRUE(env_.SyncDir("/d").ok());
  auto tmp = Create(env_, "/d/new.tmp");
  ASSERT_TRUE(WriteFully(*tmp, 0, "header").ok());
  ASSERT_TRUE(tmp->DataSync().ok());
  ASSERT_TRUE(env_.Rename("/d/new.tmp", "/d/new").ok());
  ASSERT_TRUE(env_.RemoveFile("/d/kept").ok());
  EXPECT_EQ(Sorted(env_.ListDir("/d")), std::vector<std::string>{"new"});
  kept.reset();
  tmp.reset();
  env_.Reboot();
  // Neither the rename nor the unlink reached the directory.
  EXPECT_EQ(Sorted(env_.ListDir("/d")), std::vector<std::string>{"kept"});
}

TEST_F(PowerCutEnvTest, SyncedRenameSurvives) {
  auto tmp = Create(env_, "/d/new.tmp");
  ASSERT_TRUE(WriteFully(*tmp, 0, "header").ok());
  ASSERT_TRUE(tmp->DataSync().ok());
  ASSERT_TRUE(env_.Rename("/d/new.tmp", "/d/new").ok());
  ASSERT_TRUE(env_.SyncDir("/d").ok());
  tmp.reset();
  env_.Reboot();
  EXPECT_EQ(Sorted(env_.ListDir("/d")), std::vector<std::string>{"new"});
  EXPECT_EQ(Contents(env_, "/d/new"), "header");
}

TEST_F(PowerCutEnvTest, DirectoryCreatedSinceItsParentsSyncIsGone) {
  ASSERT_TRUE(env_.CreateDirs("/d/wal").ok());
  auto f = Create(env_, "/d/wal/a");
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(env_.SyncDir("/d/wal").ok());  // its own entries, not its entry in /d
  f.reset();
  env_.Reboot();
  EXPECT_FALSE(env_.FileExists("/d/wal"));
  EXPECT_FALSE(env_.FileExists("/d/wal/a"));
  ASSERT_TRUE(env_.CreateDirs("/d/wal").ok());
  ASSERT_TRUE(env_.SyncDir("/d").ok());
  env_.Reboot();
  EXPECT_TRUE(env_.FileExists("/d/wal"));
}

TEST_F(PowerCutEnvTest, TheCutCallAndEveryLaterOneFailAndChangeNothing) {
  auto f = Create(env_, "/d/a");
  ASSERT_TRUE(env_.SyncDir("/d").ok());
  env_.CutPowerAtCall(2);
  EXPECT_TRUE(WriteFully(*f, 0, "one").ok());
  Status synced = f->DataSync();
  EXPECT_EQ(synced.sys_errno(), EIO);
  EXPECT_TRUE(env_.power_off());
  EXPECT_EQ(env_.cut_call(), "fdatasync /d/a");
  EXPECT_EQ(f->WriteAt(3, "two").status().sys_errno(), EIO);
  EXPECT_EQ(env_.OpenFile("/d/b", OpenMode::kCreateNew).status().sys_errno(), EIO);
  EXPECT_FALSE(env_.FileExists("/d/a"));  // nothing answers with the power off
  f.reset();
  env_.Reboot();
  EXPECT_FALSE(env_.power_off());
  EXPECT_EQ(Contents(env_, "/d/a"), "");
}

TEST_F(PowerCutEnvTest, TornRebootKeepsAPrefixOfTheUnsyncedAppend) {
  auto f = Create(env_, "/d/a");
  ASSERT_TRUE(env_.SyncDir("/d").ok());
  ASSERT_TRUE(WriteFully(*f, 0, "synced|").ok());
  ASSERT_TRUE(f->DataSync().ok());
  f.reset();
  std::mt19937_64 rng(7);
  std::set<size_t> lengths;
  for (int i = 0; i < 50; ++i) {
    auto g = env_.OpenFile("/d/a", OpenMode::kReadWrite);
    ASSERT_TRUE(g.ok());
    ASSERT_TRUE(WriteFully(**g, 7, "unsynced tail").ok());
    g->reset();
    env_.Reboot(&rng);
    std::string after = Contents(env_, "/d/a");
    ASSERT_EQ(after.rfind("synced|", 0), 0u) << after;
    ASSERT_EQ(std::string("synced|unsynced tail").rfind(after, 0), 0u) << after;
    lengths.insert(after.size());
    // What a reboot kept is what the disk holds now: back to the synced part for the next round.
    auto h = env_.OpenFile("/d/a", OpenMode::kReadWrite);
    ASSERT_TRUE((*h)->Truncate(7).ok());
    ASSERT_TRUE((*h)->Sync().ok());
  }
  EXPECT_GT(lengths.size(), 5u);
}

TEST_F(PowerCutEnvTest, CapacityShortWritesThenEnospc) {
  env_.SetCapacityBytes(10);
  auto f = Create(env_, "/d/a");
  Result<size_t> first = f->WriteAt(0, "0123456789abcdef");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 10u);
  Result<size_t> second = f->WriteAt(10, "abcdef");
  EXPECT_EQ(second.status().code(), StatusCode::kDiskFull);
  EXPECT_EQ(second.status().sys_errno(), ENOSPC);
  EXPECT_EQ(WriteFully(*f, 0, "overwrite fits").code(), StatusCode::kDiskFull);
  EXPECT_TRUE(f->WriteAt(0, "ABC").ok()) << "overwriting in place needs no space";
  EXPECT_EQ(env_.GetDiskSpace("/d")->free_bytes, 0u);
  ASSERT_TRUE(f->Truncate(4).ok());
  EXPECT_EQ(env_.GetDiskSpace("/d")->free_bytes, 6u);
  EXPECT_TRUE(f->WriteAt(4, "xyz").ok());
}

TEST_F(PowerCutEnvTest, LocksAreExclusiveUntilReleased) {
  auto lock = env_.LockFile("/d/LOCK");
  ASSERT_TRUE(lock.ok());
  EXPECT_EQ(env_.LockFile("/d/LOCK").status().code(), StatusCode::kFailedPrecondition);
  lock->reset();
  EXPECT_TRUE(env_.LockFile("/d/LOCK").ok());
}

}  // namespace
}  // namespace stemedb

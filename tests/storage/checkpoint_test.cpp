// Checkpoints write through the store's Env: every file fsynced, checkpoint.json published by a
// rename and fsynced with its directory, and any failed fsync reported, never ignored.
#include "stemedb/storage/checkpoint.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <functional>
#include <future>

#include "stemedb/ground/durable_file.h"
#include "stemedb/ground/fault_injection_env.h"
#include "support/file_bytes.h"
#include "support/records.h"
#include "support/temp_dir.h"

namespace stemedb::storage {
namespace {

using stemedb::testing::SignedAssertion;
using stemedb::testing::TempDir;

// The default Env, except that calls on the paths `route` picks go through `faults`: a test
// fails or counts the calls on the checkpoint's files alone, whatever the WAL does meanwhile.
class RoutingEnv final : public Env {
 public:
  RoutingEnv(std::function<bool(const std::string&)> route, Env* faults)
      : route_(std::move(route)), faults_(faults) {}

  Result<std::unique_ptr<File>> OpenFile(const std::string& path, OpenMode mode) override {
    return For(path).OpenFile(path, mode);
  }
  Status SyncDir(const std::string& dir) override { return For(dir).SyncDir(dir); }
  Status Rename(const std::string& from, const std::string& to) override { return For(from).Rename(from, to); }
  Status RemoveFile(const std::string& path) override { return For(path).RemoveFile(path); }
  Status CreateDirs(const std::string& dir) override { return For(dir).CreateDirs(dir); }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override { return For(dir).ListDir(dir); }
  bool FileExists(const std::string& path) override { return For(path).FileExists(path); }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override { return For(path).LockFile(path); }
  Result<DiskSpace> GetDiskSpace(const std::string& dir) override { return For(dir).GetDiskSpace(dir); }

 private:
  Env& For(const std::string& path) { return route_(path) ? *faults_ : *Env::Default(); }

  std::function<bool(const std::string&)> route_;
  Env* faults_;
};

class CheckpointTest : public ::testing::Test {
 protected:
  void Open(std::function<bool(const std::string&)> route) {
    env_ = std::make_unique<RoutingEnv>(std::move(route), &faults_);
    StoreOptions o;
    o.data_dir = dir_.Sub("data");
    o.journal.dir = dir_.Sub("data/wal");
    o.journal.env = env_.get();
    auto s = Store::Open(std::move(o), metrics_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    std::vector<PendingWrite> writes;
    AnyRecord a = SignedAssertion({});
    writes.push_back({a, RecordId(a)});
    std::promise<Status> done;
    store_->Write(std::move(writes), [&done](const Status& s, std::vector<WriteOutcome>) { done.set_value(s); });
    ASSERT_TRUE(done.get_future().get().ok());
  }
  std::string CheckpointDir() const { return dir_.Sub("backups/cp"); }
  std::string InfoFile() const { return CheckpointDir() + "/checkpoint.json"; }
  bool IsInfoFile(const std::string& path) const { return path.rfind(InfoFile(), 0) == 0; }

  TempDir dir_;
  FaultInjectionEnv faults_;
  std::unique_ptr<RoutingEnv> env_;
  ops::Registry metrics_;
  std::unique_ptr<Store> store_;
};

TEST_F(CheckpointTest, EveryFileIsSyncedAndTheDirectoriesToo) {
  const std::string parent = dir_.Sub("backups");
  ASSERT_TRUE(Env::Default()->CreateDirs(parent).ok());
  Open([&](const std::string& path) { return path == parent || path.rfind(CheckpointDir(), 0) == 0; });
  auto info = CreateCheckpoint(*store_, CheckpointDir());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  const size_t segments = (*info)["segments"].size();
  ASSERT_GE(segments, 1u);
  EXPECT_EQ(nlohmann::json::parse(stemedb::testing::ReadFileBytes(InfoFile())), *info);
  EXPECT_FALSE(Env::Default()->FileExists(DurableTempPath(InfoFile())));
  EXPECT_EQ(faults_.Calls(FaultOp::kSync), segments + 1) << "each WAL copy and checkpoint.json";
  EXPECT_EQ(faults_.Calls(FaultOp::kRename), 1u) << "checkpoint.json is published by a rename";
  EXPECT_EQ(faults_.Calls(FaultOp::kSyncDir), 3u) << "wal/, the checkpoint and its parent";
}

TEST_F(CheckpointTest, FailedFsyncOfCheckpointJsonIsReported) {
  ASSERT_TRUE(Env::Default()->CreateDirs(dir_.Sub("backups")).ok());
  Open([&](const std::string& path) { return IsInfoFile(path); });
  faults_.FailNth(FaultOp::kSync, 1, EIO);
  auto info = CreateCheckpoint(*store_, CheckpointDir());
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().sys_errno(), EIO) << info.status().ToString();
  EXPECT_NE(info.status().message().find("checkpoint.json"), std::string::npos) << info.status().ToString();
  EXPECT_FALSE(Env::Default()->FileExists(InfoFile())) << "no checkpoint.json for a checkpoint not known durable";
  EXPECT_FALSE(Env::Default()->FileExists(DurableTempPath(InfoFile())));
  EXPECT_EQ(faults_.Calls(FaultOp::kSync), 1u) << "never retried";
}

TEST_F(CheckpointTest, FailedFsyncOfTheCheckpointDirectoryIsReported) {
  ASSERT_TRUE(Env::Default()->CreateDirs(dir_.Sub("backups")).ok());
  Open([&](const std::string& path) { return path == CheckpointDir(); });
  faults_.FailNth(FaultOp::kSyncDir, 1, EIO);
  auto info = CreateCheckpoint(*store_, CheckpointDir());
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().sys_errno(), EIO) << info.status().ToString();
}

TEST_F(CheckpointTest, FailedFsyncOfAWalCopyIsReported) {
  ASSERT_TRUE(Env::Default()->CreateDirs(dir_.Sub("backups")).ok());
  Open([&](const std::string& path) { return path.rfind(CheckpointDir() + "/wal/", 0) == 0; });
  faults_.FailNth(FaultOp::kSync, 1, EIO);
  auto info = CreateCheckpoint(*store_, CheckpointDir());
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().sys_errno(), EIO) << info.status().ToString();
  EXPECT_FALSE(Env::Default()->FileExists(InfoFile()));
}

}  // namespace
}  // namespace stemedb::storage

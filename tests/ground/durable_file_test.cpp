// WriteFileDurably: temp file, fsync, rename, directory fsync; every failure reported and the
// old file left as it was.
#include "stemedb/ground/durable_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>

#include "stemedb/ground/fault_injection_env.h"
#include "support/file_bytes.h"
#include "support/temp_dir.h"

namespace stemedb {
namespace {

using stemedb::testing::ReadFileBytes;
using stemedb::testing::WriteFileBytes;

class DurableFileTest : public ::testing::Test {
 protected:
  std::string Path() const { return dir_.Sub("state.json"); }
  bool Exists(const std::string& path) { return env_.FileExists(path); }

  stemedb::testing::TempDir dir_;
  FaultInjectionEnv env_;
};

TEST_F(DurableFileTest, WritesSyncsRenamesAndSyncsTheDirectory) {
  ASSERT_TRUE(WriteFileDurably(env_, Path(), "{\"a\":1}\n").ok());
  EXPECT_EQ(ReadFileBytes(Path()), "{\"a\":1}\n");
  EXPECT_FALSE(Exists(DurableTempPath(Path())));
  EXPECT_EQ(env_.Calls(FaultOp::kSync), 1u);
  EXPECT_EQ(env_.Calls(FaultOp::kRename), 1u);
  EXPECT_EQ(env_.Calls(FaultOp::kSyncDir), 1u);
}

TEST_F(DurableFileTest, ReplacesAnExistingFile) {
  WriteFileBytes(Path(), "old contents that are longer");
  ASSERT_TRUE(WriteFileDurably(env_, Path(), "new").ok());
  EXPECT_EQ(ReadFileBytes(Path()), "new");
}

TEST_F(DurableFileTest, OwnerOnlyFilesAreMode0600) {
  ASSERT_TRUE(WriteFileDurably(env_, Path(), "secret\n", FileAccess::kOwnerOnly).ok());
  struct stat st {};
  ASSERT_EQ(::stat(Path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(DurableFileTest, FailedFsyncIsReportedAndNothingIsPublished) {
  WriteFileBytes(Path(), "old");
  env_.FailNth(FaultOp::kSync, 1, EIO);
  Status s = WriteFileDurably(env_, Path(), "new");
  EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();
  EXPECT_EQ(s.sys_errno(), EIO);
  EXPECT_NE(s.message().find("state.json.tmp"), std::string::npos) << s.ToString();
  EXPECT_EQ(ReadFileBytes(Path()), "old");
  EXPECT_FALSE(Exists(DurableTempPath(Path())));
  EXPECT_EQ(env_.Calls(FaultOp::kRename), 0u) << "a file whose fsync failed is never published";
  EXPECT_EQ(env_.Calls(FaultOp::kSync), 1u) << "a failed fsync is never retried";
}

TEST_F(DurableFileTest, FailedDirectoryFsyncIsReported) {
  env_.FailNth(FaultOp::kSyncDir, 1, EIO);
  Status s = WriteFileDurably(env_, Path(), "x");
  EXPECT_EQ(s.sys_errno(), EIO) << s.ToString();
  EXPECT_NE(s.message().find(dir_.path()), std::string::npos) << s.ToString();
}

TEST_F(DurableFileTest, FullDiskIsDiskFullAndLeavesNoTemporaryFile) {
  env_.FailAlways(FaultOp::kWrite, ENOSPC);
  Status s = WriteFileDurably(env_, Path(), "x");
  EXPECT_EQ(s.code(), StatusCode::kDiskFull) << s.ToString();
  EXPECT_FALSE(Exists(Path()));
  EXPECT_FALSE(Exists(DurableTempPath(Path())));
}

TEST_F(DurableFileTest, FailedRenameLeavesTheOldFile) {
  WriteFileBytes(Path(), "old");
  env_.FailNth(FaultOp::kRename, 1, EIO);
  EXPECT_FALSE(WriteFileDurably(env_, Path(), "new").ok());
  EXPECT_EQ(ReadFileBytes(Path()), "old");
  EXPECT_FALSE(Exists(DurableTempPath(Path())));
}

TEST_F(DurableFileTest, AStaleTemporaryFileFromACrashIsReplaced) {
  WriteFileBytes(DurableTempPath(Path()), "half writ");
  ASSERT_TRUE(WriteFileDurably(env_, Path(), "whole").ok());
  EXPECT_EQ(ReadFileBytes(Path()), "whole");
}

TEST_F(DurableFileTest, CopiesInChunksAndSyncsTheCopy) {
  std::string big(3 * (1 << 20) + 17, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131);
  WriteFileBytes(dir_.Sub("from"), big);
  ASSERT_TRUE(CopyFileDurably(env_, dir_.Sub("from"), dir_.Sub("to")).ok());
  EXPECT_EQ(ReadFileBytes(dir_.Sub("to")), big);
  EXPECT_EQ(env_.Calls(FaultOp::kSync), 1u);
  EXPECT_EQ(env_.Calls(FaultOp::kWrite), 4u) << "1 MiB chunks";
}

TEST_F(DurableFileTest, CopyRefusesAnExistingTargetAndLeavesIt) {
  WriteFileBytes(dir_.Sub("from"), "new");
  WriteFileBytes(dir_.Sub("to"), "old");
  EXPECT_EQ(CopyFileDurably(env_, dir_.Sub("from"), dir_.Sub("to")).sys_errno(), EEXIST);
  EXPECT_EQ(ReadFileBytes(dir_.Sub("to")), "old");
}

TEST_F(DurableFileTest, FailedCopyFsyncIsReportedAndThePartialCopyRemoved) {
  WriteFileBytes(dir_.Sub("from"), "segment bytes");
  env_.FailNth(FaultOp::kSync, 1, EIO);
  Status s = CopyFileDurably(env_, dir_.Sub("from"), dir_.Sub("to"));
  EXPECT_EQ(s.sys_errno(), EIO) << s.ToString();
  EXPECT_FALSE(Exists(dir_.Sub("to")));
}

}  // namespace
}  // namespace stemedb

// The root key file: generated through the Env, durably (fsync, rename, directory fsync), and a
// failed fsync stops the start-up instead of handing out a key that may not survive.
#include "stemedb/http/api_keys.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>

#include "stemedb/core/sha256.h"
#include "stemedb/ground/durable_file.h"
#include "stemedb/ground/fault_injection_env.h"
#include "support/file_bytes.h"
#include "support/temp_dir.h"

namespace stemedb::http {
namespace {

class RootKeyTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GE(sodium_init(), 0); }
  std::string KeyPath() const { return dir_.Sub("root.key"); }

  stemedb::testing::TempDir dir_;
  FaultInjectionEnv env_;
};

TEST_F(RootKeyTest, GeneratedKeyIsPrivateSyncedWithItsDirectoryAndReadBack) {
  bool generated = false;
  Result<core::Hash32> digest = LoadOrCreateRootKey(env_, "", KeyPath(), &generated);
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  EXPECT_TRUE(generated);
  const std::string text = stemedb::testing::ReadFileBytes(KeyPath());
  ASSERT_EQ(text.rfind("sdb_", 0), 0u) << text;
  ASSERT_EQ(text.back(), '\n');
  EXPECT_EQ(*digest, core::Sha256(text.substr(0, text.size() - 1)));
  struct stat st {};
  ASSERT_EQ(::stat(KeyPath().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(env_.Calls(FaultOp::kSync), 1u) << "the key file is fsynced";
  EXPECT_EQ(env_.Calls(FaultOp::kRename), 1u) << "published by a rename";
  EXPECT_EQ(env_.Calls(FaultOp::kSyncDir), 1u) << "and its directory fsynced";

  Result<core::Hash32> again = LoadOrCreateRootKey(env_, "", KeyPath(), &generated);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(generated);
  EXPECT_EQ(*again, *digest);
  EXPECT_EQ(env_.Calls(FaultOp::kSync), 1u) << "an existing key is only read";
}

TEST_F(RootKeyTest, FailedFsyncOfTheKeyFileIsReportedAndLeavesNoKey) {
  env_.FailNth(FaultOp::kSync, 1, EIO);
  bool generated = false;
  Result<core::Hash32> digest = LoadOrCreateRootKey(env_, "", KeyPath(), &generated);
  ASSERT_FALSE(digest.ok());
  EXPECT_EQ(digest.status().sys_errno(), EIO) << digest.status().ToString();
  EXPECT_NE(digest.status().message().find("root.key"), std::string::npos) << digest.status().ToString();
  EXPECT_FALSE(generated);
  EXPECT_FALSE(env_.FileExists(KeyPath())) << "no key that might not survive a power cut";
  EXPECT_FALSE(env_.FileExists(DurableTempPath(KeyPath())));
}

TEST_F(RootKeyTest, FailedDirectoryFsyncIsReported) {
  env_.FailNth(FaultOp::kSyncDir, 1, EIO);
  bool generated = false;
  Result<core::Hash32> digest = LoadOrCreateRootKey(env_, "", KeyPath(), &generated);
  ASSERT_FALSE(digest.ok());
  EXPECT_EQ(digest.status().sys_errno(), EIO) << digest.status().ToString();
  EXPECT_FALSE(generated);
}

TEST_F(RootKeyTest, KeyFileReadableByOthersIsRefused) {
  stemedb::testing::WriteFileBytes(KeyPath(), std::string(40, 'k') + "\n");
  ASSERT_EQ(::chmod(KeyPath().c_str(), 0644), 0);
  bool generated = false;
  Result<core::Hash32> digest = LoadOrCreateRootKey(env_, "", KeyPath(), &generated);
  EXPECT_EQ(digest.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(digest.status().message().find("mode 0644"), std::string::npos) << digest.status().ToString();
}

TEST_F(RootKeyTest, ConfiguredKeyWritesNoFile) {
  bool generated = false;
  Result<core::Hash32> digest = LoadOrCreateRootKey(env_, std::string(32, 'c'), KeyPath(), &generated);
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(*digest, core::Sha256(std::string(32, 'c')));
  EXPECT_FALSE(env_.FileExists(KeyPath()));
  EXPECT_EQ(env_.Calls(FaultOp::kOpen), 0u);
}

}  // namespace
}  // namespace stemedb::http

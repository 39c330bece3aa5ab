// One journal per directory.
#include "stemedb/wal/dir_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "stemedb/wal/journal.h"
#include "support/temp_dir.h"
#include "wal/wal_test_helpers.h"

namespace stemedb::wal {
namespace {

TEST(DirLockTest, SecondOpenerIsRefusedWithAClearMessage) {
  stemedb::testing::TempDir dir;
  ops::Registry registry;
  auto first = Journal::Open(wal::testing::OptionsFor(dir.path()), registry);
  ASSERT_TRUE(first.ok()) << first.status().ToString();

  auto second = Journal::Open(wal::testing::OptionsFor(dir.path()), registry);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  const std::string& msg = second.status().message();
  EXPECT_NE(msg.find("WAL directory " + dir.path() + " is locked by another process"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("pid " + std::to_string(::getpid())), std::string::npos) << msg;

  (*first)->Close();  // releases the lock
  auto third = Journal::Open(wal::testing::OptionsFor(dir.path()), registry);
  EXPECT_TRUE(third.ok()) << third.status().ToString();
}

TEST(DirLockTest, LockIsReleasedWhenTheHolderGoesAway) {
  stemedb::testing::TempDir dir;
  {
    auto lock = DirLock::Acquire(*Env::Default(), dir.path());
    ASSERT_TRUE(lock.ok());
    EXPECT_FALSE(DirLock::Acquire(*Env::Default(), dir.path()).ok());
  }
  EXPECT_TRUE(DirLock::Acquire(*Env::Default(), dir.path()).ok());
}

}  // namespace
}  // namespace stemedb::wal

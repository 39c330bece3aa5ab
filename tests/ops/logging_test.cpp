// Logging set-up reports an unusable log file as a Status naming log.file; nothing throws.
#include "stemedb/ops/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdio>

#include "support/process.h"
#include "support/temp_dir.h"

namespace stemedb::ops {
namespace {

TEST(LoggingTest, UnopenableLogFileIsAStatusNamingTheKey) {
  auto before = spdlog::default_logger();
  Status s = ConfigureLogging({.level = "info", .format = "text", .file = "/nonexistent/dir/api.log"});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("log.file: cannot open /nonexistent/dir/api.log"), std::string::npos) << s.message();
  EXPECT_EQ(spdlog::default_logger(), before) << "the logger in place stays";
}

TEST(LoggingTest, ReopenAfterTheFileMovedWritesToTheNewFile) {
  auto before = spdlog::default_logger();
  stemedb::testing::TempDir dir;
  const std::string logs = dir.Sub("logs");
  ASSERT_EQ(::mkdir(logs.c_str(), 0755), 0);
  const std::string path = logs + "/api.log";
  ASSERT_TRUE(ConfigureLogging({.level = "info", .format = "text", .file = path}).ok());
  spdlog::info("before rotation");
  ASSERT_EQ(std::rename(path.c_str(), (path + ".1").c_str()), 0);
  ASSERT_TRUE(ReopenLogFile().ok());
  spdlog::info("after rotation");
  spdlog::default_logger()->flush();
  EXPECT_NE(stemedb::testing::ReadFile(path + ".1").find("before rotation"), std::string::npos);
  EXPECT_NE(stemedb::testing::ReadFile(path).find("after rotation"), std::string::npos);
  // The directory is gone: reopening fails with the reason, and logging goes on to the old file.
  const std::string moved = dir.Sub("gone");
  ASSERT_EQ(std::rename(logs.c_str(), moved.c_str()), 0);
  Status s = ReopenLogFile();
  EXPECT_NE(s.message().find("cannot open " + path), std::string::npos) << s.ToString();
  spdlog::info("after a failed reopen");
  spdlog::default_logger()->flush();
  EXPECT_NE(stemedb::testing::ReadFile(moved + "/api.log").find("after a failed reopen"), std::string::npos);
  spdlog::set_default_logger(before);
}

}  // namespace
}  // namespace stemedb::ops

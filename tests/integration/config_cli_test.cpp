// stemedb-api's command line and configuration, run as operators run it.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "support/daemon.h"
#include "support/process.h"

namespace stemedb::testing {
namespace {

TEST(ConfigCliTest, VersionAndHelpListEveryOption) {
  auto v = RunApi({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("stemedb-api 0."), std::string::npos) << v.out;
  auto h = RunApi({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  for (const char* flag : {"--config", "--check-config", "--version", "--server-bind", "--bind", "--data-dir",
                           "--wal-segment-size-mb", "--wal-log-fsync-errors", "--rate-limit-max-inflight",
                           "--signatures-skip-unsafe", "--log-format", "--server-shutdown-grace-s"}) {
    EXPECT_NE(h.out.find(flag), std::string::npos) << flag;
  }
}

TEST(ConfigCliTest, CheckConfigPrintsEffectiveConfigWithSecretsMasked) {
  TempDir dir;
  WriteFile(dir.Sub("api.toml"), "[wal]\nsegment_size_mb = 16\n");
  auto r = RunApi({"--config", dir.Sub("api.toml"), "--check-config", "--server-threads", "3"},
                  {"STEMEDB_ROOT_API_KEY=hunter2", "STEMEDB_LOG_LEVEL=warn"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("segment_size_mb = 16  # file " + dir.Sub("api.toml")), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("threads = 3  # flag --server-threads"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("level = \"warn\"  # env STEMEDB_LOG_LEVEL"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos);
}

TEST(ConfigCliTest, WrongKeyStopsStartUp) {
  TempDir dir;
  WriteFile(dir.Sub("api.toml"), "[server]\nbind_addr = \"127.0.0.1:1\"\n");
  auto r = RunApi({"--config", dir.Sub("api.toml"), "--data-dir", dir.Sub("d")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("unknown key server.bind_addr"), std::string::npos) << r.out;
}

TEST(ConfigCliTest, BadValueStopsStartUp) {
  TempDir dir;
  auto from_env = RunApi({"--data-dir", dir.Sub("d")}, {"STEMEDB_SERVER_READ_TIMEOUT_MS=soon"});
  EXPECT_NE(from_env.exit_code, 0);
  EXPECT_NE(from_env.out.find("server.read_timeout_ms (from env STEMEDB_SERVER_READ_TIMEOUT_MS): 'soon' is not an integer"),
            std::string::npos)
      << from_env.out;
  auto from_flag = RunApi({"--data-dir", dir.Sub("d"), "--wal-segment-size-mb", "0"});
  EXPECT_NE(from_flag.exit_code, 0);
  EXPECT_NE(from_flag.out.find("wal.segment_size_mb (from flag --wal-segment-size-mb)"), std::string::npos)
      << from_flag.out;
}

TEST(ConfigCliTest, UnknownFlagStopsStartUp) {
  auto r = RunApi({"--wal-segment-size", "3"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("--wal-segment-size"), std::string::npos) << r.out;
}

TEST(ConfigCliTest, UnreadableConfigFileStopsStartUp) {
  TempDir dir;
  auto missing = RunApi({"--config", dir.Sub("missing.toml")});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.out.find("cannot read config file " + dir.Sub("missing.toml")), std::string::npos) << missing.out;
  if (geteuid() != 0) {  // root reads anything; a directory is unreadable as a file for everyone
    WriteFile(dir.Sub("secret.toml"), "[server]\n");
    chmod(dir.Sub("secret.toml").c_str(), 0);
    auto denied = RunApi({"--config", dir.Sub("secret.toml")});
    EXPECT_NE(denied.exit_code, 0);
  }
  auto is_dir = RunApi({"--config", dir.path()});
  EXPECT_NE(is_dir.exit_code, 0);
  EXPECT_NE(is_dir.out.find(dir.path()), std::string::npos) << is_dir.out;
}

TEST(ConfigCliTest, SkippingSignaturesWithAuthOnIsRefused) {
  auto r = RunApi({"--check-config"}, {"STEMEDB_UNSAFE_SKIP_SIGNATURES=true"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("skip_unsafe"), std::string::npos) << r.out;
}

// A group commit smaller than the largest body the server takes would start, then answer that
// body with a 500 at write time: start-up refuses it, naming both keys.
TEST(ConfigCliTest, WalBatchBelowTheBodyLimitStopsStartUp) {
  auto r = RunApi({"--check-config", "--wal-max-batch-bytes", "65536"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("wal.max_batch_bytes (65536) is below server.max_body_bytes (1048576)"), std::string::npos)
      << r.out;
  auto fits = RunApi({"--check-config", "--wal-max-batch-bytes", "131072"}, {"STEMEDB_SERVER_MAX_BODY_BYTES=65536"});
  EXPECT_EQ(fits.exit_code, 0) << fits.out;
}

TEST(ConfigCliTest, PortInUseStopsStartUpWithAClearMessage) {
  Daemon first;
  TempDir dir;
  auto r = RunApi({"--bind", "127.0.0.1:" + std::to_string(first.port()), "--data-dir", dir.Sub("d")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())), std::string::npos) << r.out;
}

TEST(ConfigCliTest, JsonLogFormatWritesJsonLines) {
  TempDir dir;
  Daemon d({.args = {"--log-format", "json"}, .log_file = dir.Sub("api.log")});
  d.Stop();
  std::string log = ReadFile(dir.Sub("api.log"));
  ASSERT_FALSE(log.empty());
  std::string first_line = log.substr(0, log.find('\n'));
  auto j = nlohmann::json::parse(first_line);
  EXPECT_TRUE(j.contains("ts"));
  EXPECT_TRUE(j.contains("level"));
  EXPECT_TRUE(j.contains("msg"));
}

}  // namespace
}  // namespace stemedb::testing

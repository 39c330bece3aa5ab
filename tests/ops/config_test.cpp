#include "stemedb/ops/config.h"

#include <gtest/gtest.h>

#include "support/process.h"
#include "support/temp_dir.h"

namespace stemedb::ops {
namespace {

using stemedb::testing::ReadFile;
using stemedb::testing::TempDir;
using stemedb::testing::WriteFile;

// The message of a failed step ("" when it succeeded): every config error is a Status.
std::string ErrorOf(const Status& s) { return s.ok() ? "" : s.message(); }
template <typename T>
std::string ErrorOf(const Result<T>& r) {
  return ErrorOf(r.status());
}

Config MustFinish(ConfigLoader& loader) {
  Result<Config> c = loader.Finish();
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : Config{};
}

TEST(ConfigTest, DefaultsAreValid) {
  ConfigLoader loader;
  Config c = MustFinish(loader);
  EXPECT_EQ(c.server.bind, "127.0.0.1:18180");
  EXPECT_EQ(c.WalDir(), "/var/lib/stemedb/wal");
  EXPECT_EQ(c.RootKeyFile(), "/var/lib/stemedb/root.key");
  EXPECT_EQ(loader.origin().by_key.at("wal.segment_size_mb"), "default");
}

TEST(ConfigTest, PrecedenceIsFlagsOverEnvOverFileOverDefaults) {
  TempDir dir;
  WriteFile(dir.Sub("api.toml"),
            "[wal]\nsegment_size_mb = 8\nlog_fsync_errors = true\n[server]\nthreads = 3\nidle_timeout_s = 7\n");
  ConfigLoader loader;
  ASSERT_TRUE(loader.LoadFile(dir.Sub("api.toml")).ok());
  ASSERT_TRUE(loader.LoadEnvironment({"STEMEDB_SERVER_THREADS=5", "STEMEDB_SERVER_IDLE_TIMEOUT_S=9", "PATH=/bin"}).ok());
  ASSERT_TRUE(loader.SetFromFlag("server.threads", "6", "--server-threads").ok());
  Config c = MustFinish(loader);
  EXPECT_EQ(c.wal.segment_size_mb, 8);       // file
  EXPECT_TRUE(c.wal.log_fsync_errors);       // file
  EXPECT_EQ(c.server.idle_timeout_s, 9);     // env over file
  EXPECT_EQ(c.server.threads, 6);            // flag over env
  EXPECT_EQ(loader.origin().by_key.at("server.threads"), "flag --server-threads");
  EXPECT_EQ(loader.origin().by_key.at("server.idle_timeout_s"), "env STEMEDB_SERVER_IDLE_TIMEOUT_S");
}

TEST(ConfigTest, ShortEnvironmentNamesAndCanonicalNameWins) {
  ConfigLoader loader;
  ASSERT_TRUE(loader
                  .LoadEnvironment({"STEMEDB_BIND_ADDR=0.0.0.0:9000", "STEMEDB_DATA_DIR=/srv/x",
                                    "STEMEDB_LOG_LEVEL=debug", "STEMEDB_AUTH_MODE=all", "STEMEDB_LOG_LEVEL=debug",
                                    "STEMEDB_SERVER_BIND=0.0.0.0:9001"})
                  .ok());
  Config c = MustFinish(loader);
  EXPECT_EQ(c.server.bind, "0.0.0.0:9001");
  EXPECT_EQ(c.storage.data_dir, "/srv/x");
  EXPECT_EQ(c.WalDir(), "/srv/x/wal");
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.auth.mode, "all");
}

TEST(ConfigTest, UnknownFileKeyIsAnErrorWithSuggestion) {
  TempDir dir;
  WriteFile(dir.Sub("api.toml"), "[wal]\nsegment_size = 8\n");
  ConfigLoader loader;
  std::string err = ErrorOf(loader.LoadFile(dir.Sub("api.toml")));
  EXPECT_NE(err.find("unknown key wal.segment_size"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean wal.segment_size_mb?"), std::string::npos) << err;
}

TEST(ConfigTest, UnknownSectionIsAnError) {
  TempDir dir;
  WriteFile(dir.Sub("api.toml"), "[walz]\ndir = \"/x\"\n");
  ConfigLoader loader;
  EXPECT_NE(ErrorOf(loader.LoadFile(dir.Sub("api.toml"))).find("unknown key walz.dir"), std::string::npos);
}

TEST(ConfigTest, BadValuesNameKeyAndSource) {
  struct Case {
    std::string env;
    std::string expect;
  } cases[] = {
      {"STEMEDB_WAL_SEGMENT_SIZE_MB=0", "wal.segment_size_mb (from env STEMEDB_WAL_SEGMENT_SIZE_MB): '0' is out of range"},
      {"STEMEDB_WAL_SEGMENT_SIZE_MB=8x", "'8x' is not an integer"},
      {"STEMEDB_RATE_LIMIT_READ_RPS=nan", "'nan' is not a finite number"},
      {"STEMEDB_RATE_LIMIT_READ_RPS=inf", "is not"},
      {"STEMEDB_WAL_LOG_FSYNC_ERRORS=maybe", "'maybe' is not a boolean"},
      {"STEMEDB_AUTH_MODE=everyone", "'everyone' is not one of: off, admin, all"},
      {"STEMEDB_LOG_FORMAT=xml", "log.format"},
      {"STEMEDB_SERVER_THREADS=-1", "out of range"},
  };
  for (const auto& c : cases) {
    ConfigLoader loader;
    std::string err = ErrorOf(loader.LoadEnvironment({c.env}));
    EXPECT_NE(err.find(c.expect), std::string::npos) << c.env << " -> " << err;
  }
}

TEST(ConfigTest, FileValueOfWrongTypeIsAnError) {
  TempDir dir;
  WriteFile(dir.Sub("api.toml"), "[server]\nthreads = \"four\"\n");
  ConfigLoader loader;
  EXPECT_NE(ErrorOf(loader.LoadFile(dir.Sub("api.toml"))).find("server.threads (from file"),
            std::string::npos);
}

TEST(ConfigTest, SyntaxErrorNamesLine) {
  TempDir dir;
  WriteFile(dir.Sub("api.toml"), "[server]\nthreads = = 4\n");
  ConfigLoader loader;
  std::string err = ErrorOf(loader.LoadFile(dir.Sub("api.toml")));
  EXPECT_NE(err.find("api.toml:2:"), std::string::npos) << err;
}

TEST(ConfigTest, UnreadableFileIsAnError) {
  ConfigLoader loader;
  std::string err = ErrorOf(loader.LoadFile("/nonexistent/api.toml"));
  EXPECT_NE(err.find("cannot read config file /nonexistent/api.toml"), std::string::npos) << err;
}

TEST(ConfigTest, CrossKeyChecks) {
  {
    ConfigLoader loader;
    ASSERT_TRUE(loader.LoadEnvironment({"STEMEDB_TLS_CERT_FILE=/x.pem"}).ok());
    EXPECT_NE(ErrorOf(loader.Finish()).find("tls.cert_file and tls.key_file"), std::string::npos);
  }
  {
    ConfigLoader loader;
    ASSERT_TRUE(loader.LoadEnvironment({"STEMEDB_UNSAFE_SKIP_SIGNATURES=true"}).ok());
    EXPECT_NE(ErrorOf(loader.Finish()).find("skip_unsafe"), std::string::npos);
  }
  {
    ConfigLoader loader;
    ASSERT_TRUE(loader.LoadEnvironment({"STEMEDB_UNSAFE_SKIP_SIGNATURES=true", "STEMEDB_AUTH_MODE=off"}).ok());
    EXPECT_TRUE(MustFinish(loader).signatures.skip_unsafe);
  }
  {
    ConfigLoader loader;
    ASSERT_TRUE(loader.LoadEnvironment({"STEMEDB_BIND_ADDR=localhost"}).ok());
    EXPECT_NE(ErrorOf(loader.Finish()).find("must be host:port"), std::string::npos);
  }
}

TEST(ConfigTest, BadBindAddressIsAStatusNamingServerBind) {
  EXPECT_EQ(ErrorOf(ParseBindAddress("localhost")), "config: server.bind 'localhost' must be host:port");
  EXPECT_NE(ErrorOf(ParseBindAddress("[::1]:70000")).find("port must be 0..65535"), std::string::npos);
  Result<BindAddress> v6 = ParseBindAddress("[::1]:8080");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8080);
}

// One append carries one request's records: a batch cap below the body limit would pass
// start-up and then answer the largest bodies with a 500 at write time.
TEST(ConfigTest, WalBatchBelowTheLargestBodyIsRefusedNamingBothKeys) {
  {
    ConfigLoader loader;  // 1 MiB bodies (the default) into 64 KiB batches
    ASSERT_TRUE(loader.LoadEnvironment({"STEMEDB_WAL_MAX_BATCH_BYTES=65536"}).ok());
    std::string err = ErrorOf(loader.Finish());
    EXPECT_NE(err.find("wal.max_batch_bytes (65536) is below server.max_body_bytes (1048576)"), std::string::npos)
        << err;
    EXPECT_NE(err.find("at least " + std::to_string(1048576 + kWalRequestOverheadBytes)), std::string::npos) << err;
  }
  {
    ConfigLoader loader;  // exactly the body plus the framing is enough
    ASSERT_TRUE(loader
                    .LoadEnvironment({"STEMEDB_SERVER_MAX_BODY_BYTES=1048576",
                                      "STEMEDB_WAL_MAX_BATCH_BYTES=" + std::to_string(1048576 + kWalRequestOverheadBytes)})
                    .ok());
    EXPECT_TRUE(loader.Finish().ok());
  }
  {
    ConfigLoader loader;  // a smaller body limit makes a small batch cap fine
    ASSERT_TRUE(loader.LoadEnvironment({"STEMEDB_SERVER_MAX_BODY_BYTES=65536", "STEMEDB_WAL_MAX_BATCH_BYTES=131072"}).ok());
    EXPECT_TRUE(loader.Finish().ok());
  }
}

TEST(ConfigTest, UnknownEnvironmentVariablesWarnButClientVariablesDoNot) {
  ConfigLoader loader;
  auto warnings = loader.LoadEnvironment({"STEMEDB_URL=http://x", "STEMEDB_WAL_SEGMENTSIZE_MB=3"});
  ASSERT_TRUE(warnings.ok());
  ASSERT_EQ(warnings->size(), 1u);
  EXPECT_NE((*warnings)[0].find("STEMEDB_WAL_SEGMENTSIZE_MB"), std::string::npos);
}

TEST(ConfigTest, RenderMasksSecrets) {
  ConfigLoader loader;
  ASSERT_TRUE(loader.LoadEnvironment({"STEMEDB_ROOT_API_KEY=supersecret"}).ok());
  Config c = MustFinish(loader);
  std::string out = RenderConfig(c, loader.origin());
  EXPECT_EQ(out.find("supersecret"), std::string::npos);
  EXPECT_NE(out.find("root_api_key = \"********\"  # env STEMEDB_ROOT_API_KEY"), std::string::npos) << out;
}

// Found by the config fuzz target (docs/fuzzing.md): a control character in a value set through
// the environment made --check-config print TOML that does not load.
TEST(ConfigTest, RenderedConfigLoadsBackWithControlCharacters) {
  ConfigLoader loader;
  ASSERT_TRUE(loader.LoadEnvironment({"STEMEDB_LOG_FILE=/var/log/a\tb\x01\x7f\"q\\.log", "STEMEDB_DATA_DIR=/srv/x\ny"}).ok());
  const Config c = MustFinish(loader);
  const std::string rendered = RenderConfig(c, loader.origin());
  EXPECT_NE(rendered.find(R"(file = "/var/log/a\u0009b\u0001\u007F\"q\\.log")"), std::string::npos) << rendered;

  TempDir dir;
  WriteFile(dir.Sub("rendered.toml"), rendered);
  ConfigLoader again;
  ASSERT_TRUE(again.LoadFile(dir.Sub("rendered.toml")).ok());
  const Config reloaded = MustFinish(again);
  EXPECT_EQ(reloaded.log.file, c.log.file);
  EXPECT_EQ(reloaded.storage.data_dir, "/srv/x\ny");
}

TEST(ConfigTest, EveryOperationsKeyExists) {
  // operations.md, "Sections and keys": these names are promised to operators.
  const char* keys[] = {
      "server.bind", "server.threads", "server.max_connections", "server.max_body_bytes",
      "server.read_timeout_ms", "server.idle_timeout_s", "server.shutdown_grace_s", "tls.cert_file",
      "tls.key_file", "storage.data_dir", "storage.memory_tier_mb", "storage.cache_mb", "wal.dir",
      "wal.segment_size_mb", "wal.max_batch_bytes", "wal.queue_bytes", "wal.log_fsync_errors",
      "wal.retention", "auth.mode", "auth.root_key_file", "rate_limit.enabled", "rate_limit.write_rps",
      "rate_limit.write_burst", "rate_limit.read_rps", "rate_limit.read_burst", "rate_limit.admin_rps",
      "rate_limit.max_clients", "rate_limit.max_inflight", "signatures.skip_unsafe", "log.level",
      "log.format", "log.file"};
  for (const char* k : keys) {
    bool found = false;
    for (const auto& spec : ConfigKeys()) found = found || spec.Dotted() == k;
    EXPECT_TRUE(found) << k;
  }
}

TEST(ConfigTest, ShippedEnvExampleMatchesDefaults) {
  EXPECT_EQ(ReadFile(std::string(STEMEDB_SOURCE_DIR) + "/.env.example"), RenderEnvExample())
      << "regenerate with: stemedb-api --print-env-example > .env.example";
}

}  // namespace
}  // namespace stemedb::ops

// scripts/backup.sh, restore.sh and wal-archive.sh against a live daemon: the s3:// path through
// a stand-in aws CLI that records its arguments (tests/opskit/aws-stub.sh), the file:// path for
// real, archive damage --verify must catch, the targets restore.sh must refuse, and WAL archival
// run twice at once.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "support/daemon.h"
#include "support/ops_scripts.h"

namespace stemedb::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The JSON line backup.sh prints on stdout.
json BackupResult(const ProcessResult& r) {
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("{\"archive\"", 0) == 0) return json::parse(line);
  }
  ADD_FAILURE() << "no result line in:\n" << r.out;
  return json::object();
}

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// A daemon with a few writes and sealed segments, and the arguments every script needs for it.
class ScriptsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<Daemon>(DaemonOptions{.args = {"--rate-limit-enabled", "false"}});
    conn_ = daemon_->Connect();
    Write("scripts/first", 10);
  }
  void Write(const std::string& subject, int n) {
    for (int i = 0; i < n; ++i) ids_.push_back(PostAssertion(*conn_, subject, std::to_string(i)));
  }
  void Rotate() {
    auto r = conn_->Post("/v1/admin/wal/rotate", "", {{"X-API-Key", ReadRootKey(daemon_->data_dir())}});
    ASSERT_EQ(r->status, 200) << r->body;
  }
  std::string KeyFile() const { return daemon_->data_dir() + "/root.key"; }
  std::string WalDir() const { return daemon_->data_dir() + "/wal"; }
  std::vector<std::string> Live() const { return {"--url", daemon_->url(), "--api-key-file", KeyFile()}; }
  ProcessResult Backup(const std::string& target, std::vector<std::string> extra = {},
                       std::vector<std::string> env = {}) {
    std::vector<std::string> args = Live();
    args.insert(args.end(), {"--checkpoint-dir", dir_.Sub("checkpoints"), "--target", target});
    args.insert(args.end(), extra.begin(), extra.end());
    return RunScript("backup.sh", args, std::move(env));
  }
  // A daemon on a restored data directory must answer every write made so far.
  void ExpectRestored(const std::string& data_dir) {
    Daemon restored({.data_dir = data_dir});
    auto c = restored.Connect();
    for (const auto& id : ids_) EXPECT_EQ(c->Get("/v1/assertions/" + id)->status, 200) << id;
    EXPECT_EQ(json::parse(c->Get("/v1/health")->body)["assertions_count"], ids_.size());
  }

  TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<client::HttpConnection> conn_;
  std::vector<std::string> ids_;
};

TEST(ScriptsHelpTest, EveryScriptHasHelpAndRefusesUnknownArguments) {
  for (const char* script : {"backup.sh", "restore.sh", "wal-archive.sh", "dr-drill.sh"}) {
    ProcessResult help = RunScript(script, {"--help"});
    EXPECT_EQ(help.exit_code, 0) << script << help.out;
    EXPECT_NE(help.out.find("Usage: " + std::string(script)), std::string::npos) << help.out;
    EXPECT_NE(help.out.find("Exit codes:"), std::string::npos) << help.out;
    ProcessResult bad = RunScript(script, {"--no-such-option"});
    EXPECT_EQ(bad.exit_code, 2) << script << bad.out;
    EXPECT_NE(bad.out.find("--no-such-option"), std::string::npos) << bad.out;
  }
  ProcessResult missing = RunScript("backup.sh", {"--target"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("--target needs a value"), std::string::npos) << missing.out;
  ProcessResult bad_target = RunScript("backup.sh", {"--target", "ftp://x"});
  EXPECT_EQ(bad_target.exit_code, 2);
  EXPECT_NE(bad_target.out.find("file:///DIR or s3://BUCKET/PREFIX"), std::string::npos) << bad_target.out;
}

TEST_F(ScriptsTest, BackupFailsClearlyWithoutKeyOrDaemon) {
  ProcessResult no_key = RunScript("backup.sh", {"--url", daemon_->url(), "--api-key-file", dir_.Sub("absent.key"),
                                                 "--target", "file://" + dir_.Sub("b")});
  EXPECT_EQ(no_key.exit_code, 1);
  EXPECT_NE(no_key.out.find("no admin API key"), std::string::npos) << no_key.out;
  ProcessResult wrong_key = RunScript("backup.sh", {"--url", daemon_->url(), "--checkpoint-dir", dir_.Sub("cp"),
                                                    "--target", "file://" + dir_.Sub("b")},
                                      {"STEMEDB_API_KEY=not-the-key"});
  EXPECT_EQ(wrong_key.exit_code, 1);
  EXPECT_NE(wrong_key.out.find("answered HTTP 401"), std::string::npos) << wrong_key.out;
  ProcessResult no_daemon = RunScript("backup.sh", {"--url", "http://127.0.0.1:1", "--api-key-file", KeyFile(),
                                                    "--checkpoint-dir", dir_.Sub("cp"), "--target", "file://" + dir_.Sub("b")});
  EXPECT_EQ(no_daemon.exit_code, 1);
  EXPECT_NE(no_daemon.out.find("does not answer"), std::string::npos) << no_daemon.out;
  EXPECT_FALSE(fs::exists(dir_.Sub("b")));
}

TEST_F(ScriptsTest, FileTargetBackupVerifyAndRestore) {
  ProcessResult backup = Backup("file://" + dir_.Sub("backups"));
  ASSERT_EQ(backup.exit_code, 0) << backup.out;
  const json result = BackupResult(backup);
  const std::string name = result["name"];
  EXPECT_EQ(result["archive"], "file://" + dir_.Sub("backups/" + name + ".tar.gz"));
  EXPECT_EQ(result["assertions"], 10);
  EXPECT_TRUE(fs::exists(dir_.Sub("backups/" + name + ".tar.gz.sha256")));
  // The daemon's checkpoint directory is gone once packed.
  EXPECT_TRUE(fs::is_empty(dir_.Sub("checkpoints")));

  // metadata.json: version, time, counts, the WAL range.
  ASSERT_EQ(RunProcess({"tar", "-xzf", dir_.Sub("backups/" + name + ".tar.gz"), "-C", dir_.path()}).exit_code, 0);
  const json meta = json::parse(ReadFile(dir_.Sub(name + "/metadata.json")));
  EXPECT_EQ(meta["format"], "stemedb-backup");
  EXPECT_EQ(meta["format_version"], 1);
  EXPECT_FALSE(meta["stemedb_version"].get<std::string>().empty());
  EXPECT_TRUE(std::regex_match(meta["created_at"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  EXPECT_EQ(meta["assertions_count"], 10);
  EXPECT_EQ(meta["wal"]["to_seq"], 10);
  EXPECT_FALSE(meta["wal"]["segments"].empty());
  EXPECT_NE(ReadFile(dir_.Sub(name + "/manifest.sha256")).find("  data/wal/segment.001.wal\n"), std::string::npos);

  ProcessResult verify = RunScript("backup.sh", {"--verify", result["archive"]});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_NE(verify.out.find("10 assertions"), std::string::npos) << verify.out;

  ProcessResult restore = RunScript("restore.sh", {result["archive"], "--data-dir", dir_.Sub("restored")});
  ASSERT_EQ(restore.exit_code, 0) << restore.out;
  EXPECT_TRUE(fs::exists(dir_.Sub("restored/restored-from.json")));
  ExpectRestored(dir_.Sub("restored"));
}

TEST_F(ScriptsTest, S3TargetGoesThroughAwsS3CpWithTheEndpoint) {
  const std::string bin = dir_.Sub("bin");
  fs::create_directories(bin);
  fs::create_symlink(std::string(STEMEDB_SOURCE_DIR) + "/tests/opskit/aws-stub.sh", bin + "/aws");
  const std::string log = dir_.Sub("aws.log");
  const std::string root = dir_.Sub("s3");
  const std::vector<std::string> env = {"PATH=" + bin + ":" + std::getenv("PATH"), "AWS_STUB_LOG=" + log,
                                        "AWS_STUB_ROOT=" + root};
  const std::string endpoint = "http://s3.test:9000";

  ProcessResult backup = Backup("s3://bucket/stemedb/backups/", {"--endpoint-url", endpoint}, env);
  ASSERT_EQ(backup.exit_code, 0) << backup.out;
  const json result = BackupResult(backup);
  const std::string name = result["name"];
  EXPECT_EQ(result["archive"], "s3://bucket/stemedb/backups/" + name + ".tar.gz");
  EXPECT_TRUE(fs::exists(root + "/bucket/stemedb/backups/" + name + ".tar.gz"));
  const std::string calls = ReadFile(log);
  EXPECT_TRUE(std::regex_search(calls, std::regex("^--endpoint-url " + endpoint + " s3 cp --only-show-errors -- /\\S+/" +
                                                      name + "\\.tar\\.gz s3://bucket/stemedb/backups/" + name + "\\.tar\\.gz$",
                                                  std::regex::multiline)))
      << calls;
  EXPECT_NE(calls.find(" s3://bucket/stemedb/backups/" + name + ".tar.gz.sha256\n"), std::string::npos) << calls;

  // --verify downloads through the CLI too; AWS_ENDPOINT_URL alone names the endpoint.
  std::vector<std::string> env_endpoint = env;
  env_endpoint.push_back("AWS_ENDPOINT_URL=" + endpoint);
  ProcessResult verify = RunScript("backup.sh", {"--verify", result["archive"]}, env_endpoint);
  EXPECT_EQ(verify.exit_code, 0) << verify.out;

  // WAL archival to S3, then a standby from the newest backup plus the archived segments.
  Write("scripts/after-backup", 5);
  ProcessResult archive = RunScript("wal-archive.sh", {"--target", "s3://bucket/stemedb/wal", "--wal-dir", WalDir(),
                                                       "--url", daemon_->url(), "--api-key-file", KeyFile(),
                                                       "--endpoint-url", endpoint},
                                    env);
  ASSERT_EQ(archive.exit_code, 0) << archive.out;
  EXPECT_TRUE(fs::exists(root + "/bucket/stemedb/wal/segment.001.wal.sha256"));
  ProcessResult restore = RunScript("restore.sh", {"--latest", "s3://bucket/stemedb/backups", "--wal-archive",
                                                   "s3://bucket/stemedb/wal", "--endpoint-url", endpoint,
                                                   "--data-dir", dir_.Sub("standby")},
                                    env);
  ASSERT_EQ(restore.exit_code, 0) << restore.out;
  EXPECT_NE(restore.out.find("newest backup in s3://bucket/stemedb/backups: " + name + ".tar.gz"), std::string::npos);
  ExpectRestored(dir_.Sub("standby"));
  for (const std::string& line : {std::string("s3 ls s3://bucket/stemedb/backups/"), std::string("s3 ls s3://bucket/stemedb/wal/")}) {
    EXPECT_NE(ReadFile(log).find("--endpoint-url " + endpoint + " " + line), std::string::npos) << line;
  }
  // Every call named the endpoint.
  std::istringstream lines(ReadFile(log));
  for (std::string line; std::getline(lines, line);) EXPECT_EQ(line.rfind("--endpoint-url " + endpoint + " s3 ", 0), 0u) << line;
}

TEST_F(ScriptsTest, VerifyCatchesDamage) {
  ProcessResult backup = Backup("file://" + dir_.Sub("backups"));
  ASSERT_EQ(backup.exit_code, 0) << backup.out;
  const std::string name = BackupResult(backup)["name"];
  const std::string archive = dir_.Sub("backups/" + name + ".tar.gz");

  // Repacks the archive after `damage` changed its unpacked copy; returns --verify's result.
  auto verify_damaged = [&](const std::string& label, const std::function<void(const std::string& top)>& damage) {
    const std::string work = dir_.Sub("damage-" + label);
    fs::create_directories(work);
    EXPECT_EQ(RunProcess({"tar", "-xzf", archive, "-C", work}).exit_code, 0);
    damage(work + "/" + name);
    const std::string damaged = dir_.Sub(label + ".tar.gz");
    EXPECT_EQ(RunProcess({"tar", "-czf", damaged, "-C", work, name}).exit_code, 0);
    return RunScript("backup.sh", {"--verify", damaged});
  };
  ProcessResult flipped = verify_damaged("flipped", [](const std::string& top) {
    std::string seg = ReadFile(top + "/data/wal/segment.001.wal");
    seg[seg.size() / 2] ^= 0x01;
    WriteFile(top + "/data/wal/segment.001.wal", seg);
  });
  EXPECT_EQ(flipped.exit_code, 1);
  EXPECT_NE(flipped.out.find("manifest check failed"), std::string::npos) << flipped.out;
  EXPECT_NE(flipped.out.find("data/wal/segment.001.wal: FAILED"), std::string::npos) << flipped.out;

  ProcessResult extra = verify_damaged("extra", [](const std::string& top) { WriteFile(top + "/data/rocksdb/EXTRA", "x"); });
  EXPECT_EQ(extra.exit_code, 1);
  EXPECT_NE(extra.out.find("files not in the manifest: data/rocksdb/EXTRA"), std::string::npos) << extra.out;

  ProcessResult missing = verify_damaged("missing", [](const std::string& top) { fs::remove(top + "/data/rocksdb/CURRENT"); });
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("data/rocksdb/CURRENT"), std::string::npos) << missing.out;

  ProcessResult metadata = verify_damaged("metadata", [](const std::string& top) {
    json meta = json::parse(ReadFile(top + "/metadata.json"));
    meta["format_version"] = 99;
    WriteFile(top + "/metadata.json", meta.dump());
  });
  EXPECT_EQ(metadata.exit_code, 1);
  EXPECT_NE(metadata.out.find("archive format version 99"), std::string::npos) << metadata.out;

  // The sidecar is checked before anything is unpacked.
  fs::copy_file(archive, dir_.Sub("sidecar.tar.gz"));
  WriteFile(dir_.Sub("sidecar.tar.gz.sha256"), std::string(64, '0') + "  sidecar.tar.gz\n");
  ProcessResult sidecar = RunScript("backup.sh", {"--verify", dir_.Sub("sidecar.tar.gz")});
  EXPECT_EQ(sidecar.exit_code, 1);
  EXPECT_NE(sidecar.out.find("checksum mismatch"), std::string::npos) << sidecar.out;

  WriteFile(dir_.Sub("garbage.tar.gz"), "not an archive");
  ProcessResult garbage = RunScript("backup.sh", {"--verify", dir_.Sub("garbage.tar.gz")});
  EXPECT_EQ(garbage.exit_code, 1);
  EXPECT_NE(garbage.out.find("not a readable .tar.gz archive"), std::string::npos) << garbage.out;
}

TEST_F(ScriptsTest, RestoreRefusesNonEmptyAndLiveTargets) {
  ProcessResult backup = Backup("file://" + dir_.Sub("backups"));
  ASSERT_EQ(backup.exit_code, 0) << backup.out;
  const std::string archive = BackupResult(backup)["archive"];

  fs::create_directories(dir_.Sub("occupied"));
  WriteFile(dir_.Sub("occupied/precious"), "keep me");
  ProcessResult refused = RunScript("restore.sh", {archive, "--data-dir", dir_.Sub("occupied")});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find("is not empty"), std::string::npos) << refused.out;
  EXPECT_EQ(ReadFile(dir_.Sub("occupied/precious")), "keep me");

  // A running daemon's directory is refused even with --force, and the daemon is untouched.
  ProcessResult live = RunScript("restore.sh", {archive, "--data-dir", daemon_->data_dir(), "--force"});
  EXPECT_EQ(live.exit_code, 1);
  EXPECT_NE(live.out.find("a stemedb-api is running on"), std::string::npos) << live.out;
  EXPECT_EQ(conn_->Get("/v1/assertions/" + ids_[0])->status, 200);

  // A damaged archive deletes nothing, even with --force.
  WriteFile(dir_.Sub("bad.tar.gz"), "not an archive");
  ProcessResult bad = RunScript("restore.sh", {dir_.Sub("bad.tar.gz"), "--data-dir", dir_.Sub("occupied"), "--force"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(ReadFile(dir_.Sub("occupied/precious")), "keep me");

  ProcessResult forced = RunScript("restore.sh", {archive, "--data-dir", dir_.Sub("occupied"), "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.out;
  EXPECT_FALSE(fs::exists(dir_.Sub("occupied/precious")));
  ExpectRestored(dir_.Sub("occupied"));
}

TEST_F(ScriptsTest, WalArchiveShipsEachSealedSegmentOnceWhenTwoRunsOverlap) {
  for (int i = 0; i < 3; ++i) {
    Rotate();
    Write("scripts/segment" + std::to_string(i), 5);
  }
  const std::string target = "file://" + dir_.Sub("wal-archive");
  const std::vector<std::string> argv = {ScriptPath("wal-archive.sh"), "--target", target, "--wal-dir", WalDir(), "--no-rotate"};
  const std::vector<std::string> env = {"STEMEDB_BIN_DIR=" + ToolsDir()};
  pid_t a = SpawnProcess(argv, env, dir_.Sub("a.log"));
  pid_t b = SpawnProcess(argv, env, dir_.Sub("b.log"));
  EXPECT_EQ(WaitProcess(a, std::chrono::seconds(300)), 0) << ReadFile(dir_.Sub("a.log"));
  EXPECT_EQ(WaitProcess(b, std::chrono::seconds(300)), 0) << ReadFile(dir_.Sub("b.log"));
  const std::string both = ReadFile(dir_.Sub("a.log")) + ReadFile(dir_.Sub("b.log"));
  // Three sealed segments (001..003); 004 is being written.
  for (const char* seg : {"segment.001.wal", "segment.002.wal", "segment.003.wal"}) {
    EXPECT_EQ(CountOf(both, std::string("archived ") + seg + " ("), 1u) << seg << "\n" << both;
    EXPECT_EQ(RunProcess({ToolsDir() + "/stemedb-wal-verify", "--file", dir_.Sub("wal-archive/") + seg}).exit_code, 0);
    EXPECT_EQ(ReadFile(dir_.Sub("wal-archive/") + seg), ReadFile(WalDir() + "/" + seg));
    EXPECT_TRUE(fs::exists(dir_.Sub("wal-archive/") + seg + ".sha256"));
  }
  EXPECT_FALSE(fs::exists(dir_.Sub("wal-archive/segment.004.wal")));

  ProcessResult again = RunScript("wal-archive.sh", {"--target", target, "--wal-dir", WalDir(), "--no-rotate"});
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_NE(again.out.find("0 segment(s) archived, 3 already archived"), std::string::npos) << again.out;

  // Without --no-rotate the active segment is sealed first (it holds records) and shipped.
  ProcessResult rotating = RunScript("wal-archive.sh", {"--target", target, "--wal-dir", WalDir(), "--url", daemon_->url(),
                                                        "--api-key-file", KeyFile()});
  EXPECT_EQ(rotating.exit_code, 0) << rotating.out;
  EXPECT_NE(rotating.out.find("sealed segment.004.wal"), std::string::npos) << rotating.out;
  EXPECT_TRUE(fs::exists(dir_.Sub("wal-archive/segment.004.wal.sha256")));
  // Nothing written since: the empty active segment is left alone.
  ProcessResult idle = RunScript("wal-archive.sh", {"--target", target, "--wal-dir", WalDir(), "--url", daemon_->url(),
                                                    "--api-key-file", KeyFile()});
  EXPECT_EQ(idle.exit_code, 0) << idle.out;
  EXPECT_EQ(idle.out.find("sealed segment.005.wal"), std::string::npos) << idle.out;
}

TEST_F(ScriptsTest, WalArchivePruneDeletesOnlyArchivedSegmentsBelowTheAppliedOffset) {
  for (int i = 0; i < 3; ++i) {
    Rotate();
    Write("scripts/prune" + std::to_string(i), 3);
  }
  const std::string target = "file://" + dir_.Sub("wal-archive");
  // Ship 001 and 002 only, as if 003 had not been sealed yet at that run.
  ProcessResult first = RunScript("wal-archive.sh", {"--target", target, "--wal-dir", WalDir(), "--no-rotate"});
  ASSERT_EQ(first.exit_code, 0) << first.out;
  fs::remove(daemon_->data_dir() + "/wal-archive/segment.003.wal.archived");
  fs::remove(dir_.Sub("wal-archive/segment.003.wal"));
  fs::remove(dir_.Sub("wal-archive/segment.003.wal.sha256"));
  // A drain flushes the memory tier and persists it: the applied offset reaches the head.
  const client::Headers key = {{"X-API-Key", ReadRootKey(daemon_->data_dir())}};
  ASSERT_EQ(conn_->Post("/v1/admin/node/drain", "", key)->status, 200);
  ASSERT_EQ(conn_->Post("/v1/admin/node/undrain", "", key)->status, 200);

  ProcessResult prune = RunScript("wal-archive.sh", {"--target", target, "--wal-dir", WalDir(), "--no-rotate", "--prune",
                                                     "--url", daemon_->url(), "--api-key-file", KeyFile()});
  ASSERT_EQ(prune.exit_code, 0) << prune.out;
  // 003 was shipped by this run before the pruning, so it goes too; 004 is active.
  for (const char* seg : {"segment.001.wal", "segment.002.wal", "segment.003.wal"}) {
    EXPECT_FALSE(fs::exists(WalDir() + "/" + seg)) << seg;
    EXPECT_TRUE(fs::exists(dir_.Sub("wal-archive/") + seg)) << seg;
  }
  EXPECT_TRUE(fs::exists(WalDir() + "/segment.004.wal"));
  EXPECT_NE(prune.out.find("3 pruned"), std::string::npos) << prune.out;

  // The node still backs up, and restarts with every write.
  ProcessResult backup = Backup("file://" + dir_.Sub("backups"));
  EXPECT_EQ(backup.exit_code, 0) << backup.out;
  conn_.reset();
  ASSERT_EQ(daemon_->Stop(), 0);
  ExpectRestored(daemon_->data_dir());
}

TEST_F(ScriptsTest, WalArchiveRunThatFailsPrunesNothing) {
  Rotate();
  Write("scripts/kept", 3);
  Rotate();
  const client::Headers key = {{"X-API-Key", ReadRootKey(daemon_->data_dir())}};
  ASSERT_EQ(conn_->Post("/v1/admin/node/drain", "", key)->status, 200);
  ASSERT_EQ(conn_->Post("/v1/admin/node/undrain", "", key)->status, 200);
  // The target refuses the second segment (another timeline holds one): the run fails.
  const std::string target = "file://" + dir_.Sub("wal-archive");
  fs::create_directories(dir_.Sub("wal-archive"));
  WriteFile(dir_.Sub("wal-archive/segment.002.wal.sha256"), std::string(64, 'b') + "  segment.002.wal\n");
  ProcessResult r = RunScript("wal-archive.sh", {"--target", target, "--wal-dir", WalDir(), "--no-rotate", "--prune",
                                                 "--url", daemon_->url(), "--api-key-file", KeyFile()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  // A failed run prunes nothing.
  EXPECT_TRUE(fs::exists(WalDir() + "/segment.001.wal"));
  EXPECT_TRUE(fs::exists(WalDir() + "/segment.002.wal"));
}

TEST_F(ScriptsTest, WalArchiveStopsAtADifferentSegmentInTheArchive) {
  Rotate();
  const std::string target = "file://" + dir_.Sub("wal-archive");
  fs::create_directories(dir_.Sub("wal-archive"));
  // Another timeline already archived a different segment.001.wal here.
  WriteFile(dir_.Sub("wal-archive/segment.001.wal"), "other");
  WriteFile(dir_.Sub("wal-archive/segment.001.wal.sha256"), std::string(64, 'a') + "  segment.001.wal\n");
  ProcessResult r = RunScript("wal-archive.sh", {"--target", target, "--wal-dir", WalDir(), "--no-rotate"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("another node archives to the same target"), std::string::npos) << r.out;
  EXPECT_EQ(ReadFile(dir_.Sub("wal-archive/segment.001.wal")), "other");
}

}  // namespace
}  // namespace stemedb::testing

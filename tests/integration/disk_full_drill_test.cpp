// docs/operations/runbooks/disk-full.md walked on the real daemon, as the fsync drill walks
// wal-fsync-failure.md: ENOSPC from outside the process, then the runbook's own commands, with
// only the address and the paths changed.
//
// - libfiu (fiu-run -x, fiu-ctrl) fails every pwrite (a WAL append), every open (the creation
//   of the next segment) or every write (RocksDB's flush) with errno 28: writes answer 507
//   disk_full, readiness 503 disk_full; once the fault is lifted, writes come back without a
//   restart, and a restart finds every acknowledged write and none of the refused ones.
// - A real full file system (a 24 MiB tmpfs mounted as the data directory, root only): the
//   runbook's investigation, its "free space" steps, the wait for writes to come back, the
//   checks; then a restart while the disk is still full (refused with a clear message) and one
//   after space is freed.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/hex.h"
#include "support/daemon.h"
#include "support/ops_scripts.h"
#include "support/records.h"
#include "support/runbook.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

std::string Runbook() { return ReadRunbook("disk-full.md"); }

std::string IdOf(const std::string& subject, const std::string& text) {
  return core::IdHex(core::ContentId(SignedAssertion({.subject = subject, .text = text})));
}

// fiu-ctrl on the daemon: "enable name=posix/io/rw/pwrite,failinfo=28" or "disable name=...".
void FiuCtrl(const Daemon& d, const std::string& command) {
  ProcessResult ctrl = RunProcess({"fiu-ctrl", "-c", command, std::to_string(d.pid())});
  ASSERT_EQ(ctrl.exit_code, 0) << command << ": " << ctrl.out;
}

// Waits (at most a minute, never a timing assertion) until readiness answers `status`.
bool WaitForReadiness(client::HttpConnection& c, const std::string& status) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = c.Get("/v1/ready");
    if (r.ok() && json::parse(r->body).value("status", "") == status) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// A refused write: 507 disk_full with Retry-After.
void ExpectDiskFull(const Result<client::HttpResponse>& r) {
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 507) << r->body;
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "disk_full") << r->body;
  EXPECT_EQ(r->Header("retry-after"), "5");
}

// Readiness, /readyz and the node-state metric while the disk is full.
void ExpectNotReady(client::HttpConnection& c) {
  for (const char* path : {"/v1/ready", "/readyz"}) {
    auto ready = c.Get(path);
    ASSERT_TRUE(ready.ok());
    EXPECT_EQ(ready->status, 503) << path;
    EXPECT_EQ(json::parse(ready->body)["status"], "disk_full") << path << ": " << ready->body;
  }
  EXPECT_NE(c.Get("/metrics")->body.find("stemedb_node_state{state=\"disk_full\"} 1"), std::string::npos);
}

// After a restart (without libfiu): every acknowledged write, none of the refused ones, and
// writes taken.
void ExpectRestartFindsExactly(const std::string& data, const std::vector<std::string>& acked,
                               const std::vector<std::string>& refused) {
  Daemon d({.data_dir = data});
  auto c = d.Connect();
  for (const auto& id : acked) EXPECT_EQ(c->Get("/v1/assertions/" + id)->status, 200) << id;
  for (const auto& id : refused) EXPECT_EQ(c->Get("/v1/assertions/" + id)->status, 404) << id;
  EXPECT_EQ(json::parse(c->Get("/v1/health")->body)["assertions_count"], acked.size());
  EXPECT_FALSE(PostAssertion(*c, "disk-full/after-restart", "0").empty());
  EXPECT_EQ(d.Stop(), 0) << d.Log();
}

TEST(DiskFullRunbookTest, WalAppendEnospcUnderLibfiuHealsWithoutARestart) {
  ASSERT_TRUE(HaveProgram("fiu-run") && HaveProgram("fiu-ctrl")) << "run scripts/setup.sh (fiu-utils)";
  const std::string runbook = Runbook();
  TempDir dir;
  const std::string data = dir.Sub("data");
  std::vector<std::string> acked, refused;
  {
    Daemon d(UnderLibfiu({.args = {"--rate-limit-enabled", "false"}, .data_dir = data}));
    auto c = d.Connect();
    for (int i = 0; i < 5; ++i) acked.push_back(PostAssertion(*c, "enospc/acked", std::to_string(i)));
    FiuCtrl(d, "enable name=posix/io/rw/pwrite,failinfo=28");
    for (const char* text : {"0", "1"}) {
      ExpectDiskFull(c->Post("/v1/assert", AssertionJson("enospc/refused", text)));
      refused.push_back(IdOf("enospc/refused", text));
    }
    ExpectNotReady(*c);
    EXPECT_EQ(c->Get("/v1/assertions/" + acked[0])->status, 200) << "reads keep working";

    // The investigation block, as written.
    const RunbookPlaces places{.url = d.url(), .data_dir = data, .log_file = d.log_path()};
    ProcessResult look = RunCommands(Localized(CodeBlock(runbook, "errno=28|No space left"), places));
    EXPECT_EQ(look.exit_code, 0) << look.out;
    for (const char* expected : {"\"status\":\"disk_full\"", "stemedb_wal_state 0\n", "stemedb_node_state{state=\"disk_full\"} 1",
                                 "stemedb_wal_append_errors_total{reason=\"disk_full\"} 1", "stemedb_wal_disk_free_bytes ",
                                 "Filesystem", "WAL disk full (write error)"}) {
      EXPECT_NE(look.out.find(expected), std::string::npos) << expected << " in:\n" << look.out;
    }
    const std::string metrics = c->Get("/metrics")->body;
    EXPECT_NE(metrics.find("stemedb_wal_fsync_errors_total{segment=\"segment.001.wal\"} 0"), std::string::npos)
        << "WALFsyncFailure (restart) must not fire";
    // The log line the runbook quotes.
    EXPECT_TRUE(std::regex_search(d.Log(), std::regex(R"(WAL disk full \(write error\): segment=segment\.001\.wal byte_offset=\d+ head_offset=\d+ errno=28 \(No space left on device\); 1 appends failed, none of their bytes stay on disk; writes are refused \(507 disk_full\) until space is freed, checked every 1000 ms; no restart needed)")))
        << d.Log();

    // Space comes back: the runbook's wait, as written, then writes are taken.
    FiuCtrl(d, "disable name=posix/io/rw/pwrite");
    ProcessResult back = RunCommands(Localized(CodeBlock(runbook, "disk space is back"), places));
    EXPECT_EQ(back.exit_code, 0) << back.out;
    EXPECT_NE(back.out.find("{\"status\":\"ready\"}"), std::string::npos) << back.out;
    EXPECT_NE(back.out.find("WAL disk space is back: writes are accepted again at segment=segment.001.wal"), std::string::npos)
        << back.out;
    for (int i = 0; i < 3; ++i) acked.push_back(PostAssertion(*c, "enospc/after", std::to_string(i)));
    for (const auto& id : refused) EXPECT_EQ(c->Get("/v1/assertions/" + id)->status, 404) << id;

    // The checks, as written: every segment verifies, the WAL state is ok.
    ProcessResult check = RunCommands(Localized(CodeBlock(runbook, "stemedb-wal-verify --dir"), places));
    EXPECT_EQ(check.exit_code, 0) << check.out;
    EXPECT_NE(check.out.find("\"state\":\"ok\""), std::string::npos) << check.out;
    EXPECT_EQ(d.Stop(), 0) << d.Log();
  }
  ExpectRestartFindsExactly(data, acked, refused);
}

TEST(DiskFullRunbookTest, SegmentCreationEnospcUnderLibfiuHealsWithoutARestart) {
  ASSERT_TRUE(HaveProgram("fiu-run") && HaveProgram("fiu-ctrl")) << "run scripts/setup.sh (fiu-utils)";
  TempDir dir;
  const std::string data = dir.Sub("data");
  std::vector<std::string> acked, refused;
  {
    Daemon d(UnderLibfiu({.args = {"--rate-limit-enabled", "false"}, .data_dir = data}));
    auto c = d.Connect();
    const client::Headers admin = {{"X-API-Key", d.RootKey()}};
    for (int i = 0; i < 3; ++i) acked.push_back(PostAssertion(*c, "enospc/segment", std::to_string(i)));
    // No file can be created: the rotation seals segment.001.wal and cannot make the next one.
    FiuCtrl(d, "enable name=posix/io/oc/open,failinfo=28");
    ExpectDiskFull(c->Post("/v1/admin/wal/rotate", "", admin));
    FiuCtrl(d, "disable name=posix/io/oc/open");
    EXPECT_TRUE(std::regex_search(d.Log(), std::regex(R"(WAL disk full \(segment creation failed\): segment=segment\.002\.wal byte_offset=0 head_offset=\d+ errno=28)")))
        << d.Log();
    // The probe creates it once files can be created again.
    ASSERT_TRUE(WaitForReadiness(*c, "ready")) << d.Log();
    for (int i = 0; i < 3; ++i) acked.push_back(PostAssertion(*c, "enospc/segment-after", std::to_string(i)));
    auto node = c->Get("/v1/admin/node", admin);
    EXPECT_EQ(json::parse(node->body)["wal"]["segments"].size(), 2u) << node->body;
    EXPECT_TRUE(std::filesystem::exists(data + "/wal/segment.002.wal"));
    EXPECT_FALSE(std::filesystem::exists(data + "/wal/segment.002.wal.tmp"));
    EXPECT_EQ(d.Stop(), 0) << d.Log();
  }
  ExpectRestartFindsExactly(data, acked, refused);
}

TEST(DiskFullRunbookTest, RocksDbFlushEnospcUnderLibfiuHealsWithoutARestart) {
  ASSERT_TRUE(HaveProgram("fiu-run") && HaveProgram("fiu-ctrl")) << "run scripts/setup.sh (fiu-utils)";
  TempDir dir;
  const std::string data = dir.Sub("data");
  std::vector<std::string> acked, refused;
  {
    Daemon d(UnderLibfiu({.args = {"--rate-limit-enabled", "false"}, .data_dir = data}));
    auto c = d.Connect();
    const client::Headers admin = {{"X-API-Key", d.RootKey()}};
    for (int i = 0; i < 5; ++i) acked.push_back(PostAssertion(*c, "enospc/rocksdb", std::to_string(i)));
    // RocksDB writes its files with write(2) (the WAL uses pwrite): its flush, asked for by a
    // checkpoint, meets the full disk.
    FiuCtrl(d, "enable name=posix/io/rw/write,failinfo=28");
    auto checkpoint = c->Post("/v1/admin/checkpoint", json{{"dir", dir.Sub("checkpoint-1")}}.dump(), admin);
    ExpectDiskFull(checkpoint);
    EXPECT_NE(checkpoint->body.find("No space left on device"), std::string::npos) << checkpoint->body;
    ExpectDiskFull(c->Post("/v1/assert", AssertionJson("enospc/rocksdb-refused", "0")));
    refused.push_back(IdOf("enospc/rocksdb-refused", "0"));
    ExpectNotReady(*c);
    EXPECT_NE(d.Log().find("RocksDB disk full: DiskFull: rocksdb flush: IO error: No space left on device"), std::string::npos)
        << d.Log();
    EXPECT_EQ(d.Log().find("Assertion"), std::string::npos) << "RocksDB must not abort: " << d.Log();

    FiuCtrl(d, "disable name=posix/io/rw/write");
    ASSERT_TRUE(WaitForReadiness(*c, "ready")) << d.Log();
    EXPECT_NE(d.Log().find("RocksDB disk space is back: a flush succeeded"), std::string::npos) << d.Log();
    for (int i = 0; i < 3; ++i) acked.push_back(PostAssertion(*c, "enospc/rocksdb-after", std::to_string(i)));
    EXPECT_EQ(c->Post("/v1/admin/checkpoint", json{{"dir", dir.Sub("checkpoint-2")}}.dump(), admin)->status, 201);
    EXPECT_EQ(d.Stop(), 0) << d.Log();
  }
  ExpectRestartFindsExactly(data, acked, refused);
}

// A size-limited tmpfs mounted for the test, unmounted (lazily, so a leftover process cannot
// keep it) when it goes.
class Tmpfs {
 public:
  Tmpfs(const std::string& dir, const std::string& size) : dir_(dir) {
    std::filesystem::create_directories(dir);
    ProcessResult m = RunProcess({"mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir});
    mounted_ = m.exit_code == 0;
    EXPECT_TRUE(mounted_) << m.out;
  }
  ~Tmpfs() {
    if (mounted_) RunProcess({"umount", "-l", dir_});
  }
  bool mounted() const { return mounted_; }

 private:
  std::string dir_;
  bool mounted_ = false;
};

// Fills the file system of `path` (a new file) until it is full; returns the bytes written.
uint64_t FillUp(const std::string& path) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  EXPECT_GE(fd, 0) << path;
  std::string chunk(64 * 1024, 'f');
  uint64_t written = 0;
  for (;;) {
    ssize_t n = ::write(fd, chunk.data(), chunk.size());
    if (n <= 0) break;
    written += static_cast<uint64_t>(n);
  }
  ::close(fd);
  return written;
}

// Posts assertions until one is refused (507) or `max` were taken; the taken ones go to acked.
std::optional<std::string> PostUntilRefused(client::HttpConnection& c, const std::string& subject, int max,
                                            std::vector<std::string>& acked) {
  for (int i = 0; i < max; ++i) {
    const std::string text = std::to_string(i);
    auto r = c.Post("/v1/assert", AssertionJson(subject, text));
    if (!r.ok()) return std::nullopt;
    if (r->status == 201) {
      acked.push_back(json::parse(r->body)["id"]);
      continue;
    }
    EXPECT_EQ(r->status, 507) << r->body;
    ExpectDiskFull(r);
    return IdOf(subject, text);
  }
  return std::nullopt;
}

TEST(DiskFullRunbookTest, AFullTmpfsWalkedAsWritten) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root (CI runs as root)";
  const std::string runbook = Runbook();
  TempDir dir;
  const std::string data = dir.Sub("data");
  const std::string backups = dir.Sub("backups");
  Tmpfs disk(data, "24m");
  ASSERT_TRUE(disk.mounted());
  std::vector<std::string> acked, refused;
  {
    Daemon d({.args = {"--rate-limit-enabled", "false"}, .data_dir = data});
    auto c = d.Connect();
    for (int i = 0; i < 5; ++i) acked.push_back(PostAssertion(*c, "tmpfs/acked", std::to_string(i)));
    // What usually fills it: a checkpoint a killed backup left behind.
    FillUp(data + "/backups/stemedb-20260101T000000Z/filler.sst");
    auto first_refused = PostUntilRefused(*c, "tmpfs/filling", 2000, acked);
    ASSERT_TRUE(first_refused.has_value()) << "the full disk never refused a write";
    refused.push_back(*first_refused);
    ExpectNotReady(*c);

    const RunbookPlaces places{.url = d.url(), .data_dir = data, .log_file = d.log_path(), .backups_dir = backups};
    ProcessResult look = RunCommands(Localized(CodeBlock(runbook, "errno=28|No space left"), places));
    EXPECT_EQ(look.exit_code, 0) << look.out;
    for (const char* expected : {"\"status\":\"disk_full\"", "stemedb_node_state{state=\"disk_full\"} 1", "100%", "/backups",
                                 "No space left on device"}) {
      EXPECT_NE(look.out.find(expected), std::string::npos) << expected << " in:\n" << look.out;
    }

    // Free space: the leftover checkpoint, as written, with its name from `ls`.
    std::string remove = Localized(CodeBlock(runbook, "rm -rf /var/lib/stemedb/backups/<name>"), places);
    ProcessResult listed = RunCommands(remove.substr(0, remove.find('\n')));
    EXPECT_EQ(listed.out, "stemedb-20260101T000000Z\n");
    remove.replace(remove.find("<name>"), 6, "stemedb-20260101T000000Z");
    ProcessResult removed = RunCommands(remove);
    EXPECT_EQ(removed.exit_code, 0) << removed.out;

    // Writes come back by themselves (the runbook's wait), then the archive-and-prune step runs.
    ProcessResult back = RunCommands(Localized(CodeBlock(runbook, "disk space is back"), places));
    EXPECT_EQ(back.exit_code, 0) << back.out << d.Log();
    EXPECT_NE(back.out.find("disk space is back"), std::string::npos) << back.out;
    ProcessResult archive = RunCommands(Localized(CodeBlock(runbook, "wal-archive.sh --target"), places),
                                        // What /var/lib/stemedb and 127.0.0.1:18180 give it on a host.
                                        {"STEMEDB_URL=" + d.url(), "STEMEDB_DATA_DIR=" + data,
                                         "STEMEDB_API_KEY_FILE=" + data + "/root.key", "STEMEDB_BIN_DIR=" + ToolsDir()});
    EXPECT_EQ(archive.exit_code, 0) << archive.out;
    EXPECT_NE(archive.out.find("segment(s) archived"), std::string::npos) << archive.out;
    for (int i = 0; i < 3; ++i) acked.push_back(PostAssertion(*c, "tmpfs/after", std::to_string(i)));
    ProcessResult check = RunCommands(Localized(CodeBlock(runbook, "stemedb-wal-verify --dir"), places));
    EXPECT_EQ(check.exit_code, 0) << check.out;
    EXPECT_NE(check.out.find("\"state\":\"ok\""), std::string::npos) << check.out;

    // Full again, and the process dies there.
    FillUp(data + "/backups/stemedb-20260102T000000Z/filler.sst");
    auto again = PostUntilRefused(*c, "tmpfs/filling-again", 2000, acked);
    ASSERT_TRUE(again.has_value());
    refused.push_back(*again);
    d.Kill();
  }
  // A restart on the full disk is refused with a message that says so (RocksDB's open writes).
  ProcessResult full_start = RunApi({"--bind", "127.0.0.1:0", "--data-dir", data});
  EXPECT_EQ(full_start.exit_code, 1) << full_start.out;
  EXPECT_NE(full_start.out.find("cannot start: DiskFull:"), std::string::npos) << full_start.out;
  EXPECT_NE(full_start.out.find("No space left on device"), std::string::npos) << full_start.out;
  // Once space is freed it starts, with every acknowledged write: nothing half-written blocks it.
  std::filesystem::remove_all(data + "/backups");
  ExpectRestartFindsExactly(data, acked, refused);
}

}  // namespace
}  // namespace stemedb::testing

// docs/operations/runbooks/wal-fsync-failure.md walked on the real daemon. Debian's libfiu makes
// fdatasync fail from outside (fiu-run -x preloads its POSIX wrappers; fiu-ctrl enables the
// failure point in the running process), and the runbook's own commands are run, with only the
// address and the data directory changed: the metric with its segment label, the failing writes,
// readiness, the log line, the drain command, the restart that brings back every acknowledged
// write, the weekly verification loop; and the repair procedure on segments damaged in the
// middle. disk-full.md is walked the same way in disk_full_drill_test.cpp.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/hex.h"
#include "support/daemon.h"
#include "support/ops_scripts.h"
#include "support/records.h"
#include "support/runbook.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

std::string Runbook() { return ReadRunbook("wal-fsync-failure.md"); }

std::string IdOf(const std::string& subject, const std::string& text) {
  return core::IdHex(core::ContentId(SignedAssertion({.subject = subject, .text = text})));
}

TEST(WalFsyncFailureRunbookTest, FdatasyncFailsUnderLibfiu) {
  ASSERT_TRUE(HaveProgram("fiu-run") && HaveProgram("fiu-ctrl")) << "run scripts/setup.sh (fiu-utils)";
  const std::string runbook = Runbook();
  TempDir dir;
  const std::string data = dir.Sub("data");
  std::vector<std::string> acked;
  {
    Daemon d(UnderLibfiu({.args = {"--rate-limit-enabled", "false", "--wal-log-fsync-errors", "true"},
                          .data_dir = data}));
    auto c = d.Connect();
    for (int i = 0; i < 20; ++i) acked.push_back(PostAssertion(*c, "fiu/acked", std::to_string(i)));
    EXPECT_NE(c->Get("/metrics")->body.find("stemedb_wal_fsync_errors_total{segment=\"segment.001.wal\"} 0"), std::string::npos);

    // From now on every fdatasync in the process fails (with an errno libfiu picks).
    ProcessResult ctrl = RunProcess({"fiu-ctrl", "-c", "enable name=posix/io/sync/fdatasync", std::to_string(d.pid())});
    ASSERT_EQ(ctrl.exit_code, 0) << ctrl.out;

    // Writes fail: the batch whose fsync failed with 500, every later one with 503.
    auto failed = c->Post("/v1/assert", AssertionJson("fiu/failed", "0"));
    ASSERT_TRUE(failed.ok());
    EXPECT_EQ(failed->status, 500) << failed->body;
    EXPECT_EQ(json::parse(failed->body)["error"]["code"], "wal_write_failed");
    auto refused = c->Post("/v1/assert", AssertionJson("fiu/failed", "1"));
    EXPECT_EQ(refused->status, 503) << refused->body;
    EXPECT_EQ(json::parse(refused->body)["error"]["code"], "journal_failed");
    EXPECT_EQ(refused->Header("retry-after"), "30");

    // Readiness drops; reads keep working.
    auto ready = c->Get("/v1/ready");
    EXPECT_EQ(ready->status, 503);
    EXPECT_EQ(json::parse(ready->body)["status"], "journal_failed");
    EXPECT_EQ(c->Get("/v1/assertions/" + acked[0])->status, 200);

    // Investigation step 1, as written: the counter with its segment label.
    ProcessResult step1 = RunCommands(Localized(CodeBlock(runbook, "grep wal_fsync_errors"), d.url(), data));
    EXPECT_EQ(step1.exit_code, 0) << step1.out;
    EXPECT_NE(step1.out.find("stemedb_wal_fsync_errors_total{segment=\"segment.001.wal\"} 1"), std::string::npos) << step1.out;
    const std::string metrics = c->Get("/metrics")->body;
    EXPECT_NE(metrics.find("\nstemedb_wal_state 0\n"), std::string::npos);
    EXPECT_NE(metrics.find("stemedb_node_state{state=\"journal_failed\"} 1"), std::string::npos);

    // The log line the runbook quotes: segment, offset, errno; with log_fsync_errors, each append.
    // It starts with what the seed runbook greps for, naming the segment.
    const std::string log = d.Log();
    EXPECT_TRUE(std::regex_search(log, std::regex(R"(Failed to fsync WAL segment segment\.001\.wal; WAL fsync failed: segment=segment\.001\.wal byte_offset=\d+ head_offset=\d+ errno=\d+ \([^)]+\); 1 appends failed)")))
        << log;
    EXPECT_NE(log.find("WAL append failed (1 entries, "), std::string::npos) << log;

    // The drain command, as written (with the admin key header it shows).
    EXPECT_EQ(c->Post("/v1/admin/node/drain", "")->status, 401);
    ProcessResult drain = RunCommands(Localized(CodeBlock(runbook, "/v1/admin/node/drain"), d.url(), data));
    EXPECT_EQ(drain.exit_code, 0) << drain.out;
    EXPECT_NE(drain.out.find("\"inflight\":0"), std::string::npos) << drain.out;
    EXPECT_NE(drain.out.find("\"state\":\"journal_failed\""), std::string::npos) << drain.out;
    // The log says who drained the node.
    EXPECT_TRUE(std::regex_search(d.Log(), std::regex(R"(drain requested by key:\S+ \(request [0-9a-f]+\))"))) << d.Log();
    EXPECT_EQ(c->Get("/v1/ready")->status, 503);
    EXPECT_GE(d.Stop(), 0) << d.Log();
  }

  // The restart (without libfiu) recovers every acknowledged write and nothing that failed.
  {
    Daemon d({.data_dir = data});
    auto c = d.Connect();
    for (const auto& id : acked) EXPECT_EQ(c->Get("/v1/assertions/" + id)->status, 200) << id;
    for (const char* text : {"0", "1"}) EXPECT_EQ(c->Get("/v1/assertions/" + IdOf("fiu/failed", text))->status, 404) << text;
    EXPECT_EQ(json::parse(c->Get("/v1/health")->body)["assertions_count"], acked.size());
    EXPECT_EQ(c->Get("/v1/ready")->status, 200);
    EXPECT_FALSE(PostAssertion(*c, "fiu/after-restart", "0").empty());
    EXPECT_EQ(d.Stop(), 0);
  }

  // The weekly verification loop, as written, and stemedb-wal-verify --file on every segment.
  ProcessResult weekly = RunCommands(Localized(CodeBlock(runbook, "for segment in segment.*.wal"), "", data));
  EXPECT_EQ(weekly.exit_code, 0) << weekly.out;
  EXPECT_EQ(weekly.out.find("ERROR"), std::string::npos) << weekly.out;
  int segments = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data + "/wal")) {
    if (entry.path().extension() != ".wal") continue;
    ++segments;
    ProcessResult v = RunProcess({STEMEDB_WAL_VERIFY_BINARY, "--file", entry.path().string()});
    EXPECT_EQ(v.exit_code, 0) << v.out;
  }
  EXPECT_GE(segments, 1);
}

// Flips a byte in the middle of [from, to) of a file: a damaged record with valid ones after it,
// which is corruption (not a torn tail), so the daemon must refuse to start.
void Damage(const std::string& path, size_t from, size_t to) {
  std::string bytes = ReadFile(path);
  ASSERT_LT(to, bytes.size() + 1);
  bytes[from + (to - from) / 2] ^= 0x5a;
  WriteFile(path, bytes);
}

// Starts the daemon on a damaged WAL: it refuses; returns the byte offset it names.
std::string RefusedOffset(const std::string& data) {
  ProcessResult refused = RunApi({"--bind", "127.0.0.1:0", "--data-dir", data});
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  std::smatch m;
  if (!std::regex_search(refused.out, m, std::regex(R"(WAL corrupt: segment\.001\.wal at byte offset (\d+) .*refusing to start)"))) {
    ADD_FAILURE() << refused.out;
    return "";
  }
  return m[1];
}

// The repair block of the runbook, as written, with `offset`; returns the records it kept.
size_t RunRepairBlock(const std::string& data, const std::string& offset) {
  std::string repair = Localized(CodeBlock(Runbook(), "--truncate-at <byte-offset>"), "", data);
  const std::string placeholder = "<byte-offset>";
  repair.replace(repair.find(placeholder), placeholder.size(), offset);
  ProcessResult repaired = RunCommands(repair);
  EXPECT_EQ(repaired.exit_code, 0) << repaired.out;
  std::smatch m;
  if (!std::regex_search(repaired.out, m, std::regex(R"(wrote \S+: (\d+) records .*verified clean)"))) {
    ADD_FAILURE() << repaired.out;
    return 0;
  }
  EXPECT_TRUE(std::filesystem::exists(data + "/wal/segment.001.wal.corrupted"));
  return std::stoul(m[1]);
}

// The case the repair is for: a crash leaves damage in WAL records RocksDB does not hold yet.
// The RocksDB tier persists every 10 s; the second batch is written and the daemon killed well
// before that (a slower run is retried), so the damage lies past what RocksDB holds.
TEST(WalFsyncFailureRunbookTest, RepairProcedureAsWritten) {
  for (int attempt = 1; attempt <= 3; ++attempt) {
    TempDir dir;
    const std::string data = dir.Sub("data");
    std::vector<std::string> ids;
    {
      Daemon d({.data_dir = data});
      auto c = d.Connect();
      for (int i = 0; i < 6; ++i) ids.push_back(PostAssertion(*c, "repair/persisted", std::to_string(i)));
      ASSERT_EQ(d.Stop(), 0);  // a clean stop persists them in RocksDB
    }
    const std::string segment = data + "/wal/segment.001.wal";
    const size_t persisted_bytes = ReadFile(segment).size();
    const auto restarted = std::chrono::steady_clock::now();
    {
      Daemon d({.data_dir = data});
      auto c = d.Connect();
      for (int i = 0; i < 12; ++i) ids.push_back(PostAssertion(*c, "repair/recent", std::to_string(i)));
      d.Kill();
    }
    if (std::chrono::steady_clock::now() - restarted > std::chrono::seconds(8)) continue;  // RocksDB may have persisted
    Damage(segment, persisted_bytes, ReadFile(segment).size());
    const std::string offset = RefusedOffset(data);
    ASSERT_FALSE(offset.empty());
    // stemedb-wal-verify tells the same offset.
    ProcessResult verify = RunProcess({STEMEDB_WAL_VERIFY_BINARY, "--file", segment});
    EXPECT_EQ(verify.exit_code, 1) << verify.out;
    EXPECT_NE(verify.out.find("CORRUPT at byte offset " + offset + ":"), std::string::npos) << verify.out;

    const size_t kept = RunRepairBlock(data, offset);
    EXPECT_GT(kept, 6u);
    EXPECT_LT(kept, ids.size());
    Daemon d({.data_dir = data});
    auto c = d.Connect();
    for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(c->Get("/v1/assertions/" + ids[i])->status, i < kept ? 200 : 404) << i;
    EXPECT_EQ(json::parse(c->Get("/v1/health")->body)["assertions_count"], kept);
    EXPECT_FALSE(PostAssertion(*c, "repair/after", "0").empty());
    return;
  }
  FAIL() << "three attempts took longer than the RocksDB persist interval";
}

// The runbook's caveat: cutting records RocksDB already holds leaves a WAL that ends before it,
// and the daemon refuses to start, saying so.
TEST(WalFsyncFailureRunbookTest, RepairBelowWhatRocksDbHoldsIsRefused) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  {
    Daemon d({.data_dir = data});
    auto c = d.Connect();
    for (int i = 0; i < 12; ++i) PostAssertion(*c, "repair/applied", std::to_string(i));
    ASSERT_EQ(d.Stop(), 0);
  }
  const std::string segment = data + "/wal/segment.001.wal";
  Damage(segment, 40, ReadFile(segment).size());
  const std::string offset = RefusedOffset(data);
  ASSERT_FALSE(offset.empty());
  EXPECT_GT(RunRepairBlock(data, offset), 0u);
  ProcessResult refused = RunApi({"--bind", "127.0.0.1:0", "--data-dir", data});
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_TRUE(std::regex_search(refused.out, std::regex(R"(WAL in \S+ ends at offset \d+ \(seq \d+\) but RocksDB in \S+ has applied up to offset \d+ \(seq 12\): WAL segments are missing)")))
      << refused.out;
}

}  // namespace
}  // namespace stemedb::testing

// The runbooks and operations guides (docs/operations/) and the alert rules
// (deploy/prometheus/alerts.yml, whenever it exists) against a live daemon and the built tools,
// through tests/opskit/operations_docs_check.py: every metric is exported, every endpoint routed,
// every flag in its tool's --help, every runbook_url a file, no curl URL that curl would glob.
// A second test feeds the check documents with one mistake of each kind and expects each named
// with its file and line.

#include <gtest/gtest.h>

#include <filesystem>

#include "support/daemon.h"
#include "support/ops_scripts.h"

namespace stemedb::testing {
namespace {

const std::string kSource = STEMEDB_SOURCE_DIR;

ProcessResult RunCheck(const Daemon& d, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {"python3", "-B", kSource + "/tests/opskit/operations_docs_check.py", "--root", kSource,
                                   "--url", d.url(), "--bin-dir", ToolsDir()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return RunProcess(argv);
}

TEST(OperationsDocsTest, RunbooksAndAlertsMatchTheLiveDaemon) {
  Daemon d;  // the default auth mode: admin routes answer 401 to the check's keyless requests
  ProcessResult r = RunCheck(d);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(" 0 problem(s)"), std::string::npos) << r.out;
}

TEST(OperationsDocsTest, EveryAlertAndProcedureHasItsRunbook) {
  for (const char* name : {"wal-fsync-failure", "wal-fsync-slow", "wal-disk-nearly-full", "wal-fsync-degraded",
                           "high-storage-error-rate", "high-api-error-rate", "high-query-latency", "ingest-lag-high",
                           "stemedb-down", "node-draining", "memory-exhaustion", "server-wont-start",
                           "restore-from-backup", "failover-to-replica", "disk-full", "storage-errors", "replication-lag"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(kSource + "/docs/operations/runbooks/" + name + ".md")) << name;
  }
}

TEST(OperationsDocsTest, TheCheckNamesTheFileAndLineOfEachMistake) {
  TempDir dir;
  std::filesystem::create_directories(dir.Sub("docs"));
  WriteFile(dir.Sub("docs/bad.md"),
            "# A runbook with one mistake of each kind\n"
            "\n"
            "```sh\n"
            "curl -s http://localhost:18180/metrics | grep stemedb_no_such_metric_total\n"
            "curl -X POST http://localhost:18180/v1/admin/no/such/route\n"
            "stemedb-wal-verify --file segment.001.wal --no-such-flag\n"
            "/usr/lib/stemedb/backup.sh --target file:///x \\\n"
            "    --no-such-option\n"
            "curl -s 'http://127.0.0.1:9090/api/v1/query?query=up{job=\"stemedb\"}'\n"
            "stemedb-bench query --each-pair-once --no-such-query-flag\n"
            "```\n"
            "\n"
            "The counter `stemedb_wal_fsync_errors_total{volume=\"x\"}` and `stemedb-no-such-tool --x`.\n");
  WriteFile(dir.Sub("alerts.yml"),
            "groups:\n"
            "  - name: stemedb\n"
            "    rules:\n"
            "      - alert: Broken\n"
            "        expr: stemedb_not_exported_bytes > 0\n"
            "        annotations:\n"
            "          runbook_url: docs/operations/runbooks/no-such-runbook.md\n");
  Daemon d;
  ProcessResult r = RunCheck(d, {"--docs", dir.Sub("docs"), "--alerts", dir.Sub("alerts.yml")});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const std::string bad = std::filesystem::relative(dir.Sub("docs/bad.md"), kSource).string();
  const std::string alerts = std::filesystem::relative(dir.Sub("alerts.yml"), kSource).string();
  for (const std::string& expected :
       {bad + ":4: metric stemedb_no_such_metric_total is not in the daemon's /metrics",
        bad + ":5: POST /v1/admin/no/such/route: the daemon has no such route (404)",
        bad + ":6: stemedb-wal-verify has no flag --no-such-flag",
        bad + ":7: backup.sh has no flag --no-such-option",
        bad + ":9: curl would read {...} or [...] in 'http://127.0.0.1:9090/api/v1/query?query=up{job=\"stemedb\"}' as a glob",
        bad + ":10: stemedb-bench has no flag --no-such-query-flag",
        bad + ":13: metric stemedb_wal_fsync_errors_total has no label volume (it has segment)",
        bad + ":13: stemedb-no-such-tool is not a tool of this build",
        alerts + ":5: metric stemedb_not_exported_bytes is not in the daemon's /metrics",
        alerts + ":7: alert Broken: runbook_url docs/operations/runbooks/no-such-runbook.md does not exist"}) {
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n" << r.out;
  }
  // A subcommand's own flag is checked against the subcommand's --help.
  EXPECT_EQ(r.out.find("no flag --each-pair-once"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" 10 problem(s)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace stemedb::testing

// deploy/prometheus/ against the real thing: Debian's prometheus server, configured from the
// shipped prometheus.yml (target, intervals and rule path rewritten for the test), scrapes a
// live daemon and loads the shipped alerts.yml. Checked through Prometheus's HTTP API.

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "stemedb/core/record_json.h"
#include "support/background_process.h"
#include "support/daemon.h"
#include "support/process.h"
#include "support/records.h"
#include "support/shipped_file.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

const std::string kPrometheusDir = std::string(STEMEDB_SOURCE_DIR) + "/deploy/prometheus";

// Every alert of operations.md and its runbook.
const std::map<std::string, std::string> kRunbooks = {
    {"WALFsyncFailure", "wal-fsync-failure"},         {"WALFsyncSlow", "wal-fsync-slow"},
    {"WALDiskNearlyFull", "wal-disk-nearly-full"},    {"WALFsyncDegraded", "wal-fsync-degraded"},
    {"HighStorageErrorRate", "high-storage-error-rate"}, {"HighAPIErrorRate", "high-api-error-rate"},
    {"HighQueryLatency", "high-query-latency"},       {"IngestLagHigh", "ingest-lag-high"},
    {"StemeDBDown", "stemedb-down"},                  {"NodeDraining", "node-draining"},
    {"MemoryExhaustion", "memory-exhaustion"},
    {"ReplicationLagHigh", "replication-lag"},        {"StandbyDisconnected", "replication-lag"},
    {"NoPrimary", "failover-to-replica"},             {"LeaderFlapping", "failover-to-replica"},
};

// GET on Prometheus's API; the parsed "data", or null while it is not answering yet.
json Api(uint16_t port, const std::string& target) {
  client::HttpConnection c("127.0.0.1", port, std::chrono::seconds(10));
  auto r = c.Get(target);
  if (!r.ok() || r->status != 200) return nullptr;
  json body = json::parse(r->body, nullptr, false);
  if (body.is_discarded() || body["status"] != "success") return nullptr;
  return body["data"];
}

// Polls `probe` until it returns true, for at most 120 s (a loaded CI machine).
template <typename Probe>
bool Eventually(BackgroundProcess& prometheus, Probe probe) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!prometheus.Running()) return false;
    if (probe()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return false;
}

TEST(PrometheusScrapeTest, ScrapesALiveDaemonAndLoadsTheAlerts) {
  ASSERT_TRUE(HaveProgram("prometheus")) << "prometheus missing: run scripts/setup.sh";
  Daemon d;
  {
    auto c = d.Connect();  // a few writes, so the fsync summary has observations
    for (int i = 0; i < 5; ++i) {
      auto r = c->Post("/v1/assert", core::ToJson(SignedAssertion({.subject = "prom", .text = std::to_string(i)})).dump());
      ASSERT_TRUE(r.ok() && r->status == 201);
    }
  }

  TempDir dir;
  std::string config = ReadFile(kPrometheusDir + "/prometheus.yml");
  ReplaceInShippedFile(config, "\"127.0.0.1:18180\"", "\"127.0.0.1:" + std::to_string(d.port()) + "\"", "prometheus.yml");
  ReplaceInShippedFile(config, "scrape_interval: 15s", "scrape_interval: 1s", "prometheus.yml");
  ReplaceInShippedFile(config, "evaluation_interval: 15s", "evaluation_interval: 1s", "prometheus.yml");
  ReplaceInShippedFile(config, "- alerts.yml", "- " + kPrometheusDir + "/alerts.yml", "prometheus.yml");
  WriteFile(dir.Sub("prometheus.yml"), config);
  const uint16_t port = FreeLoopbackPort();
  BackgroundProcess prometheus({"prometheus", "--config.file=" + dir.Sub("prometheus.yml"),
                                "--storage.tsdb.path=" + dir.Sub("tsdb"),
                                "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                               dir.Sub("prometheus.log"));

  // The target is up.
  json target;
  ASSERT_TRUE(Eventually(prometheus, [&] {
    json data = Api(port, "/api/v1/targets");
    if (data.is_null() || data["activeTargets"].empty()) return false;
    target = data["activeTargets"][0];
    return target["health"] == "up";
  })) << "target never up: " << target.dump() << "\n" << prometheus.Log();
  EXPECT_EQ(target["labels"]["job"], "stemedb");

  // StemeDB series are stored.
  json build_info, fsync;
  ASSERT_TRUE(Eventually(prometheus, [&] {
    build_info = Api(port, "/api/v1/query?query=stemedb_build_info");
    fsync = Api(port, "/api/v1/query?query=stemedb_wal_fsync_duration_seconds");
    return !build_info.is_null() && !build_info["result"].empty() && !fsync.is_null() && fsync["result"].size() >= 3;
  })) << prometheus.Log();
  EXPECT_EQ(build_info["result"][0]["metric"]["job"], "stemedb");
  EXPECT_TRUE(build_info["result"][0]["metric"].contains("commit"));
  std::set<std::string> quantiles;
  for (const auto& s : fsync["result"]) quantiles.insert(s["metric"].value("quantile", ""));
  EXPECT_EQ(quantiles, (std::set<std::string>{"0.5", "0.9", "0.99"}));

  // alerts.yml loaded, every rule evaluated without error, each with its runbook.
  json groups;
  ASSERT_TRUE(Eventually(prometheus, [&] {
    json data = Api(port, "/api/v1/rules");
    if (data.is_null() || data["groups"].empty()) return false;
    groups = data["groups"];
    for (const auto& g : groups) {
      for (const auto& r : g["rules"]) {
        if (r["health"] == "unknown") return false;
      }
    }
    return true;
  })) << "rules never evaluated: " << groups.dump() << "\n" << prometheus.Log();
  std::map<std::string, json> rules;
  for (const auto& g : groups) {
    for (const auto& r : g["rules"]) rules[r["name"]] = r;
  }
  ASSERT_EQ(rules.size(), kRunbooks.size());
  std::string exprs;
  for (const auto& [alert, runbook] : kRunbooks) {
    ASSERT_TRUE(rules.count(alert)) << alert << " not loaded";
    const json& r = rules[alert];
    EXPECT_EQ(r["type"], "alerting") << alert;
    EXPECT_EQ(r["health"], "ok") << alert << ": " << r.value("lastError", "");
    EXPECT_EQ(r["annotations"]["runbook_url"], "docs/operations/runbooks/" + runbook + ".md") << alert;
    EXPECT_TRUE(r["labels"].contains("severity")) << alert;
    exprs += r["query"].get<std::string>() + "\n";
  }

  // Every StemeDB or process metric an alert uses is one the daemon exports.
  const std::string metrics = d.Connect()->Get("/metrics")->body;
  static const std::regex kName(R"(\b((?:stemedb|process)_[a-z0-9_]+))");
  for (auto it = std::sregex_iterator(exprs.begin(), exprs.end(), kName); it != std::sregex_iterator(); ++it) {
    std::string family = std::regex_replace((*it)[1].str(), std::regex("_(bucket|count|sum)$"), "");
    EXPECT_NE(metrics.find("# TYPE " + family + " "), std::string::npos) << family << " is not in /metrics";
  }
}

}  // namespace
}  // namespace stemedb::testing

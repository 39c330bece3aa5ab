// /metrics of a live daemon, checked by Debian's promtool.

#include <gtest/gtest.h>

#include "support/daemon.h"
#include "support/process.h"

namespace stemedb::testing {
namespace {

TEST(MetricsTest, PromtoolAcceptsLiveMetrics) {
  ASSERT_TRUE(HaveProgram("promtool")) << "promtool missing: run scripts/setup.sh";
  Daemon d;
  auto c = d.Connect();
  // Traffic first, so labelled families have children to render.
  ASSERT_TRUE(c->Get("/v1/health").ok());
  ASSERT_TRUE(c->Get("/v1/nope").ok());
  ASSERT_TRUE(c->Request("DELETE", "/v1/ready").ok());
  auto r = c->Get("/metrics");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  TempDir dir;
  WriteFile(dir.Sub("metrics.txt"), r->body);
  auto check = RunProcess({"sh", "-c", "promtool check metrics < " + dir.Sub("metrics.txt")});
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_TRUE(check.out.empty()) << "promtool complained:\n" << check.out;
  for (const char* name : {"stemedb_build_info{", "process_resident_memory_bytes ", "process_cpu_seconds_total ",
                           "process_open_fds ", "process_start_time_seconds ", "stemedb_http_requests_total{",
                           "stemedb_http_request_duration_seconds_bucket{", "stemedb_http_inflight_requests ",
                           "stemedb_http_connections ", "stemedb_node_state{state=\"serving\"} 1",
                           "stemedb_storage_rocksdb_live_sst_bytes ", "stemedb_storage_rocksdb_pending_compaction_bytes ",
                           "stemedb_storage_block_cache_capacity_bytes "}) {
    EXPECT_NE(r->body.find(name), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace stemedb::testing

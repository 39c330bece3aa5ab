#pragma once
// The standard process_* metrics (read from /proc at scrape time) and stemedb_build_info.

#include "stemedb/ops/metrics.h"

namespace stemedb::ops {

void RegisterProcessMetrics(Registry& registry);
void RegisterBuildInfo(Registry& registry);

// CPU time (user + system, all threads) another process has used so far; 0 when unreadable.
// The benchmarks report the server's CPU per request with it.
double ProcessCpuSeconds(int pid);

}  // namespace stemedb::ops

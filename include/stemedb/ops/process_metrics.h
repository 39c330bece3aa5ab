#pragma once
// The standard process_* metrics (read from /proc at scrape time) and stemedb_build_info.

#include "stemedb/ops/metrics.h"

namespace stemedb::ops {

void RegisterProcessMetrics(Registry& registry);
void RegisterBuildInfo(Registry& registry);

}  // namespace stemedb::ops

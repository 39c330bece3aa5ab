#pragma once
// Health, readiness and metrics: GET /v1/health (/livez), GET /v1/ready (/readyz), GET /metrics.
// Never rate limited, never behind a key (RouteClass::kOps).

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>

#include "stemedb/http/node_state.h"
#include "stemedb/http/router.h"
#include "stemedb/ops/metrics.h"

namespace stemedb::http {

struct OpsRoutesDeps {
  const NodeState& node;
  const ops::Registry& metrics;
  std::chrono::steady_clock::time_point started;
  // Figures of the lower layers for /v1/health: {"assertions_count": n, "wal": {...}}.
  std::function<nlohmann::json()> health_details;
};

void AddOpsRoutes(Router& router, OpsRoutesDeps deps);

}  // namespace stemedb::http

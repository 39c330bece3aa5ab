#pragma once
// Every route of the API in one place: the daemon serves exactly these, and the OpenAPI test
// compares exactly these with docs/openapi.json.

#include <chrono>
#include <functional>

#include <nlohmann/json.hpp>

#include "stemedb/http/admin_routes.h"
#include "stemedb/http/api_context.h"
#include "stemedb/http/feed.h"
#include "stemedb/http/router.h"

namespace stemedb::http {

void AddApiRoutes(Router& router, ApiContext& ctx, FeedHub& feed, AdminApi& admin,
                  std::chrono::steady_clock::time_point started, std::function<nlohmann::json()> health_details);

}  // namespace stemedb::http

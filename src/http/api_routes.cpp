#include "stemedb/http/api_routes.h"

#include "stemedb/http/browse_routes.h"
#include "stemedb/http/console_routes.h"
#include "stemedb/http/ops_routes.h"
#include "stemedb/http/query_routes.h"
#include "stemedb/http/record_routes.h"
#include "stemedb/http/write_routes.h"

namespace stemedb::http {

void AddApiRoutes(Router& router, ApiContext& ctx, FeedHub& feed, AdminApi& admin,
                  std::chrono::steady_clock::time_point started, std::function<nlohmann::json()> health_details) {
  AddOpsRoutes(router, {ctx.node, ctx.metrics, started, std::move(health_details)});
  AddWriteRoutes(router, ctx);
  AddQueryRoutes(router, ctx);
  AddRecordRoutes(router, ctx);
  AddBrowseRoutes(router, ctx);
  AddConsoleRoutes(router);
  feed.AddRoutes(router);
  admin.AddRoutes(router);
}

}  // namespace stemedb::http

#pragma once
// GET /v1/assertions/{id}, /v1/trace/{id}, /v1/epochs[/{id}], /v1/sources[/{hash}],
// /v1/agents/{agent_id}.

#include "stemedb/http/api_context.h"
#include "stemedb/http/router.h"

namespace stemedb::http {

void AddRecordRoutes(Router& router, ApiContext& ctx);

}  // namespace stemedb::http

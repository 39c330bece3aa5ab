#pragma once
// GET /v1/query, /v1/skeptic, /v1/layered.

#include "stemedb/http/api_context.h"
#include "stemedb/http/router.h"

namespace stemedb::http {

void AddQueryRoutes(Router& router, ApiContext& ctx);

}  // namespace stemedb::http

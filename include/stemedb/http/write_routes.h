#pragma once
// The write endpoints of http-api.md: assert, assert/batch, vote, epoch, sources, retract.

#include "stemedb/http/api_context.h"
#include "stemedb/http/router.h"

namespace stemedb::http {

void AddWriteRoutes(Router& router, ApiContext& ctx);

}  // namespace stemedb::http

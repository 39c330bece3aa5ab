#pragma once
// GET /v1/subjects and /v1/subjects/{subject}/predicates: which subjects the store holds and
// what is claimed about each, for people and programs that do not know them yet (the CLI's
// `subjects` and `predicates`, a console's search).

#include "stemedb/http/api_context.h"
#include "stemedb/http/router.h"

namespace stemedb::http {

void AddBrowseRoutes(Router& router, ApiContext& ctx);

}  // namespace stemedb::http

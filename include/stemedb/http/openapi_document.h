#pragma once
// docs/openapi.json, compiled into the binary (served at GET /api-doc/openapi.json, so the
// document a client reads is the one this build was tested against).

#include <string_view>

namespace stemedb::http {

std::string_view OpenApiDocument();

}  // namespace stemedb::http

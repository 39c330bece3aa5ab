#pragma once
// The query-string preamble every read handler shares. Private to http/.

#include <optional>
#include <string_view>
#include <vector>

#include "stemedb/http/message.h"
#include "stemedb/http/query_params.h"

namespace stemedb::http {

// Parses the query string, refusing names not in `allowed`; answers and returns nullopt on error.
std::optional<QueryParams> Params(const Request& req, const std::vector<std::string_view>& allowed,
                                  const Responder& respond);

}  // namespace stemedb::http

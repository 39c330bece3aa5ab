#include "route_params.h"

#include "stemedb/http/error_response.h"

namespace stemedb::http {

std::optional<QueryParams> Params(const Request& req, const std::vector<std::string_view>& allowed,
                                  const Responder& respond) {
  ApiError e{};
  auto p = QueryParams::Parse(req.query_string, &e);
  if (!p) {
    respond(ErrorResponse(e, req.request_id));
    return std::nullopt;
  }
  if (auto unknown = p->RejectUnknown(allowed)) {
    respond(ErrorResponse(*unknown, req.request_id));
    return std::nullopt;
  }
  return p;
}

}  // namespace stemedb::http

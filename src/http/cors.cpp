#include "stemedb/http/cors.h"

#include <algorithm>

#include "stemedb/http/error_response.h"

namespace stemedb::http {
namespace {

// What a page may send besides the CORS-safelisted headers: the body's type, the API key, its
// own request id, and the feed's resume point.
constexpr const char* kAllowedRequestHeaders = "Content-Type, X-API-Key, X-Request-Id, Last-Event-ID";
// What a page may read besides the CORS-safelisted response headers.
constexpr const char* kExposedResponseHeaders = "X-Request-Id, Retry-After, Location, RateLimit, X-Stemedb-Term";

bool ListsMethod(const std::string& allow, const std::string& method) {
  size_t start = 0;
  while (start < allow.size()) {
    const size_t comma = std::min(allow.find(',', start), allow.size());
    std::string item = allow.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(' '));
    if (item == method) return true;
    start = comma + 1;
  }
  return false;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

bool CorsPolicy::IsPreflight(const Request& request) {
  return request.method == Method::kOptions && request.Header("origin") != nullptr &&
         request.Header("access-control-request-method") != nullptr;
}

bool CorsPolicy::Allowed(const std::string& origin) const {
  const std::string lower = Lower(origin);
  return std::find(options_.allowed_origins.begin(), options_.allowed_origins.end(), lower) !=
         options_.allowed_origins.end();
}

Response CorsPolicy::Preflight(const Request& request, const Router& router) const {
  const std::string& origin = *request.Header("origin");
  const std::string& method = *request.Header("access-control-request-method");
  if (!Allowed(origin)) {
    Response r = ErrorResponse({403, "cors_origin_not_allowed",
                                "origin '" + origin.substr(0, 256) +
                                    "' may not call this API from a browser: it is not in server.cors_allowed_origins",
                                "Origin"},
                               request.request_id);
    r.SetHeader("Vary", "Origin");
    return r;
  }
  // OPTIONS itself is no route's method: the match says which methods the path has.
  RouteMatch match = router.Match(Method::kOptions, request.path);
  if (match.kind == RouteMatch::Kind::kNotFound) {
    return ErrorResponse({404, "not_found", "no route for " + request.path, ""}, request.request_id);
  }
  if (!ListsMethod(match.allow, method)) {
    Response r = ErrorResponse({405, "method_not_allowed",
                                method.substr(0, 32) + " is not allowed on " + request.path + "; allowed: " + match.allow,
                                "Access-Control-Request-Method"},
                               request.request_id);
    r.SetHeader("Allow", match.allow);
    return r;
  }
  Response r;
  r.status = 204;
  r.content_type.clear();
  r.SetHeader("Access-Control-Allow-Origin", origin);
  r.SetHeader("Access-Control-Allow-Methods", match.allow);
  r.SetHeader("Access-Control-Allow-Headers", kAllowedRequestHeaders);
  r.SetHeader("Access-Control-Max-Age", std::to_string(options_.max_age_s));
  r.SetHeader("Vary", "Origin");
  return r;
}

void CorsPolicy::Decorate(const Request& request, Response& response) const {
  if (options_.allowed_origins.empty()) return;
  const std::string* origin = request.Header("origin");
  if (origin == nullptr) return;
  // The answer differs by Origin, so a cache must keep one per origin.
  response.SetHeader("Vary", "Origin");
  if (!Allowed(*origin)) return;
  response.SetHeader("Access-Control-Allow-Origin", *origin);
  response.SetHeader("Access-Control-Expose-Headers", kExposedResponseHeaders);
}

}  // namespace stemedb::http

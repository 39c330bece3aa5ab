#pragma once
// CORS (the Fetch standard's cross-origin protocol) for browser clients. Only the origins in
// server.cors_allowed_origins get Access-Control-* headers; every other origin gets none, so a
// browser keeps the answer from its page. The API key travels in X-API-Key from the page's own
// script, never as a cookie, so Access-Control-Allow-Credentials is never sent to anyone.
// Requests from an unlisted origin are still served as any non-browser request is (CORS is the
// browser's protection, not the server's; auth.mode decides who may do what).

#include <string>
#include <vector>

#include "stemedb/http/message.h"
#include "stemedb/http/router.h"

namespace stemedb::http {

struct CorsOptions {
  std::vector<std::string> allowed_origins;  // lower-case scheme://host[:port] (ops::ParseOriginList)
  int max_age_s = 600;
};

class CorsPolicy {
 public:
  explicit CorsPolicy(CorsOptions options) : options_(std::move(options)) {}

  // OPTIONS with Origin and Access-Control-Request-Method: a preflight, answered here rather
  // than by a route.
  static bool IsPreflight(const Request& request);
  // 204 with the methods the path allows, for a listed origin asking for one of them; 403
  // cors_origin_not_allowed, 404 or 405 otherwise, without Access-Control-* headers.
  Response Preflight(const Request& request, const Router& router) const;
  // The headers that let a listed origin's page read `response`.
  void Decorate(const Request& request, Response& response) const;

 private:
  bool Allowed(const std::string& origin) const;

  CorsOptions options_;
};

}  // namespace stemedb::http

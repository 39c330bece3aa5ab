#include "stemedb/http/console_routes.h"

#include "stemedb/http/console_assets.h"
#include "stemedb/http/error_response.h"

namespace stemedb::http {
namespace {

// Everything from this origin, nothing inline, nothing from elsewhere; charts are inline SVG
// elements built by the scripts (not `style` attributes), images at most data: URLs.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

std::string ContentType(std::string_view name) {
  const size_t dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "json") return "application/json";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  return "application/octet-stream";
}

Response AssetResponse(const Request& req, std::string_view name) {
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    if (asset.name != name) continue;
    Response r;
    r.content_type = ContentType(name);
    r.body = std::string(asset.bytes);
    r.SetHeader("Content-Security-Policy", kContentSecurityPolicy);
    r.SetHeader("X-Content-Type-Options", "nosniff");
    r.SetHeader("Referrer-Policy", "no-referrer");
    // The files change only with the binary: a browser checks again at each load.
    r.SetHeader("Cache-Control", "no-cache");
    return r;
  }
  return ErrorResponse({404, "not_found", "the console has no file '" + std::string(name.substr(0, 128)) + "'", ""},
                       req.request_id);
}

}  // namespace

void AddConsoleRoutes(Router& router) {
  router.Add(Method::kGet, "/console", RouteClass::kOps, [](const Request&, Responder respond) {
    Response r;
    r.status = 308;
    r.content_type.clear();
    r.SetHeader("Location", "/console/");
    respond(std::move(r));
  });
  router.Add(Method::kGet, "/console/", RouteClass::kOps,
             [](const Request& req, Responder respond) { respond(AssetResponse(req, "index.html")); });
  router.Add(Method::kGet, "/console/{file}", RouteClass::kOps, [](const Request& req, Responder respond) {
    respond(AssetResponse(req, req.path_params.at("file")));
  });
}

}  // namespace stemedb::http

#include "stemedb/http/ops_routes.h"

#include "stemedb/build_info.h"
#include "stemedb/http/error_response.h"
#include "stemedb/http/openapi_document.h"

namespace stemedb::http {
namespace {

Handler HealthHandler(OpsRoutesDeps deps) {
  return [deps](const Request&, Responder respond) {
    nlohmann::json body = {
        {"status", "ok"},
        {"version", build::kVersion},
        {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::steady_clock::now() - deps.started).count()},
        {"state", deps.node.StateName()},
    };
    if (deps.health_details) body.update(deps.health_details());
    respond(JsonResponse(200, body.dump()));
  };
}

Handler ReadyHandler(const NodeState& node) {
  return [&node](const Request& req, Responder respond) {
    std::string readiness = node.Readiness();
    if (readiness == "ready") return respond(JsonResponse(200, R"({"status":"ready"})"));
    Response r = RetryLaterResponse({503, readiness, "node is not accepting writes: " + readiness, ""},
                                    req.request_id, 5);
    // Load balancers read the status field; keep it at the top level as http-api.md says.
    nlohmann::json body = nlohmann::json::parse(r.body);
    body["status"] = readiness;
    r.body = body.dump();
    respond(std::move(r));
  };
}

Handler MetricsHandler(const ops::Registry& metrics) {
  return [&metrics](const Request&, Responder respond) {
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics.Render();
    respond(std::move(r));
  };
}

}  // namespace

void AddOpsRoutes(Router& router, OpsRoutesDeps deps) {
  auto health = HealthHandler(deps);
  auto ready = ReadyHandler(deps.node);
  router.Add(Method::kGet, "/v1/health", RouteClass::kOps, health);
  router.Add(Method::kGet, "/livez", RouteClass::kOps, health);
  router.Add(Method::kGet, "/v1/ready", RouteClass::kOps, ready);
  router.Add(Method::kGet, "/readyz", RouteClass::kOps, ready);
  router.Add(Method::kGet, "/metrics", RouteClass::kOps, MetricsHandler(deps.metrics));
  router.Add(Method::kGet, "/api-doc/openapi.json", RouteClass::kOps, [](const Request&, Responder respond) {
    respond(JsonResponse(200, std::string(OpenApiDocument())));
  });
}

}  // namespace stemedb::http

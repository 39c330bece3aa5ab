#include "stemedb/http/dispatcher.h"

#include <spdlog/spdlog.h>

#include "stemedb/http/error_response.h"
#include "stemedb/http/query_params.h"
#include "stemedb/http/request_id.h"

namespace stemedb::http {
namespace {

constexpr const char* kUnmatchedRoute = "unmatched";

bool IsJsonContentType(const std::string* value) {
  if (!value) return false;
  std::string_view v(*value);
  auto semi = v.find(';');
  v = v.substr(0, semi);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v.size() == 16 && strncasecmp(v.data(), "application/json", 16) == 0;
}

}  // namespace

Dispatcher::Dispatcher(const Router& router, ops::Registry& metrics, DispatcherOptions options)
    : router_(router),
      options_(options),
      requests_(metrics.CounterFamily("stemedb_http_requests_total", "HTTP requests answered.",
                                      {"method", "route", "status"})),
      duration_(metrics.HistogramFamily("stemedb_http_request_duration_seconds",
                                        "Time from a request's last byte to its response.", {"route"},
                                        ops::LatencyBucketsSeconds())),
      inflight_gauge_(metrics.AddGauge("stemedb_http_inflight_requests", "Requests being handled.")),
      shed_(metrics.AddCounter("stemedb_http_shed_total",
                               "Requests refused with 503 because max_inflight was reached.")) {}

void Dispatcher::Handle(Request& request, Responder respond) {
  const auto start = std::chrono::steady_clock::now();
  request.request_id = ChooseRequestId(request.Header("x-request-id"));
  if (options_.cors && CorsPolicy::IsPreflight(request)) {
    return Finish(request, &preflight_route_, start, 0, false, options_.cors->Preflight(request, router_), respond);
  }

  RouteMatch match = router_.Match(request.method, request.path);
  if (match.kind == RouteMatch::Kind::kNotFound) {
    return Finish(request, nullptr, start, 0, false,
                  ErrorResponse({404, "not_found", "no route for " + request.method_text + " " + request.path, ""},
                                request.request_id),
                  respond);
  }
  if (match.kind == RouteMatch::Kind::kMethodNotAllowed) {
    Response r = ErrorResponse({405, "method_not_allowed",
                                request.method_text + " is not allowed on " + request.path + "; allowed: " + match.allow, ""},
                               request.request_id);
    r.SetHeader("Allow", match.allow);
    return Finish(request, nullptr, start, 0, false, std::move(r), respond);
  }
  const Route& route = *match.route;
  request.route = route.pattern;
  request.path_params = std::move(match.params);

  // Health, readiness and metrics stay answerable under any load: they are how operators and
  // load balancers see the overload.
  bool counted = route.route_class != RouteClass::kOps;
  if (counted && inflight_.fetch_add(1) >= options_.max_inflight) {
    inflight_.fetch_sub(1);
    shed_.Inc();
    return Finish(request, &route, start, 0, false,
                  RetryLaterResponse({503, "overloaded", "too many requests in progress; retry later", ""},
                                     request.request_id, 1),
                  respond);
  }
  if (counted) inflight_gauge_.Inc();

  bool has_body = !request.body.empty();
  if (has_body && !IsJsonContentType(request.Header("content-type"))) {
    const std::string* ct = request.Header("content-type");
    return Finish(request, &route, start, 0, counted,
                  ErrorResponse({415, "unsupported_media_type",
                                 "request body must be application/json, got " + (ct ? "'" + *ct + "'" : std::string("no Content-Type")),
                                 ""},
                                request.request_id),
                  respond);
  }

  for (size_t i = 0; i < middleware_.size(); ++i) {
    if (auto refusal = middleware_[i]->Before(request, route)) {
      return Finish(request, &route, start, i, counted, std::move(*refusal), respond);
    }
  }

  if (route.route_class == RouteClass::kRead && DeferUntilApplied(request, route, start, counted, respond)) return;
  if (route.execution == RouteExecution::kWorkerPool && options_.pool &&
      !(route.runs_in_place && route.runs_in_place(request))) {
    return Offload(std::make_shared<const Request>(std::move(request)), route, start, counted, respond);
  }
  Run(nullptr, request, route, start, counted, respond);
}

void Dispatcher::Run(std::shared_ptr<const Request> owned, const Request& request, const Route& route,
                     TimePoint start, bool counted, const Responder& respond) {
  // A handler that answers and then throws must not answer twice. The request may be reused by
  // its session as soon as it is answered, so the second call does not read it.
  auto answered = std::make_shared<std::atomic<bool>>(false);
  auto done = [this, owned, &request, &route, start, counted, respond, answered](Response r) {
    if (answered->exchange(true)) {
      spdlog::error("handler {} answered twice", route.pattern);
      return;
    }
    Finish(request, &route, start, middleware_.size(), counted, std::move(r), respond);
  };
  try {
    route.handler(request, done);
  } catch (const std::exception& e) {
    // A handler bug must not take the connection down; it is logged with the request id.
    spdlog::error("handler {} {} threw: {} (request_id={})", request.method_text, route.pattern, e.what(),
                  request.request_id);
    done(InternalErrorResponse(request.request_id));
  } catch (...) {
    spdlog::error("handler {} {} threw an exception not derived from std::exception (request_id={})",
                  request.method_text, route.pattern, request.request_id);
    done(InternalErrorResponse(request.request_id));
  }
}

// The task takes the request over: a handler on a worker thread may still run after it answered,
// while the session (on its I/O thread) already reads its next request into the object it
// handed over. The owned copy lives until the task and the answer's closure are gone. The route
// lives as long as the router.
bool Dispatcher::DeferUntilApplied(Request& request, const Route& route, TimePoint start, bool counted,
                                   const Responder& respond) {
  const ReplicationHooks* hooks = options_.replication;
  if (hooks == nullptr || !hooks->await_applied || request.query_string.find("min_position") == std::string::npos) {
    return false;
  }
  ApiError error{};
  auto params = QueryParams::Parse(request.query_string, &error);
  std::optional<uint64_t> position;
  if (params) position = params->Uint(kMinPositionParam, 0, 0, UINT64_MAX, &error);
  if (!position) {
    Finish(request, &route, start, middleware_.size(), counted, ErrorResponse(error, request.request_id), respond);
    return true;
  }
  if (*position <= hooks->applied_offset()) return false;
  auto owned = std::make_shared<const Request>(std::move(request));
  const uint64_t wanted = *position;
  hooks->await_applied(wanted, [this, owned, &route, start, counted, respond, wanted, hooks](bool reached) {
    if (!reached) {
      return Finish(*owned, &route, start, middleware_.size(), counted,
                    RetryLaterResponse({503, "replica_behind",
                                        "min_position: this node has applied the log up to position " +
                                            std::to_string(hooks->applied_offset()) + ", not yet to " +
                                            std::to_string(wanted) + "; retry, or read from the primary",
                                        "min_position"},
                                       owned->request_id, 1),
                       respond);
    }
    // Called on the thread that applied the log or on the wait's timer: the handler runs in the
    // worker pool, as an offloaded read would, never on those threads.
    if (options_.pool) return Offload(owned, route, start, counted, respond);
    Run(owned, *owned, route, start, counted, respond);
  });
  return true;
}

void Dispatcher::Offload(std::shared_ptr<const Request> owned, const Route& route, TimePoint start, bool counted,
                         const Responder& respond) {
  bool posted = options_.pool->TryPost({
      [this, owned, &route, start, counted, respond] { Run(owned, *owned, route, start, counted, respond); },
      [this, owned, &route, start, counted, respond] {
        Finish(*owned, &route, start, middleware_.size(), counted,
               RetryLaterResponse({503, "shutting_down", "the server is stopping; retry on another node", ""},
                                  owned->request_id, 1),
               respond);
      }});
  if (posted) return;
  Finish(*owned, &route, start, middleware_.size(), counted,
         RetryLaterResponse({503, "overloaded", "every worker is busy and the queue is full; retry later", ""},
                            owned->request_id, 1),
         respond);
}

void Dispatcher::Finish(const Request& request, const Route* route, TimePoint start, size_t middleware_passed,
                        bool counted_inflight, Response response, const Responder& respond) {
  if (route) {
    // Runs on whatever thread answers (the WAL writer's callback for a write), where an
    // exception would end the process: it becomes this request's 500 instead.
    try {
      for (size_t i = 0; i < middleware_passed; ++i) middleware_[i]->After(request, *route, response);
    } catch (const std::exception& e) {
      spdlog::error("middleware after {} {} threw: {} (request_id={})", request.method_text, route->pattern,
                    e.what(), request.request_id);
      response = InternalErrorResponse(request.request_id);
    }
  }
  response.SetHeader("X-Request-Id", request.request_id);
  if (options_.cors) options_.cors->Decorate(request, response);
  const std::string& label = route ? route->pattern : std::string(kUnmatchedRoute);
  const char* method = request.method == Method::kOther ? "OTHER" : MethodName(request.method);
  requests_.WithLabels({method, label, std::to_string(response.status)}).Inc();
  duration_.WithLabels({label}).Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (counted_inflight) {
    inflight_.fetch_sub(1);
    inflight_gauge_.Dec();
  }
  if (response.status >= 500) {
    // A health route's 503 is its answer (not ready, not the primary, not a healthy standby),
    // asked every second by load balancers: counted in the metrics, logged only at debug.
    const bool state_answer = route && route->route_class == RouteClass::kOps && response.status == 503;
    spdlog::log(state_answer ? spdlog::level::debug : spdlog::level::warn, "{} {} -> {} (request_id={})",
                request.method_text, request.path, response.status, request.request_id);
  }
  respond(std::move(response));
}

}  // namespace stemedb::http

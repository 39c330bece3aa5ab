#pragma once
// The request pipeline in front of every handler:
//   request id -> CORS preflight (answered) -> route (404/405) -> in-flight cap (503) -> content type (415)
//   -> middleware (auth, rate limit) -> handler, at once or on the worker pool (503 when its
//      queue is full), as the route says
// and on the way out: X-Request-Id, middleware headers, CORS headers, stemedb_http_* metrics. An exception from
// a handler or a middleware's After hook becomes a 500, on whatever thread it happens.

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include "stemedb/http/cors.h"
#include "stemedb/http/message.h"
#include "stemedb/http/replication_hooks.h"
#include "stemedb/http/router.h"
#include "stemedb/http/worker_pool.h"
#include "stemedb/ops/metrics.h"

namespace stemedb::http {

class Middleware {
 public:
  virtual ~Middleware() = default;
  // A response to refuse the request with, or nullopt to pass it on.
  virtual std::optional<Response> Before(Request& request, const Route& route) = 0;
  // Called for every response of a request this middleware let through.
  virtual void After(const Request& /*request*/, const Route& /*route*/, Response& /*response*/) {}
};

struct DispatcherOptions {
  int64_t max_inflight = 4096;  // non-ops requests in progress at most; beyond: 503 overloaded
  // Runs the handlers of RouteExecution::kWorkerPool routes; null: every handler on the I/O
  // thread. Must outlive the dispatcher's requests: stop it after the server's I/O threads.
  WorkerPool* pool = nullptr;
  // Causal reads: a read route with min_position=N waits (without holding a thread) until the
  // node has applied that far. Null, or without await_applied: min_position is not waited on.
  const ReplicationHooks* replication = nullptr;
  // Browser origins (cors.h): preflights answered before routing, Access-Control-* headers on
  // the answers to listed origins. Null: no CORS (a preflight gets 405 like any OPTIONS).
  const CorsPolicy* cors = nullptr;
};

class Dispatcher final : public RequestHandler {
 public:
  Dispatcher(const Router& router, ops::Registry& metrics, DispatcherOptions options);
  // Middleware runs in the order added. Not thread-safe: add before serving.
  void Use(Middleware* middleware) { middleware_.push_back(middleware); }
  void Handle(Request& request, Responder respond) override;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  // Runs the route's handler (the middleware passed) and answers 500 if it throws. `owned`, when
  // set, holds `request` for as long as the answer's closure may need it.
  void Run(std::shared_ptr<const Request> owned, const Request& request, const Route& route, TimePoint start,
           bool counted_inflight, const Responder& respond);
  // Posts Run to the worker pool, which takes the request over; 503 when the queue is full.
  // A read with min_position beyond the applied offset: runs once the node gets there, or
  // answers 503 replica_behind. True when it took the request over.
  bool DeferUntilApplied(Request& request, const Route& route, TimePoint start, bool counted_inflight,
                         const Responder& respond);
  void Offload(std::shared_ptr<const Request> owned, const Route& route, TimePoint start, bool counted_inflight,
               const Responder& respond);
  void Finish(const Request& request, const Route* route, TimePoint start, size_t middleware_passed,
              bool counted_inflight, Response response, const Responder& respond);

  const Router& router_;
  DispatcherOptions options_;
  std::vector<Middleware*> middleware_;
  // The metrics label of CORS preflights, which no route of the router answers.
  const Route preflight_route_{Method::kOptions, "preflight", RouteClass::kOps, nullptr, RouteExecution::kIoThread, nullptr};
  std::atomic<int64_t> inflight_{0};
  ops::Family<ops::Counter>& requests_;
  ops::Family<ops::Histogram>& duration_;
  ops::Gauge& inflight_gauge_;
  ops::Counter& shed_;
};

}  // namespace stemedb::http

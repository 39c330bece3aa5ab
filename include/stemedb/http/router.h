#pragma once
// Routes: method + path pattern (`/v1/assertions/{id}`) -> handler, with the route's class
// (who may call it and which rate-limit bucket it draws from).

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "stemedb/http/message.h"

namespace stemedb::http {

enum class RouteClass {
  kOps,    // health, readiness, metrics, API doc: never rate limited, never need a key
  kRead,
  kWrite,
  kAdmin,
  // The WAL stream and its acknowledgements (docs/replication.md): a key with role replication
  // or admin; not rate limited (a standby acknowledges every flush).
  kReplication,
};

const char* RouteClassName(RouteClass c);

// Where the dispatcher runs a route's handler once routing and middleware let it through.
enum class RouteExecution {
  kIoThread,    // at once, on the I/O thread: cheap handlers (point reads, admin, health)
  kWorkerPool,  // posted to the worker pool: CPU-heavy work (worker_pool.h)
};

// For a kWorkerPool route: true when this request is cheap enough to run at once on the I/O
// thread after all (a lens over a small cached candidate list), sparing it two thread hand-offs.
// Called on the I/O thread, so it must itself be cheap and never block.
using RunsInPlace = std::function<bool(const Request&)>;

struct Route {
  Method method;
  std::string pattern;
  RouteClass route_class;
  Handler handler;
  RouteExecution execution = RouteExecution::kIoThread;
  RunsInPlace runs_in_place;  // may be empty: every request of a kWorkerPool route is posted
};

struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed };
  Kind kind = Kind::kNotFound;
  const Route* route = nullptr;
  std::map<std::string, std::string> params;
  std::string allow;  // for kMethodNotAllowed: "GET, POST"
};

class Router {
 public:
  // Throws std::invalid_argument on a malformed pattern or a duplicate (method, pattern).
  void Add(Method method, std::string pattern, RouteClass route_class, Handler handler,
           RouteExecution execution = RouteExecution::kIoThread, RunsInPlace runs_in_place = nullptr);
  RouteMatch Match(Method method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace stemedb::http

#pragma once
// Routes: method + path pattern (`/v1/assertions/{id}`) -> handler, with the route's class
// (who may call it and which rate-limit bucket it draws from).

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
};

const char* RouteClassName(RouteClass c);

struct Route {
  Method method;
  std::string pattern;
  RouteClass route_class;
  Handler handler;
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
  void Add(Method method, std::string pattern, RouteClass route_class, Handler handler);
  RouteMatch Match(Method method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace stemedb::http

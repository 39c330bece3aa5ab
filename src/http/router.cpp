#include "stemedb/http/router.h"

#include <stdexcept>

namespace stemedb::http {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool IsParam(std::string_view seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

bool MatchPattern(std::string_view pattern, std::string_view path, std::map<std::string, std::string>* params) {
  auto ps = Segments(pattern);
  auto xs = Segments(path);
  if (ps.size() != xs.size()) return false;
  // A trailing slash is a different resource, matched only by a pattern that has one too
  // (/console/, the console's page, beside /console, which redirects there).
  const bool path_slash = path.size() > 1 && path.back() == '/';
  const bool pattern_slash = pattern.size() > 1 && pattern.back() == '/';
  if (path_slash != pattern_slash) return false;
  for (size_t i = 0; i < ps.size(); ++i) {
    if (IsParam(ps[i])) {
      if (params) (*params)[std::string(ps[i].substr(1, ps[i].size() - 2))] = std::string(xs[i]);
    } else if (ps[i] != xs[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

const char* RouteClassName(RouteClass c) {
  switch (c) {
    case RouteClass::kOps: return "ops";
    case RouteClass::kRead: return "read";
    case RouteClass::kWrite: return "write";
    case RouteClass::kAdmin: return "admin";
    case RouteClass::kReplication: return "replication";
  }
  return "unknown";
}

void Router::Add(Method method, std::string pattern, RouteClass route_class, Handler handler,
                 RouteExecution execution, RunsInPlace runs_in_place) {
  if (pattern.empty() || pattern.front() != '/') throw std::invalid_argument("route must start with /: " + pattern);
  for (const auto& r : routes_) {
    if (r.method == method && r.pattern == pattern) {
      throw std::invalid_argument(std::string("duplicate route ") + MethodName(method) + " " + pattern);
    }
  }
  routes_.push_back({method, std::move(pattern), route_class, std::move(handler), execution, std::move(runs_in_place)});
}

RouteMatch Router::Match(Method method, std::string_view path) const {
  RouteMatch m;
  std::string allow;
  for (const auto& r : routes_) {
    std::map<std::string, std::string> params;
    if (!MatchPattern(r.pattern, path, &params)) continue;
    // HEAD is answered by the GET route; the server drops the body.
    if (r.method == method || (method == Method::kHead && r.method == Method::kGet)) {
      m.kind = RouteMatch::Kind::kFound;
      m.route = &r;
      m.params = std::move(params);
      return m;
    }
    if (allow.find(MethodName(r.method)) == std::string::npos) {
      if (!allow.empty()) allow += ", ";
      allow += MethodName(r.method);
      if (r.method == Method::kGet) allow += ", HEAD";
    }
  }
  if (!allow.empty()) {
    m.kind = RouteMatch::Kind::kMethodNotAllowed;
    m.allow = std::move(allow);
  }
  return m;
}

}  // namespace stemedb::http

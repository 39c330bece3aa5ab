#include "stemedb/http/auth_middleware.h"

#include "stemedb/http/error_response.h"

namespace stemedb::http {
namespace {

Role NeededRole(RouteClass c) {
  switch (c) {
    case RouteClass::kAdmin: return Role::kAdmin;
    case RouteClass::kWrite: return Role::kWrite;
    case RouteClass::kReplication: return Role::kReplication;
    default: return Role::kRead;
  }
}

// A replication key streams the WAL and nothing else; an admin key may stream too (how a
// cluster bootstraps with one root key).
bool RoleAllows(Role held, RouteClass c) {
  if (c == RouteClass::kReplication) return held == Role::kReplication || held == Role::kAdmin;
  if (held == Role::kReplication) return false;
  return held >= NeededRole(c);
}

const std::string* PresentedKey(const Request& req, std::string* bearer) {
  if (const std::string* k = req.Header("x-api-key")) return k;
  if (const std::string* a = req.Header("authorization")) {
    if (a->size() > 7 && strncasecmp(a->c_str(), "Bearer ", 7) == 0) {
      *bearer = a->substr(7);
      return bearer;
    }
  }
  return nullptr;
}

}  // namespace

std::optional<AuthMode> AuthModeFromName(std::string_view name) {
  if (name == "off") return AuthMode::kOff;
  if (name == "admin") return AuthMode::kAdmin;
  if (name == "all") return AuthMode::kAll;
  return std::nullopt;
}

AuthMiddleware::AuthMiddleware(const KeyVerifier& verifier, AuthMode mode, ops::Registry& metrics,
                               AuthAttemptLimiter* limiter)
    : verifier_(verifier),
      mode_(mode),
      limiter_(limiter),
      failures_(metrics.CounterFamily("stemedb_http_auth_failures_total",
                                      "Requests refused by authentication (401) or authorisation (403).", {"reason"})) {
  for (const char* r : {"missing_api_key", "invalid_api_key", "forbidden"}) failures_.WithLabels({r});
}

Response AuthMiddleware::Refuse(Request& req, const Route& route, const char* reason, bool invalid_key,
                               Response refusal) {
  failures_.WithLabels({reason}).Inc();
  if (limiter_) {
    if (auto limited = limiter_->OnAuthFailure(req, route, invalid_key)) return std::move(*limited);
  }
  return refusal;
}

std::optional<Response> AuthMiddleware::Before(Request& req, const Route& route) {
  req.client_id = "addr:" + req.remote_address;
  if (route.route_class == RouteClass::kOps) return std::nullopt;
  std::string bearer;
  const std::string* presented = PresentedKey(req, &bearer);
  std::optional<Identity> identity;
  if (presented && mode_ != AuthMode::kOff) {
    // Once an address's failed keys have emptied its bucket, no key from it is even checked
    // until the bucket refills: a guess that happens to be right is refused like the others.
    if (limiter_) {
      if (auto limited = limiter_->BeforeKeyCheck(req, route)) return limited;
    }
    identity = verifier_.Verify(*presented);
    if (!identity) {
      Response r = ErrorResponse({401, "invalid_api_key", "the API key is unknown, revoked or malformed", ""}, req.request_id);
      r.SetHeader("WWW-Authenticate", "Bearer realm=\"stemedb\"");
      return Refuse(req, route, "invalid_api_key", true, std::move(r));
    }
    req.client_id = "key:" + identity->key_id;
    req.role = RoleName(identity->role);
  }
  const Role needed = NeededRole(route.route_class);
  const bool required = mode_ == AuthMode::kAll ||
                        (mode_ == AuthMode::kAdmin && (route.route_class == RouteClass::kAdmin ||
                                                       route.route_class == RouteClass::kReplication));
  if (!required) return std::nullopt;
  if (!identity) {
    Response r = ErrorResponse({401, "missing_api_key",
                                std::string("this route needs an API key with role ") + RoleName(needed) +
                                    " (X-API-Key or Authorization: Bearer)",
                                ""},
                               req.request_id);
    r.SetHeader("WWW-Authenticate", "Bearer realm=\"stemedb\"");
    return Refuse(req, route, "missing_api_key", false, std::move(r));
  }
  if (!RoleAllows(identity->role, route.route_class)) {
    return Refuse(req, route, "forbidden", false,
                  ErrorResponse({403, "forbidden",
                                 std::string("key ") + identity->key_id + " has role " + RoleName(identity->role) +
                                     "; this route needs " + RoleName(needed),
                                 ""},
                                req.request_id));
  }
  return std::nullopt;
}

}  // namespace stemedb::http

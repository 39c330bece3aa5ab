#pragma once
// Authentication and authorisation in front of every handler (http-api.md, Authentication).
//
// Keys travel in `X-API-Key` or `Authorization: Bearer`. auth.mode:
//   off    nothing needs a key (development)
//   admin  admin routes need an admin key; others are open          (default)
//   all    every route but health/ready/metrics needs a key with the route's role
// Roles order read < write < admin. A presented key that does not verify is always 401, even
// on an open route: a client sending a wrong key wants to know. Sets request.client_id (the key
// id, else the remote address) for the rate limiter, and request.role.

#include <string>

#include "stemedb/http/api_keys.h"
#include "stemedb/http/dispatcher.h"

namespace stemedb::http {

enum class AuthMode { kOff, kAdmin, kAll };
std::optional<AuthMode> AuthModeFromName(std::string_view name);

class AuthMiddleware final : public Middleware {
 public:
  AuthMiddleware(const KeyVerifier& verifier, AuthMode mode, ops::Registry& metrics);
  std::optional<Response> Before(Request& request, const Route& route) override;

 private:
  const KeyVerifier& verifier_;
  AuthMode mode_;
  ops::Family<ops::Counter>& failures_;
};

}  // namespace stemedb::http

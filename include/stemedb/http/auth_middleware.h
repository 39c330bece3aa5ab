#pragma once
// Authentication and authorisation in front of every handler (http-api.md, Authentication).
//
// Keys travel in `X-API-Key` or `Authorization: Bearer`. auth.mode:
//   off    nothing needs a key (development)
//   admin  admin routes need an admin key; others are open          (default)
//   all    every route but health/ready/metrics needs a key with the route's role
// Roles order read < write < admin. A presented key that does not verify is always 401, even
// on an open route: a client sending a wrong key wants to know. Sets request.client_id (the key
// id, else the remote address) for the rate limiter, and request.role. Failures count against
// the client's rate limit (AuthAttemptLimiter).

#include <string>

#include "stemedb/http/api_keys.h"
#include "stemedb/http/dispatcher.h"

namespace stemedb::http {

enum class AuthMode { kOff, kAdmin, kAll };
std::optional<AuthMode> AuthModeFromName(std::string_view name);

// The rate limit as authentication sees it (RateLimitMiddleware), so that failed
// authentications count against the client's rate limit and nobody guesses keys at an unlimited
// speed: a 401 or 403 takes a token of the client's bucket like any request, and a key that does
// not verify also one of its address's bucket for failed keys; while that one is dry, no key
// from the address is checked. A client with a good key keeps its own bucket, whatever the
// other clients at its address do, unless they guess keys.
class AuthAttemptLimiter {
 public:
  virtual ~AuthAttemptLimiter() = default;
  // Before a presented key is checked: the 429 to answer when the request's address has used up
  // its failed keys (a bucket of the route class's size and rate), else nullopt.
  virtual std::optional<Response> BeforeKeyCheck(Request& request, const Route& route) = 0;
  // A 401 or 403 is about to be answered (invalid_key: a presented key did not verify): takes the
  // tokens; the 429 to answer instead when request.client_id's bucket was dry, else nullopt.
  virtual std::optional<Response> OnAuthFailure(Request& request, const Route& route, bool invalid_key) = 0;
};

class AuthMiddleware final : public Middleware {
 public:
  // limiter: null when rate limiting is off (failures are then not limited either).
  AuthMiddleware(const KeyVerifier& verifier, AuthMode mode, ops::Registry& metrics,
                 AuthAttemptLimiter* limiter = nullptr);
  std::optional<Response> Before(Request& request, const Route& route) override;

 private:
  // A 401 or 403 (refusal), or the 429 that replaces it when the client's bucket is dry.
  Response Refuse(Request& request, const Route& route, const char* reason, bool invalid_key, Response refusal);

  const KeyVerifier& verifier_;
  AuthMode mode_;
  AuthAttemptLimiter* limiter_;
  ops::Family<ops::Counter>& failures_;
};

}  // namespace stemedb::http

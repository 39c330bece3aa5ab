#pragma once
// Token buckets per client and route class (http-api.md, rate limiting).
//
// A client is its API key id, else its remote address (set by the auth middleware). Each class
// (read, write, admin) has a rate (tokens per second) and a burst (bucket size). Every answer of
// a limited route carries the IETF draft headers
//   RateLimit-Policy: "write";q=<burst>;w=<burst/rate seconds>
//   RateLimit: "write";r=<tokens left>;t=<seconds until the bucket is full>
// and a 429 also Retry-After: the seconds until one token is back, rounded up, never earlier.
//
// Memory is bounded: at most max_clients clients (each with one bucket per class), kept in shards
// each with its own lock and an LRU list; the least recently seen client of a full shard is
// evicted (it starts again with full buckets, which errs towards serving). Health, readiness and
// metrics are never limited.
//
// Failed authentications (401, 403) take a token from the client's bucket of the route's class
// like any request; a key that does not verify also takes one from its address's bucket for
// failed keys (one per class, the class's size and rate), and while that one is dry no key from
// the address is checked (AuthAttemptLimiter): a client guessing keys is held to the class's
// rate, and clients with good keys at the same address are not.

#include <chrono>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "stemedb/http/auth_middleware.h"
#include "stemedb/http/dispatcher.h"
#include "stemedb/ops/config.h"

namespace stemedb::http {

struct BucketSpec {
  double rate_per_s;
  double burst;
};

struct RateLimitDecision {
  bool allowed;
  double remaining;      // tokens left after this request
  double reset_s;        // until the bucket is full again
  double retry_after_s;  // when refused: until one token is back
};

// The buckets alone, with an injectable clock for tests.
class TokenBuckets {
 public:
  using Clock = std::chrono::steady_clock;
  TokenBuckets(size_t max_clients, size_t shards = 16);
  // take = false only looks: allowed says whether a token is there, and none is taken.
  RateLimitDecision Take(const std::string& client, int class_index, const BucketSpec& spec, Clock::time_point now,
                         bool take = true);
  size_t clients() const;
  uint64_t evictions() const;

 private:
  // Per client: read, write, admin, then the same three for failed keys.
  static constexpr int kClasses = 6;
  struct Bucket {
    double tokens = -1;  // negative: not used yet (a first request finds it full)
    Clock::time_point updated;
  };
  struct Client {
    Bucket by_class[kClasses];
    std::list<std::string>::iterator lru;
  };
  struct Shard {
    std::mutex mu;
    std::list<std::string> lru;  // most recent first
    std::unordered_map<std::string, Client> clients;
    uint64_t evictions = 0;
  };
  size_t per_shard_max_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

class RateLimitMiddleware final : public Middleware, public AuthAttemptLimiter {
 public:
  RateLimitMiddleware(const ops::RateLimitConfig& config, ops::Registry& metrics);
  std::optional<Response> Before(Request& request, const Route& route) override;
  void After(const Request& request, const Route& route, Response& response) override;
  std::optional<Response> BeforeKeyCheck(Request& request, const Route& route) override;
  std::optional<Response> OnAuthFailure(Request& request, const Route& route, bool invalid_key) override;

 private:
  static constexpr int kFailedKeys = 3;  // bucket index of the failed keys of class 0
  static int ClassIndex(RouteClass c);
  // The 429 of a refused decision in class `cls`.
  Response Refusal(Request& request, int cls, const RateLimitDecision& d);
  const BucketSpec& Spec(RouteClass c) const { return specs_[ClassIndex(c)]; }

  std::vector<BucketSpec> specs_;  // by ClassIndex
  std::vector<std::string> policy_headers_;  // by ClassIndex: fixed by the configuration
  TokenBuckets buckets_;
  std::vector<ops::Counter*> limited_;
};

// The header values, for tests and for both middleware hooks.
std::string RateLimitPolicyHeader(const char* class_name, const BucketSpec& spec);
std::string RateLimitHeader(const char* class_name, const RateLimitDecision& d);

}  // namespace stemedb::http

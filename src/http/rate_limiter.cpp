#include "stemedb/http/rate_limiter.h"

#include <cmath>
#include <functional>

#include "stemedb/ground/check.h"
#include "stemedb/http/error_response.h"

namespace stemedb::http {
namespace {

constexpr const char* kClassNames[] = {"read", "write", "admin"};

std::string FormatHeaderNumber(double v) { return std::to_string(static_cast<long long>(std::floor(v))); }

}  // namespace

std::string RateLimitPolicyHeader(const char* class_name, const BucketSpec& spec) {
  const double window = std::max(1.0, std::ceil(spec.burst / spec.rate_per_s));
  return std::string("\"") + class_name + "\";q=" + FormatHeaderNumber(spec.burst) + ";w=" + FormatHeaderNumber(window);
}

std::string RateLimitHeader(const char* class_name, const RateLimitDecision& d) {
  return std::string("\"") + class_name + "\";r=" + FormatHeaderNumber(std::max(0.0, d.remaining)) +
         ";t=" + std::to_string(static_cast<long long>(std::ceil(d.reset_s)));
}

TokenBuckets::TokenBuckets(size_t max_clients, size_t shards)
    : per_shard_max_(std::max<size_t>(1, max_clients / shards)) {
  for (size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

RateLimitDecision TokenBuckets::Take(const std::string& client, int class_index, const BucketSpec& spec,
                                     Clock::time_point now, bool take) {
  STEMEDB_CHECK(class_index >= 0 && class_index < kClasses);
  Shard& shard = *shards_[std::hash<std::string>{}(client) % shards_.size()];
  std::lock_guard lock(shard.mu);
  auto it = shard.clients.find(client);
  if (it == shard.clients.end()) {
    if (shard.clients.size() >= per_shard_max_) {
      shard.clients.erase(shard.lru.back());
      shard.lru.pop_back();
      ++shard.evictions;
    }
    shard.lru.push_front(client);
    it = shard.clients.emplace(client, Client{{}, shard.lru.begin()}).first;
  } else {
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second.lru);
  }
  Bucket& b = it->second.by_class[class_index];
  if (b.tokens < 0) b = Bucket{spec.burst, now};
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(spec.burst, b.tokens + std::max(0.0, elapsed) * spec.rate_per_s);
  b.updated = now;
  RateLimitDecision d{};
  if (b.tokens >= 1.0) {
    if (take) b.tokens -= 1.0;
    d.allowed = true;
  } else {
    d.allowed = false;
    d.retry_after_s = (1.0 - b.tokens) / spec.rate_per_s;
  }
  d.remaining = b.tokens;
  d.reset_s = (spec.burst - b.tokens) / spec.rate_per_s;
  return d;
}

size_t TokenBuckets::clients() const {
  size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mu);
    n += s->clients.size();
  }
  return n;
}

uint64_t TokenBuckets::evictions() const {
  uint64_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mu);
    n += s->evictions;
  }
  return n;
}

int RateLimitMiddleware::ClassIndex(RouteClass c) {
  switch (c) {
    case RouteClass::kWrite: return 1;
    case RouteClass::kAdmin: return 2;
    case RouteClass::kReplication: return 2;  // only its failed keys are counted (Before)
    default: return 0;
  }
}

RateLimitMiddleware::RateLimitMiddleware(const ops::RateLimitConfig& c, ops::Registry& metrics)
    : specs_{{c.read_rps, static_cast<double>(c.read_burst)},
             {c.write_rps, static_cast<double>(c.write_burst)},
             {c.admin_rps, static_cast<double>(c.admin_burst)}},
      buckets_(static_cast<size_t>(c.max_clients)) {
  for (int i = 0; i < 3; ++i) policy_headers_.push_back(RateLimitPolicyHeader(kClassNames[i], specs_[i]));
  auto& family = metrics.CounterFamily("stemedb_http_rate_limited_total", "Requests refused with 429, by route class.",
                                       {"class"});
  for (const char* name : kClassNames) limited_.push_back(&family.WithLabels({name}));
  metrics.AddCollector([this](ops::ExpositionWriter& w) {
    w.Header("stemedb_rate_limiter_clients", ops::MetricType::kGauge, "Clients with a token bucket.");
    w.Sample("stemedb_rate_limiter_clients", static_cast<double>(buckets_.clients()));
    w.Header("stemedb_rate_limiter_evictions_total", ops::MetricType::kCounter,
             "Buckets dropped to keep the client table within max_clients.");
    w.Sample("stemedb_rate_limiter_evictions_total", static_cast<double>(buckets_.evictions()));
  });
}

std::optional<Response> RateLimitMiddleware::Before(Request& req, const Route& route) {
  // A standby acknowledges every flush: its stream and acks are bounded by the number of
  // replication keys, not by a request rate.
  if (route.route_class == RouteClass::kOps || route.route_class == RouteClass::kReplication) return std::nullopt;
  const int cls = ClassIndex(route.route_class);
  const std::string fallback_client = req.client_id.empty() ? "addr:" + req.remote_address : std::string();
  RateLimitDecision d = buckets_.Take(req.client_id.empty() ? fallback_client : req.client_id, cls, specs_[cls],
                                      TokenBuckets::Clock::now());
  // Carried to After through the request, which lives until the response is written.
  req.rate_limit_header = RateLimitHeader(kClassNames[cls], d);
  if (d.allowed) return std::nullopt;
  return Refusal(req, cls, d);
}

std::optional<Response> RateLimitMiddleware::BeforeKeyCheck(Request& req, const Route& route) {
  if (route.route_class == RouteClass::kOps) return std::nullopt;
  const int cls = ClassIndex(route.route_class);
  RateLimitDecision d = buckets_.Take("addr:" + req.remote_address, kFailedKeys + cls, specs_[cls],
                                      TokenBuckets::Clock::now(), /*take=*/false);
  if (d.allowed) return std::nullopt;
  req.rate_limit_header = RateLimitHeader(kClassNames[cls], d);
  return Refusal(req, cls, d);
}

std::optional<Response> RateLimitMiddleware::OnAuthFailure(Request& req, const Route& route, bool invalid_key) {
  if (route.route_class == RouteClass::kOps) return std::nullopt;
  const int cls = ClassIndex(route.route_class);
  const auto now = TokenBuckets::Clock::now();
  if (invalid_key) buckets_.Take("addr:" + req.remote_address, kFailedKeys + cls, specs_[cls], now);
  return Before(req, route);  // counts as a request of the client (its address, or its key for a 403)
}

Response RateLimitMiddleware::Refusal(Request& req, int cls, const RateLimitDecision& d) {
  limited_[cls]->Inc();
  const int retry_after = std::max(1, static_cast<int>(std::ceil(d.retry_after_s)));
  Response r = RetryLaterResponse({429, "rate_limited",
                                   std::string("rate limit of the ") + kClassNames[cls] + " class reached; retry in " +
                                       std::to_string(retry_after) + " s",
                                   ""},
                                  req.request_id, retry_after);
  r.SetHeader("RateLimit-Policy", policy_headers_[cls]);
  r.SetHeader("RateLimit", req.rate_limit_header);
  return r;
}

void RateLimitMiddleware::After(const Request& req, const Route& route, Response& response) {
  if (route.route_class == RouteClass::kOps || req.rate_limit_header.empty()) return;
  const int cls = ClassIndex(route.route_class);
  response.SetHeader("RateLimit-Policy", policy_headers_[cls]);
  response.SetHeader("RateLimit", req.rate_limit_header);
}

}  // namespace stemedb::http

#pragma once
// A closed-loop HTTP load generator: `connections` keep-alive connections, each sending its next
// request as soon as the previous response is whole. One thread and epoll, so the generator costs
// the server as little CPU as it can when both share one machine (as on the 2-core CI box); the
// requests are built before the clock starts (or cheaply per request) for the same reason.
//
// It reads only what it needs of a response: the status and Content-Length. The server under
// test never streams on the routes a benchmark calls.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "stemedb/ground/status.h"

namespace stemedb::bench {

struct LoadOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 18180;
  int connections = 64;  // 1..4096
  // Stop after this many requests (0: no limit) or after `measure` past `warmup`, whichever
  // comes first. Requests finished during warm-up are sent but not measured.
  uint64_t requests_max = 0;
  std::chrono::milliseconds warmup{0};
  std::chrono::milliseconds measure{10000};
  std::chrono::milliseconds response_timeout{30000};
};

// A duration flag in seconds (fractions allowed), as LoadOptions' fields take it.
inline std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// The bytes of request number `n` (0, 1, ...): a whole HTTP/1.1 request. Called on the driver's
// thread in order, so it may keep state.
using RequestSource = std::function<std::string(uint64_t n)>;

struct LoadResult {
  std::vector<uint64_t> latencies_ns;    // measured requests only
  std::map<int, uint64_t> status_counts;  // measured requests only
  uint64_t requests_sent = 0;
  double measured_s = 0;                 // wall time of the measured part
};

// Runs the load; fails on a connection error or a response that does not arrive in time
// (a benchmark that silently lost connections would report a fiction).
Result<LoadResult> RunLoad(const LoadOptions& options, const RequestSource& next_request);

// "POST target" with a JSON body, or "GET target": the request bytes RunLoad sends.
std::string BuildRequest(const std::string& method, const std::string& target, const std::string& body = "",
                         const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace stemedb::bench

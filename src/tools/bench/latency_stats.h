#pragma once
// Rates and percentiles of a run's latency samples.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

namespace stemedb::bench {

struct LatencyStats {
  uint64_t count = 0;
  double per_second = 0;
  double mean_ms = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
};

// samples_ns is sorted in place; window_s is the measured wall time.
inline LatencyStats Summarize(std::vector<uint64_t>& samples_ns, double window_s) {
  LatencyStats s;
  s.count = samples_ns.size();
  if (samples_ns.empty() || window_s <= 0) return s;
  std::sort(samples_ns.begin(), samples_ns.end());
  auto at = [&](double q) {
    size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(samples_ns.size())));
    return static_cast<double>(samples_ns[std::max<size_t>(rank, 1) - 1]) / 1e6;
  };
  s.per_second = static_cast<double>(s.count) / window_s;
  double total_ns = std::accumulate(samples_ns.begin(), samples_ns.end(), 0.0);
  s.mean_ms = total_ns / static_cast<double>(s.count) / 1e6;
  s.p50_ms = at(0.50);
  s.p99_ms = at(0.99);
  s.p999_ms = at(0.999);
  s.max_ms = static_cast<double>(samples_ns.back()) / 1e6;
  return s;
}

}  // namespace stemedb::bench

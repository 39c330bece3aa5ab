#pragma once
// The clock a leader lease is measured by (docs/replication.md, "Fencing"): CLOCK_BOOTTIME,
// monotonic like steady_clock but also counting while the machine is suspended. A primary whose
// host slept past its lease deadline wakes up fenced, as one whose process was paused does;
// with CLOCK_MONOTONIC it would take writes until its next renewal failed.

#include <time.h>

#include <chrono>

namespace stemedb::replication {

struct BootClock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<BootClock>;
  static constexpr bool is_steady = true;
  static time_point now() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
  }
};

}  // namespace stemedb::replication

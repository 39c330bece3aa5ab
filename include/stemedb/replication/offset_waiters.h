#pragma once
// Callbacks waiting for a log position to be reached: writes waiting for synchronous standbys
// on a primary, reads waiting for min_position on a standby. Nobody holds a thread while
// waiting: Advance (the thread that moved the position) or the waiters' timer thread calls
// each back exactly once.
//
// Bounded: beyond waiters_max, Wait answers false at once (a read gets 503, as it would after
// the timeout) instead of queueing without limit.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

#include "stemedb/http/replication_hooks.h"

namespace stemedb::replication {

class OffsetWaiters {
 public:
  explicit OffsetWaiters(size_t waiters_max);
  ~OffsetWaiters();  // Stop()
  OffsetWaiters(const OffsetWaiters&) = delete;
  OffsetWaiters& operator=(const OffsetWaiters&) = delete;

  // done(true) at once when reached() >= position, or later when Advance gets there;
  // done(false) after `timeout`, when waiters_max wait already, or at Stop.
  void Wait(uint64_t position, std::chrono::milliseconds timeout, http::PositionReached done);
  // Never goes back: a smaller value than reached() is ignored.
  void Advance(uint64_t reached);
  uint64_t reached() const;
  size_t waiting() const;
  void Stop();  // answers every waiter false, stops the timer thread

 private:
  using Clock = std::chrono::steady_clock;
  struct Waiter {
    uint64_t position;
    Clock::time_point deadline;
    http::PositionReached done;
  };
  void TimerLoop();

  const size_t waiters_max_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t reached_ = 0;
  uint64_t next_id_ = 0;
  std::multimap<uint64_t, std::pair<uint64_t, Waiter>> by_position_;  // position -> (id, waiter)
  bool stopped_ = false;
  std::thread timer_;
};

}  // namespace stemedb::replication

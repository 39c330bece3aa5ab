#include "stemedb/replication/offset_waiters.h"

#include <vector>

namespace stemedb::replication {

OffsetWaiters::OffsetWaiters(size_t waiters_max) : waiters_max_(waiters_max) {
  timer_ = std::thread([this] { TimerLoop(); });
}

OffsetWaiters::~OffsetWaiters() { Stop(); }

void OffsetWaiters::Wait(uint64_t position, std::chrono::milliseconds timeout, http::PositionReached done) {
  {
    std::lock_guard lock(mu_);
    if (position > reached_ && !stopped_ && by_position_.size() < waiters_max_ && timeout.count() > 0) {
      by_position_.emplace(position, std::make_pair(next_id_++, Waiter{position, Clock::now() + timeout, std::move(done)}));
      cv_.notify_one();
      return;
    }
  }
  // Outside the lock: done may answer a request, which may wait on this object again.
  done(position <= reached());
}

void OffsetWaiters::Advance(uint64_t reached) {
  std::vector<http::PositionReached> ready;
  {
    std::lock_guard lock(mu_);
    if (reached <= reached_) return;
    reached_ = reached;
    while (!by_position_.empty() && by_position_.begin()->first <= reached) {
      ready.push_back(std::move(by_position_.begin()->second.second.done));
      by_position_.erase(by_position_.begin());
    }
  }
  for (auto& done : ready) done(true);
}

uint64_t OffsetWaiters::reached() const {
  std::lock_guard lock(mu_);
  return reached_;
}

size_t OffsetWaiters::waiting() const {
  std::lock_guard lock(mu_);
  return by_position_.size();
}

void OffsetWaiters::Stop() {
  std::vector<http::PositionReached> left;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    for (auto& [position, entry] : by_position_) left.push_back(std::move(entry.second.done));
    by_position_.clear();
  }
  cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  for (auto& done : left) done(false);
}

void OffsetWaiters::TimerLoop() {
  std::unique_lock lock(mu_);
  while (!stopped_) {
    // The earliest deadline, found by a scan: waiters are few (bounded by waiters_max, in
    // practice the requests in flight).
    auto earliest = Clock::time_point::max();
    for (const auto& [position, entry] : by_position_) earliest = std::min(earliest, entry.second.deadline);
    if (earliest == Clock::time_point::max()) {
      cv_.wait(lock);
      continue;
    }
    cv_.wait_until(lock, earliest);
    const auto now = Clock::now();
    std::vector<http::PositionReached> expired;
    for (auto it = by_position_.begin(); it != by_position_.end();) {
      if (it->second.second.deadline <= now) {
        expired.push_back(std::move(it->second.second.done));
        it = by_position_.erase(it);
      } else {
        ++it;
      }
    }
    lock.unlock();
    for (auto& done : expired) done(false);
    lock.lock();
  }
}

}  // namespace stemedb::replication

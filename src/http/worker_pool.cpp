#include "stemedb/http/worker_pool.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "stemedb/ground/check.h"

namespace stemedb::http {

WorkerPool::WorkerPool(WorkerPoolOptions options, ops::Registry& metrics)
    : options_(options),
      depth_(metrics.AddGauge("stemedb_http_worker_queue_depth", "Requests waiting for a worker thread.")),
      wait_(metrics.AddHistogram("stemedb_http_worker_queue_wait_seconds",
                                 "Time a request waited for a worker thread.", ops::LatencyBucketsSeconds())),
      rejected_(metrics.AddCounter("stemedb_http_worker_rejected_total",
                                   "Requests refused with 503 because the worker queue was full.")) {
  STEMEDB_CHECK(options_.threads >= 1 && options_.queue_max >= 1);
  metrics.AddGauge("stemedb_http_worker_threads", "Threads of the worker pool for CPU-heavy requests.")
      .Set(options_.threads);
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { Loop(); });
}

WorkerPool::~WorkerPool() { Stop(); }

bool WorkerPool::TryPost(Task task) {
  {
    std::lock_guard lock(mu_);
    if (stop_ || queue_.size() >= options_.queue_max) {
      rejected_.Inc();
      return false;
    }
    queue_.push_back({std::move(task), Clock::now()});
    depth_.Inc();
  }
  cv_.notify_one();
  return true;
}

size_t WorkerPool::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void WorkerPool::Stop() {
  std::deque<Queued> cancelled;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    cancelled.swap(queue_);
    depth_.Set(0);
  }
  cv_.notify_all();
  for (auto& q : cancelled) q.task.cancel();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

namespace {

// Lowers the calling thread's scheduling priority by `increment` nice levels (Linux: nice is per
// thread). Best effort: a failure only leaves the thread at the process's priority.
void LowerThisThreadsPriority(int increment) {
  if (increment <= 0) return;
  const id_t tid = static_cast<id_t>(gettid());
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, tid);
  if (errno != 0) return;
  if (setpriority(PRIO_PROCESS, tid, std::min(19, nice + increment)) != 0) {
    spdlog::warn("worker thread: cannot lower its priority: {}", std::strerror(errno));
  }
}

}  // namespace

void WorkerPool::Loop() {
  LowerThisThreadsPriority(options_.nice_increment);
  for (;;) {
    Queued next;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopped
      next = std::move(queue_.front());
      queue_.pop_front();
      depth_.Dec();
    }
    wait_.Observe(std::chrono::duration<double>(Clock::now() - next.posted).count());
    // The dispatcher's task answers every failure of its handler itself; this is the last line,
    // so that nothing a task throws can end the process.
    try {
      next.task.run();
    } catch (const std::exception& e) {
      spdlog::error("worker pool task threw: {}", e.what());
    } catch (...) {
      spdlog::error("worker pool task threw an exception not derived from std::exception");
    }
  }
}

}  // namespace stemedb::http

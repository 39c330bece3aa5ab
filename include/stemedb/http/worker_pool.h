#pragma once
// The worker pool: a fixed set of threads for the handlers whose work is CPU-bound (signature
// checks of large batches, multi-predicate queries, feed scans), so the I/O threads only move
// bytes and run the cheap handlers, and health, readiness and metrics answer at once whatever
// the load. A route asks for it with RouteExecution::kWorkerPool; the dispatcher posts the
// handler here after routing, authentication and rate limiting, which stay on the I/O thread.
//
// Bounded: at most queue_max tasks wait; TryPost refuses more (the dispatcher answers 503
// overloaded with Retry-After). Exported: stemedb_http_worker_threads,
// stemedb_http_worker_queue_depth, stemedb_http_worker_queue_wait_seconds (from post to
// start) and stemedb_http_worker_rejected_total.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "stemedb/ops/metrics.h"

namespace stemedb::http {

struct WorkerPoolOptions {
  int threads = 2;          // >= 1
  size_t queue_max = 1024;  // tasks waiting for a thread at most, >= 1
  // The workers run this many nice levels below the process (at most 19): with every core busy
  // checking signatures, the scheduler still gives a core at once to an I/O thread woken by a
  // probe, and to the WAL writer. 0: the process's priority.
  int nice_increment = 10;
};

class WorkerPool {
 public:
  struct Task {
    std::function<void()> run;     // on a worker thread
    std::function<void()> cancel;  // instead of run, on the thread that calls Stop(), when the pool stops first
  };

  WorkerPool(WorkerPoolOptions options, ops::Registry& metrics);
  ~WorkerPool();  // Stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues the task; false (and the task dropped uncalled) when the queue is full or the pool
  // stopped.
  bool TryPost(Task task);
  // Refuses new tasks, cancels the queued ones, lets the running ones finish and joins the
  // threads. Idempotent.
  void Stop();

  int threads() const { return options_.threads; }
  size_t queued() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Queued {
    Task task;
    Clock::time_point posted;
  };
  void Loop();

  const WorkerPoolOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Queued> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
  ops::Gauge& depth_;
  ops::Histogram& wait_;
  ops::Counter& rejected_;
};

}  // namespace stemedb::http

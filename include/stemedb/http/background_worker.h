#pragma once
// One thread for the admin work that blocks on disk or waits (drain, checkpoint), so no I/O
// thread ever does. Tasks run in order; the queue is bounded.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace stemedb::http {

class BackgroundWorker {
 public:
  static constexpr size_t kQueuedMax = 16;
  BackgroundWorker();
  ~BackgroundWorker();  // Stop()
  // Runs what is queued, then stops the thread; later Posts are refused. Idempotent.
  void Stop();
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  // False when the queue is full (the caller answers 503).
  bool Post(std::function<void()> task);

 private:
  void Loop();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace stemedb::http

#include "stemedb/http/background_worker.h"

#include <spdlog/spdlog.h>

namespace stemedb::http {

BackgroundWorker::BackgroundWorker() : thread_([this] { Loop(); }) {}

BackgroundWorker::~BackgroundWorker() { Stop(); }

void BackgroundWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

bool BackgroundWorker::Post(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stop_ || tasks_.size() >= kQueuedMax) return false;
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void BackgroundWorker::Loop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    // A task answers its own failures (AnswerGuarded); this is the last line, so that nothing a
    // task throws ends the thread, and with it the process (std::terminate).
    try {
      task();
    } catch (const std::exception& e) {
      spdlog::error("admin background task threw: {}", e.what());
    } catch (...) {
      spdlog::error("admin background task threw an exception not derived from std::exception");
    }
  }
}

}  // namespace stemedb::http

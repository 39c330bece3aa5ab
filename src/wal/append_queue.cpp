#include "stemedb/wal/append_queue.h"

#include "stemedb/ground/check.h"

namespace stemedb::wal {

AppendQueue::AppendQueue(uint64_t queue_bytes_max, Status initial_refusal)
    : queue_bytes_max_(queue_bytes_max), refusal_(std::move(initial_refusal)) {}

Status AppendQueue::Push(PendingAppend& item) {
  {
    std::lock_guard lock(mu_);
    if (!refusal_.ok()) return refusal_;
    if (queued_bytes_ + item.record_bytes > queue_bytes_max_) {
      return Status::Overloaded("overloaded: WAL queue holds " + std::to_string(queued_bytes_) +
                                " bytes (queue_bytes_max " + std::to_string(queue_bytes_max_) +
                                ")");
    }
    queued_bytes_ += item.record_bytes;
    items_.push_back(std::move(item));
  }
  nonempty_.notify_one();
  return Status::OK();
}

std::optional<uint64_t> AppendQueue::WaitFront() {
  std::unique_lock lock(mu_);
  nonempty_.wait(lock, [&] { return !items_.empty() || stopping_; });
  if (items_.empty()) return std::nullopt;
  return items_.front().record_bytes;
}

bool AppendQueue::FrontIsRotation() {
  std::lock_guard lock(mu_);
  STEMEDB_CHECK(!items_.empty());
  return items_.front().is_rotation();
}

std::vector<PendingAppend> AppendQueue::TakeBatch(uint64_t max_bytes) {
  std::vector<PendingAppend> batch;
  std::lock_guard lock(mu_);
  uint64_t bytes = 0;
  while (!items_.empty()) {
    PendingAppend& next = items_.front();
    if (!batch.empty() && (next.is_rotation() || bytes + next.record_bytes > max_bytes)) break;
    bytes += next.record_bytes;
    batch.push_back(std::move(next));
    items_.pop_front();
    if (batch.back().is_rotation()) break;  // a rotation travels alone
  }
  STEMEDB_CHECK(queued_bytes_ >= bytes);
  queued_bytes_ -= bytes;
  return batch;
}

void AppendQueue::Open() {
  std::lock_guard lock(mu_);
  if (!stopping_) refusal_ = Status::OK();
}

bool AppendQueue::WaitStopped(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return nonempty_.wait_for(lock, timeout, [&] { return stopping_; });
}

std::vector<PendingAppend> AppendQueue::FailAll(Status refusal) {
  STEMEDB_CHECK(!refusal.ok());
  std::lock_guard lock(mu_);
  refusal_ = std::move(refusal);
  std::vector<PendingAppend> out;
  for (PendingAppend& item : items_) out.push_back(std::move(item));
  items_.clear();
  queued_bytes_ = 0;
  return out;
}

void AppendQueue::Stop(Status refusal) {
  STEMEDB_CHECK(!refusal.ok());
  {
    std::lock_guard lock(mu_);
    refusal_ = std::move(refusal);
    stopping_ = true;
  }
  nonempty_.notify_all();
}

uint64_t AppendQueue::queued_bytes() const {
  std::lock_guard lock(mu_);
  return queued_bytes_;
}

}  // namespace stemedb::wal

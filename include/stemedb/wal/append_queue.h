#pragma once
// The journal's bounded queue between appenders (any thread) and its one writer thread.
// Bounded in bytes: past queue_bytes_max a push is refused (kOverloaded), never blocked, so no
// network thread ever waits here. The writer takes batches in FIFO order.
//
// Pushes are refused with a stored Status while the queue is not open: before Start, after a
// failure (journal_failed / disk_full) and after Close.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/wal/journal_types.h"
#include "stemedb/wal/replicated_records.h"

namespace stemedb::wal {

// One Append call, or a rotation request (when rotated is set).
struct PendingAppend {
  std::vector<Entry> entries;
  AppendCallback done;
  RotateCallback rotated;
  uint64_t record_bytes = 0;  // encoded size of all entries
  // A standby's append: records framed by the primary, written verbatim (entries empty).
  std::shared_ptr<const ReplicatedRecords> replicated;

  bool is_rotation() const { return static_cast<bool>(rotated); }
};

class AppendQueue {
 public:
  AppendQueue(uint64_t queue_bytes_max, Status initial_refusal);

  // Moves item in and returns OK, or leaves it untouched and returns the refusal.
  Status Push(PendingAppend& item);

  // Blocks until an item is queued or the queue is stopped and empty (then nullopt). Returns
  // the front item's bytes (0 for a rotation) without taking it: the writer decides whether to
  // rotate before the batch. Only the writer thread takes, so the front cannot change.
  std::optional<uint64_t> WaitFront();
  bool FrontIsRotation();
  // Takes the front item and every following append while the total stays <= max_bytes (the
  // front is taken whatever its size). Stops before a rotation request.
  std::vector<PendingAppend> TakeBatch(uint64_t max_bytes);

  void Open();  // accept pushes (Start, and after a full disk); never undoes Stop
  // Waits up to timeout for Stop; true once stopped (the writer's sleep while the disk is full).
  bool WaitStopped(std::chrono::milliseconds timeout);
  // Refuse later pushes with refusal and hand back everything queued (journal failure).
  std::vector<PendingAppend> FailAll(Status refusal);
  // Refuse later pushes; WaitFront returns nullopt once the queue is drained (Close).
  void Stop(Status refusal);

  uint64_t queued_bytes() const;

 private:
  const uint64_t queue_bytes_max_;
  mutable std::mutex mu_;
  std::condition_variable nonempty_;
  std::deque<PendingAppend> items_;
  uint64_t queued_bytes_ = 0;
  Status refusal_;  // OK while open
  bool stopping_ = false;
};

}  // namespace stemedb::wal

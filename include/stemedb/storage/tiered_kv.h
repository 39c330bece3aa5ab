#pragma once
// The hybrid backend's key/value layer: a memory tier (an active memtable, and at most one
// immutable memtable being flushed) in front of the persistent tier (RocksDB).
//
// Writes: one thread (the journal's apply step) puts entries into the active memtable and
// advances the applied position record by record. Reads: any thread, without waiting for
// the writer; memory first, then the persistent tier. The flusher thread swaps the active
// table out, writes it to the tier in one atomic batch with the position it reaches, and every
// `persist_interval` asks the tier to make that durable, which bounds replay after a crash.
//
// A tier write error keeps the records in memory (and in the WAL), is retried with backoff,
// and once the memory tier passes its bound the store reports `degraded`: the write path turns
// new writes away rather than grow without limit. Nothing acknowledged is ever dropped.
// A tier write or flush that fails with ENOSPC marks the tier `disk_full` at once (the write
// path refuses new writes with 507 rather than fill the memory tier, and the WAL's disk when it
// is the same one); the flusher then retries the flush every backoff step instead of every
// persist_interval, and the first flush that succeeds clears it.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "stemedb/ops/metrics.h"
#include "stemedb/storage/memtable.h"
#include "stemedb/storage/tier.h"

namespace stemedb::storage {

struct TieredKvOptions {
  size_t memory_tier_bytes_max = 256u << 20;  // writes are refused (degraded) beyond this
  size_t memtable_bytes_flush = 16u << 20;    // the active table is swapped out at this size...
  std::chrono::milliseconds flush_interval{500};  // ...or this old
  std::chrono::milliseconds persist_interval{10000};
};

class TieredKv {
 public:
  TieredKv(std::unique_ptr<Tier> tier, TieredKvOptions options, ops::Registry& metrics);
  ~TieredKv();
  TieredKv(const TieredKv&) = delete;
  TieredKv& operator=(const TieredKv&) = delete;

  // Reads the tier's applied position (where replay starts) and starts the flusher.
  Result<AppliedPosition> Open();
  // Flushes everything to the tier, persists it and stops the flusher.
  Status Close();

  // ---- the single writer ----
  // Holds the writer's place for one record's entries, so a flush never splits a record.
  class WriteScope {
   public:
    explicit WriteScope(TieredKv& kv) : kv_(kv), lock_(kv.writer_mu_) {}
    ~WriteScope() { kv_.AfterWrite(); }
    void Put(CfId cf, std::string_view key, std::string_view value) { kv_.active_->Put(cf, key, value); }
    // Every entry of the record ending at this position is in. Release: a reader that sees
    // the seq (acquire) sees every entry up to it.
    void Advance(const AppliedPosition& p) {
      kv_.position_ = p;
      kv_.applied_offset_.store(p.offset, std::memory_order_release);
      kv_.applied_seq_.store(p.seq, std::memory_order_release);
    }

   private:
    TieredKv& kv_;
    std::unique_lock<std::mutex> lock_;
  };

  // ---- any thread ----
  // Newest value, memory first. A tier error is kUnavailable ("storage_unavailable").
  Result<std::optional<std::string>> Get(CfId cf, std::string_view key);
  // Keys in [start, end) (end empty: no bound), newest value each, in order, at most `limit`.
  Status Scan(CfId cf, std::string_view start, std::string_view end, size_t limit, const ScanFn& fn);

  // Flushes the memory tier now and waits (checkpoint, shutdown). Fails if the tier does.
  Status FlushAndPersist();
  Result<AppliedPosition> Checkpoint(const std::string& dir);

  AppliedPosition applied_position() const;    // in memory (what reads see)
  AppliedPosition persisted_position() const;  // durable in the tier (where replay would start)
  size_t memory_bytes() const;
  // The tier is failing and the memory tier has passed its bound: refuse writes.
  bool degraded() const { return degraded_.load(); }
  bool over_memory_bound() const { return memory_bytes() > options_.memory_tier_bytes_max; }
  // The last tier write or flush failed with ENOSPC and no flush has succeeded since.
  bool disk_full() const { return disk_full_.load(); }
  Status disk_full_error() const;  // that failure; OK when not disk_full
  std::vector<std::pair<std::string, double>> Stats();

 private:
  struct Snapshot {
    std::shared_ptr<MemTable> active, imm;
  };
  Snapshot Current() const;
  void FlusherLoop();
  bool FlushOnce();  // false on tier error
  Status PersistOnce();
  void NoteTierError(const Status& s);
  void AfterWrite();  // under writer_mu_: wake the flusher when the active table is full

  std::unique_ptr<Tier> tier_;
  TieredKvOptions options_;

  std::mutex writer_mu_;  // the writer's record scope, and the flusher's swap
  // One flush (and one persist) at a time: the background flusher and a checkpoint's
  // FlushAndPersist both flush, and two that overlap could write an older table over a newer
  // one's values in RocksDB, or publish an older persisted position after a newer one.
  std::mutex flush_mu_;
  AppliedPosition position_;  // guarded by writer_mu_
  std::atomic<uint64_t> applied_offset_{0};  // copies of position_ for observers
  std::atomic<uint64_t> applied_seq_{0};

  mutable std::mutex version_mu_;  // guards the pointers below; held for nanoseconds
  std::shared_ptr<MemTable> active_;
  std::shared_ptr<MemTable> imm_;
  AppliedPosition imm_position_;
  AppliedPosition flushed_position_;
  AppliedPosition persisted_position_;
  std::chrono::steady_clock::time_point active_since_;

  std::mutex flusher_mu_;
  std::condition_variable flusher_cv_;
  bool stop_ = false;
  bool flush_requested_ = false;
  std::thread flusher_;
  std::atomic<bool> degraded_{false};
  std::atomic<bool> disk_full_{false};
  mutable std::mutex disk_full_mu_;
  Status disk_full_error_;  // guarded by disk_full_mu_

  struct Metrics;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace stemedb::storage

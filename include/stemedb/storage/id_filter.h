#pragma once
// Which assertion ids may be stored: a Bloom filter that answers "certainly not" for an id never
// stored, so the write path's look-ups of a new assertion's id (the write check, then the apply
// step) skip the store. Almost every id a client posts is new, and each look-up searched both
// memory-tier skip lists, RocksDB's memtables and its bloom filters to find nothing (5.6% of the
// server's CPU on batches, docs/benchmarks.md).
//
// Scalable (Almeida et al., "Scalable Bloom Filters", 2007): a stage of 10 bits an id holds its
// capacity at about 1% false positives; when it is full a stage of twice the capacity is added
// and new ids go there; a look-up asks every stage. Memory is about 2.5 bytes an id stored.
//
// Complete or not: ids stored before the process started are added by a start-up scan
// (Store::Open starts it in the background), and until it has finished MayContain answers "may"
// for every id, so the filter never speeds a write up by answering wrongly. The apply step adds
// each new assertion's id before writing its entries.
//
// Thread safety: any number of threads add and look up; bits are set with atomic OR, stages are
// published with release and read with acquire.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "stemedb/core/types.h"

namespace stemedb::storage {

class IdFilter {
 public:
  explicit IdFilter(size_t first_stage_ids = kFirstStageIds);
  ~IdFilter();
  IdFilter(const IdFilter&) = delete;
  IdFilter& operator=(const IdFilter&) = delete;

  void Add(const core::Hash32& id);
  // False only for an id never added, once the filter is complete.
  bool MayContain(const core::Hash32& id) const;
  // Every id stored before the filter existed has been added.
  void MarkComplete() { complete_.store(true, std::memory_order_release); }
  bool complete() const { return complete_.load(std::memory_order_acquire); }

  size_t ids() const;
  size_t bytes() const;

  static constexpr size_t kFirstStageIds = 1u << 20;
  static constexpr size_t kStagesMax =
      20;  // the last holds 2^19 times the first: more ids overfill it

 private:
  struct Stage;
  Stage* AddTarget();

  const size_t first_stage_ids_;
  std::array<std::atomic<Stage*>, kStagesMax> stages_{};
  std::atomic<size_t> stage_count_{0};
  std::mutex grow_mu_;
  std::atomic<bool> complete_{false};
};

}  // namespace stemedb::storage

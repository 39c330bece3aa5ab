#pragma once
// Bump allocation for a memtable: many small allocations freed all at once when the memtable
// is dropped. Only the single writer allocates; readers only read what was published.

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace stemedb::storage {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Memory aligned for pointers (skiplist nodes hold atomics).
  char* AllocateAligned(size_t bytes);
  // Bytes reserved from the system so far; read by other threads for the memory bound.
  size_t MemoryUsage() const { return memory_usage_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kBlockBytes = 64 * 1024;
  char* AllocateNewBlock(size_t bytes);

  char* ptr_ = nullptr;
  size_t remaining_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::atomic<size_t> memory_usage_{0};
};

}  // namespace stemedb::storage

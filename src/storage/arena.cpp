#include "stemedb/storage/arena.h"

#include <cassert>
#include <cstdint>

namespace stemedb::storage {

char* Arena::AllocateAligned(size_t bytes) {
  constexpr size_t kAlign = alignof(std::max_align_t);
  size_t mod = reinterpret_cast<uintptr_t>(ptr_) & (kAlign - 1);
  size_t slop = mod == 0 ? 0 : kAlign - mod;
  size_t needed = bytes + slop;
  if (needed <= remaining_) {
    char* result = ptr_ + slop;
    ptr_ += needed;
    remaining_ -= needed;
    return result;
  }
  // Large values get a block of their own so the current block's tail is not wasted.
  if (bytes > kBlockBytes / 4) return AllocateNewBlock(bytes);
  ptr_ = AllocateNewBlock(kBlockBytes);
  remaining_ = kBlockBytes;
  char* result = ptr_;
  ptr_ += bytes;
  remaining_ -= bytes;
  assert((reinterpret_cast<uintptr_t>(result) & (kAlign - 1)) == 0);
  return result;
}

char* Arena::AllocateNewBlock(size_t bytes) {
  // operator new[] of char returns memory aligned for any fundamental type.
  blocks_.push_back(std::unique_ptr<char[]>(new char[bytes]));
  memory_usage_.fetch_add(bytes + sizeof(char*), std::memory_order_relaxed);
  return blocks_.back().get();
}

}  // namespace stemedb::storage

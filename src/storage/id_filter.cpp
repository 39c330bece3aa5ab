#include "stemedb/storage/id_filter.h"

#include <cstring>

#include "stemedb/ground/check.h"

namespace stemedb::storage {
namespace {

constexpr size_t kBitsPerId = 10;
constexpr int kProbes = 7;  // the false-positive optimum for 10 bits an id: about 0.8%

// Ids are SHA-256 digests: their bytes are already uniform, so two words of them are the two
// hashes of double hashing (Kirsch and Mitzenmacher).
struct Hashes {
  uint64_t h1, h2;
};
Hashes HashesOf(const core::Hash32& id) {
  Hashes h;
  std::memcpy(&h.h1, id.data(), 8);
  std::memcpy(&h.h2, id.data() + 8, 8);
  h.h2 |= 1;  // odd, so the probes cycle through every bit
  return h;
}

}  // namespace

struct IdFilter::Stage {
  explicit Stage(size_t capacity_ids)
      : capacity(capacity_ids),
        bits(capacity_ids * kBitsPerId),
        words(new std::atomic<uint64_t>[bits / 64 + 1]) {
    for (size_t i = 0; i <= bits / 64; ++i) words[i].store(0, std::memory_order_relaxed);
  }
  void Add(const Hashes& h) {
    for (int i = 0; i < kProbes; ++i) {
      const uint64_t bit = (h.h1 + static_cast<uint64_t>(i) * h.h2) % bits;
      words[bit / 64].fetch_or(uint64_t{1} << (bit % 64), std::memory_order_release);
    }
    added.fetch_add(1, std::memory_order_relaxed);
  }
  bool MayContain(const Hashes& h) const {
    for (int i = 0; i < kProbes; ++i) {
      const uint64_t bit = (h.h1 + static_cast<uint64_t>(i) * h.h2) % bits;
      if ((words[bit / 64].load(std::memory_order_acquire) & (uint64_t{1} << (bit % 64))) == 0)
        return false;
    }
    return true;
  }

  const size_t capacity;
  const uint64_t bits;
  std::unique_ptr<std::atomic<uint64_t>[]> words;
  std::atomic<size_t> added{0};
};

IdFilter::IdFilter(size_t first_stage_ids) : first_stage_ids_(first_stage_ids) {
  STEMEDB_CHECK(first_stage_ids_ > 0);
  stages_[0].store(new Stage(first_stage_ids_), std::memory_order_release);
  stage_count_.store(1, std::memory_order_release);
}

IdFilter::~IdFilter() {
  for (auto& s : stages_) delete s.load();
}

IdFilter::Stage* IdFilter::AddTarget() {
  size_t n = stage_count_.load(std::memory_order_acquire);
  Stage* last = stages_[n - 1].load(std::memory_order_acquire);
  if (last->added.load(std::memory_order_relaxed) < last->capacity || n == kStagesMax) return last;
  std::lock_guard lock(grow_mu_);
  n = stage_count_.load(std::memory_order_acquire);
  last = stages_[n - 1].load(std::memory_order_acquire);
  if (last->added.load(std::memory_order_relaxed) < last->capacity || n == kStagesMax) return last;
  auto* next = new Stage(last->capacity * 2);
  stages_[n].store(next, std::memory_order_release);
  stage_count_.store(n + 1, std::memory_order_release);
  return next;
}

void IdFilter::Add(const core::Hash32& id) { AddTarget()->Add(HashesOf(id)); }

bool IdFilter::MayContain(const core::Hash32& id) const {
  if (!complete()) return true;
  const Hashes h = HashesOf(id);
  const size_t n = stage_count_.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i) {
    if (stages_[i].load(std::memory_order_acquire)->MayContain(h)) return true;
  }
  return false;
}

size_t IdFilter::ids() const {
  size_t total = 0;
  const size_t n = stage_count_.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i)
    total += stages_[i].load(std::memory_order_acquire)->added.load(std::memory_order_relaxed);
  return total;
}

size_t IdFilter::bytes() const {
  size_t total = 0;
  const size_t n = stage_count_.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i)
    total += (stages_[i].load(std::memory_order_acquire)->bits / 64 + 1) * 8;
  return total;
}

}  // namespace stemedb::storage

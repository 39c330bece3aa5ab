#pragma once
// The first `depth` entries of a ranking whose rows arrive one chunk at a time, in any order:
// a bounded heap with the worst kept entry on top, so memory is `depth` entries whatever the
// number of rows. Internal to the streamed resolution (streamed.h).

#include <algorithm>
#include <cstdint>
#include <vector>

namespace stemedb::query {

// Entry: any value. Ahead: a strict total order, `ahead(a, b)` when a ranks before b.
template <typename Entry, typename Ahead>
class RankedPage {
 public:
  RankedPage(size_t depth, Ahead ahead) : depth_(depth), ahead_(ahead) {}

  // True when an entry equal to `probe` would be kept: lets a caller skip building one.
  bool WouldKeep(const Entry& probe) const {
    return depth_ > 0 && (heap_.size() < depth_ || ahead_(probe, heap_.front()));
  }
  void Offer(Entry entry) {
    if (!WouldKeep(entry)) return;
    if (heap_.size() == depth_) {
      std::pop_heap(heap_.begin(), heap_.end(), ahead_);
      heap_.pop_back();
    }
    heap_.push_back(std::move(entry));
    std::push_heap(heap_.begin(), heap_.end(), ahead_);
  }
  // The kept entries, first ranked first. Leaves the page empty.
  std::vector<Entry> TakeRanked() {
    std::sort_heap(heap_.begin(), heap_.end(), ahead_);
    return std::move(heap_);
  }
  size_t size() const { return heap_.size(); }

 private:
  size_t depth_;
  Ahead ahead_;
  // A max-heap under `ahead_` as the "less" order: the entry ranked last is on top.
  std::vector<Entry> heap_;
};

}  // namespace stemedb::query

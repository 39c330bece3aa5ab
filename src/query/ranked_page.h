#pragma once
// The first `depth` entries of a ranking whose rows arrive one chunk at a time, in any order:
// a bounded heap with the worst kept entry on top, so memory is `depth` entries whatever the
// number of rows. Internal to the streamed resolution (streamed.h).

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
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

// A RankedPage per group, for a ranking by group whose group order is known only once every row
// has been seen: each group keeps its own best `depth`, so the first `depth` of the whole
// ranking are among them whatever the order turns out to be. Bounded: once the groups times the
// depth would pass `entries_max`, gathering stops (overflowed()) and the caller reads the rows
// again with the group order known.
template <typename Entry, typename Ahead>
class GroupPages {
 public:
  using Page = RankedPage<Entry, Ahead>;
  struct BytesHash {
    using is_transparent = void;
    size_t operator()(std::string_view bytes) const { return std::hash<std::string_view>{}(bytes); }
  };
  using Map = std::unordered_map<std::string, Page, BytesHash, std::equal_to<>>;

  GroupPages(size_t depth, Ahead ahead, size_t entries_max)
      : depth_(depth), ahead_(ahead), groups_max_(depth == 0 ? SIZE_MAX : entries_max / depth) {}

  // The page of `group`, or nullptr once overflowed.
  Page* PageOf(std::string_view group) {
    if (overflowed_) return nullptr;
    if (auto at = pages_.find(group); at != pages_.end()) return &at->second;
    if (pages_.size() >= groups_max_) {
      overflowed_ = true;
      pages_.clear();
      return nullptr;
    }
    return &pages_.emplace(std::string(group), Page(depth_, ahead_)).first->second;
  }
  bool overflowed() const { return overflowed_; }
  Map& pages() { return pages_; }

 private:
  size_t depth_;
  Ahead ahead_;
  size_t groups_max_;
  bool overflowed_ = false;
  Map pages_;
};

}  // namespace stemedb::query

#include "lineage.h"

#include <algorithm>

#include "stemedb/ground/check.h"
#include "stemedb/query/tie_order.h"

namespace stemedb::query {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

// `known` positions sorted by candidate id, for parent lookups by binary search.
std::vector<uint32_t> SortedById(std::span<const Candidate> candidates,
                                 std::span<const uint32_t> known) {
  std::vector<uint32_t> by_id(known.begin(), known.end());
  std::sort(by_id.begin(), by_id.end(), [&](uint32_t a, uint32_t b) {
    return IdSortsBefore(candidates[a].id, candidates[b].id);
  });
  return by_id;
}

uint32_t FindById(std::span<const Candidate> candidates, std::span<const uint32_t> by_id,
                  const AssertionId& id) {
  auto it = std::lower_bound(by_id.begin(), by_id.end(), id, [&](uint32_t index, const Id32& key) {
    return IdSortsBefore(candidates[index].id, key);
  });
  return (it != by_id.end() && candidates[*it].id == id) ? *it : kNone;
}

// The lineage parent of `child`: its parent_hash, when known and at an earlier stage.
uint32_t LineageParent(std::span<const Candidate> candidates, std::span<const uint32_t> by_id,
                       uint32_t child) {
  const Candidate& c = candidates[child];
  if (!c.parent) return kNone;
  uint32_t parent = FindById(candidates, by_id, *c.parent);
  if (parent == kNone) return kNone;
  return IsLaterLifecycleStage(candidates[parent].lifecycle, c.lifecycle) ? parent : kNone;
}

}  // namespace

Result<std::vector<uint32_t>> KeepNewestDescendants(std::span<const Candidate> candidates,
                                                    std::span<const uint32_t> known) {
  // Most claims never change stage: without a parent in sight there is nothing to replace, and
  // the id sort below would be a fifth of a resolution's cost.
  bool any_parent = std::any_of(known.begin(), known.end(), [&](uint32_t index) {
    return candidates[index].parent.has_value();
  });
  if (!any_parent) return std::vector<uint32_t>(known.begin(), known.end());
  std::vector<uint32_t> by_id = SortedById(candidates, known);
  for (size_t i = 1; i < by_id.size(); ++i) {
    if (candidates[by_id[i - 1]].id == candidates[by_id[i]].id) {
      return Status::InvalidArgument("two candidates share an id (candidates[" +
                                     std::to_string(by_id[i]) + "])");
    }
  }
  // parent_of and has_later_child are indexed by candidate index; only `known` entries are used.
  std::vector<uint32_t> parent_of(candidates.size(), kNone);
  std::vector<uint8_t> has_later_child(candidates.size(), 0);
  for (uint32_t child : known) {
    uint32_t parent = LineageParent(candidates, by_id, child);
    parent_of[child] = parent;
    if (parent != kNone) has_later_child[parent] = 1;
  }
  // (root, leaf) for every leaf. Each edge moves strictly later in the lifecycle order, so a walk
  // is at most kLifecycleCount - 1 edges long even on hostile data (ids cannot form cycles, and
  // stages cannot either).
  std::vector<std::pair<uint32_t, uint32_t>> root_leaf;
  for (uint32_t index : known) {
    if (has_later_child[index]) continue;
    uint32_t root = index;
    size_t steps = 0;
    while (parent_of[root] != kNone) {
      root = parent_of[root];
      STEMEDB_CHECK(++steps < kLifecycleCount);
    }
    root_leaf.emplace_back(root, index);
  }
  std::sort(root_leaf.begin(), root_leaf.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return Newer(candidates[a.second], candidates[b.second]);
  });
  std::vector<uint32_t> kept;
  kept.reserve(root_leaf.size());
  for (size_t i = 0; i < root_leaf.size(); ++i) {
    if (i == 0 || root_leaf[i].first != root_leaf[i - 1].first) kept.push_back(root_leaf[i].second);
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

}  // namespace stemedb::query

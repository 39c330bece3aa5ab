#include "stemedb/query/epoch_index.h"

#include <algorithm>

namespace stemedb::query {
namespace {

void SortUnique(std::vector<EpochId>& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

}  // namespace

EpochIndex::EpochIndex(std::span<const EpochLink> epochs) {
  known_.reserve(epochs.size());
  for (const EpochLink& epoch : epochs) {
    known_.push_back(epoch.id);
    if (epoch.supersedes) superseded_.push_back(*epoch.supersedes);
  }
  SortUnique(known_);
  SortUnique(superseded_);
}

EpochState EpochIndex::State(const EpochId& id) const {
  if (!std::binary_search(known_.begin(), known_.end(), id)) return EpochState::kUnknown;
  if (std::binary_search(superseded_.begin(), superseded_.end(), id)) {
    return EpochState::kSuperseded;
  }
  return EpochState::kCurrent;
}

}  // namespace stemedb::query

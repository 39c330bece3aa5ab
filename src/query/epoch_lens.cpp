#include "epoch_lens.h"

#include <algorithm>

namespace stemedb::query {
namespace {

struct EpochEntry {
  const EpochId* id;
  EpochState state = EpochState::kUnknown;
  uint32_t kept_count = 0;
};

// One entry per distinct epoch of the kept candidates, sorted by id, with its state looked up.
std::vector<EpochEntry> DistinctEpochs(std::span<const Candidate> candidates,
                                       std::span<const uint32_t> kept, const Context& context) {
  std::vector<EpochEntry> epochs;
  for (uint32_t index : kept) {
    if (candidates[index].epoch) epochs.push_back(EpochEntry{.id = &*candidates[index].epoch});
  }
  std::sort(epochs.begin(), epochs.end(),
            [](const EpochEntry& a, const EpochEntry& b) { return IdSortsBefore(*a.id, *b.id); });
  epochs.erase(std::unique(epochs.begin(), epochs.end(),
                           [](const EpochEntry& a, const EpochEntry& b) { return *a.id == *b.id; }),
               epochs.end());
  if (context.epoch_state) {
    for (EpochEntry& entry : epochs) entry.state = context.epoch_state(*entry.id);
  }
  return epochs;
}

EpochEntry& Lookup(std::vector<EpochEntry>& epochs, const EpochId& id) {
  auto it = std::lower_bound(
      epochs.begin(), epochs.end(), id,
      [](const EpochEntry& entry, const EpochId& key) { return IdSortsBefore(*entry.id, key); });
  return *it;  // present by construction
}

}  // namespace

std::vector<uint32_t> KeepCurrentEpochs(std::span<const Candidate> candidates,
                                        std::span<const uint32_t> kept, const Context& context,
                                        std::vector<UnknownEpoch>& unknown) {
  std::vector<EpochEntry> epochs = DistinctEpochs(candidates, kept, context);
  std::vector<uint32_t> current;
  current.reserve(kept.size());
  for (uint32_t index : kept) {
    const Candidate& c = candidates[index];
    if (c.epoch) {
      EpochEntry& entry = Lookup(epochs, *c.epoch);
      if (entry.state == EpochState::kSuperseded) continue;
      ++entry.kept_count;
    }
    current.push_back(index);
  }
  for (const EpochEntry& entry : epochs) {
    if (entry.state == EpochState::kUnknown) unknown.push_back({*entry.id, entry.kept_count});
  }
  return current;
}

std::vector<uint32_t> DropSupersededEpochs(std::span<const Candidate> candidates,
                                           std::span<const uint32_t> kept, const Context& context,
                                           Warnings& warnings) {
  std::vector<UnknownEpoch> unknown;
  std::vector<uint32_t> current = KeepCurrentEpochs(candidates, kept, context, unknown);
  for (const UnknownEpoch& epoch : unknown) warnings.Add(UnknownEpochWarning(epoch));
  return current;
}

Warning UnknownEpochWarning(const UnknownEpoch& epoch) {
  return Warning{.code = WarningCode::kUnknownEpoch,
                 .id = epoch.id,
                 .source_hash = std::nullopt,
                 .candidates_count = epoch.kept_count};
}

}  // namespace stemedb::query

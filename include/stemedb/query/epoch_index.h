#pragma once
// The status of epochs, computed from the epoch records themselves, for Context::epoch_state.
//
// "Superseded, transitively, following every supersedes chain" (lenses.md): in a chain
// A <- B <- C (B supersedes A, C supersedes B) both A and B are superseded and C is current, and
// an epoch superseded by several later ones is superseded along each chain. Every epoch on a
// chain except its head is itself the target of some `supersedes` link, so the transitive
// closure reduces to one question per epoch, "does any known epoch supersede it?", answered
// here by binary search without walking chains (so a cycle in bad data cannot loop).

#include <optional>
#include <span>
#include <vector>

#include "stemedb/query/context.h"
#include "stemedb/query/types.h"

namespace stemedb::query {

struct EpochLink {
  EpochId id{};
  std::optional<EpochId> supersedes{};
};

class EpochIndex {
 public:
  explicit EpochIndex(std::span<const EpochLink> epochs);

  // kUnknown when no record has this id; kSuperseded when some record supersedes it.
  EpochState State(const EpochId& id) const;

 private:
  std::vector<EpochId> known_;       // sorted, unique
  std::vector<EpochId> superseded_;  // sorted, unique
};

}  // namespace stemedb::query

#pragma once
// The layered view (lenses.md): the authority lens run inside each tier on its own, whether the
// tiers disagree, and the overall winner from the most authoritative tier that has candidates.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/query/candidate.h"
#include "stemedb/query/context.h"
#include "stemedb/query/filter.h"
#include "stemedb/query/lens.h"
#include "stemedb/query/warning.h"

namespace stemedb::query {

struct LayeredTier {
  Tier tier = Tier::kRegulatory;
  RankedCandidate winner;  // the tier's authority winner, with its authority weight
  double resolution_confidence = 0;
  double conflict_score = 0;  // within the tier
  size_t candidates_count = 0;
};

struct LayeredView {
  std::vector<LayeredTier> tiers{};         // populated tiers only, most authoritative first
  bool cross_tier_conflict = false;         // the tier winners' objects are not all equal
  std::optional<RankedCandidate> winner{};  // the first tier's winner
  size_t candidates_count = 0;
  Warnings warnings{};
};

Result<LayeredView> ResolveLayered(std::span<const Candidate> candidates, const Filter& filter,
                                   const Context& context);

}  // namespace stemedb::query

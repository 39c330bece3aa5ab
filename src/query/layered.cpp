#include "stemedb/query/layered.h"

#include <algorithm>

#include "ranking_lenses.h"
#include "scored.h"

namespace stemedb::query {
namespace {

// Runs the authority lens on one tier's rows.
Result<LayeredTier> ResolveTier(std::span<const Candidate> candidates, std::span<Scored> rows,
                                const Context& context) {
  LensResult tier_result;
  STEMEDB_RETURN_IF_ERROR(RankByAuthority(candidates, rows, context, tier_result));
  return LayeredTier{.tier = candidates[rows.front().index].tier,
                     .winner = *tier_result.winner,
                     .resolution_confidence = tier_result.resolution_confidence,
                     .conflict_score = tier_result.conflict_score,
                     .candidates_count = rows.size()};
}

bool WinnersDisagree(std::span<const Candidate> candidates, std::span<const LayeredTier> tiers) {
  for (const LayeredTier& tier : tiers) {
    if (candidates[tier.winner.index].object != candidates[tiers.front().winner.index].object)
      return true;
  }
  return false;
}

}  // namespace

Result<LayeredView> ResolveLayered(std::span<const Candidate> candidates, const Filter& filter,
                                   const Context& context) {
  auto filtered = FilterAndScore(candidates, filter, context);
  if (!filtered.ok()) return filtered.status();
  LayeredView view;
  view.warnings = std::move(filtered->warnings);
  std::vector<Scored> rows = std::move(filtered->rows);
  view.candidates_count = rows.size();
  // Rows of one tier side by side, most authoritative tier first.
  std::stable_sort(rows.begin(), rows.end(), [&](const Scored& a, const Scored& b) {
    return candidates[a.index].tier < candidates[b.index].tier;
  });
  for (size_t begin = 0; begin < rows.size();) {
    Tier tier = candidates[rows[begin].index].tier;
    size_t end = begin;
    while (end < rows.size() && candidates[rows[end].index].tier == tier) ++end;
    auto tier_view = ResolveTier(candidates, std::span(rows).subspan(begin, end - begin), context);
    if (!tier_view.ok()) return tier_view.status();
    view.tiers.push_back(*tier_view);
    begin = end;
  }
  if (!view.tiers.empty()) {
    view.winner = view.tiers.front().winner;
    view.cross_tier_conflict = WinnersDisagree(candidates, view.tiers);
  }
  return view;
}

}  // namespace stemedb::query

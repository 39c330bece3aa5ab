#include "stemedb/query/skeptic.h"

#include <algorithm>

#include "grouping.h"
#include "ranking_lenses.h"
#include "scored.h"
#include "stemedb/query/conflict_score.h"

namespace stemedb::query {
namespace {

SkepticStatus StatusOf(size_t claims_count, double conflict_score) {
  if (claims_count <= 1) return SkepticStatus::kUnanimous;
  return conflict_score >= kContestedConflictScore ? SkepticStatus::kContested
                                                   : SkepticStatus::kAgreed;
}

// Appends the claim's assertions (already in rank order) and its distinct tiers.
void AddAssertion(SkepticClaim& claim, const Candidate& c, uint32_t index) {
  claim.assertions.push_back(index);
  auto at = std::lower_bound(claim.tiers.begin(), claim.tiers.end(), c.tier);
  if (at == claim.tiers.end() || *at != c.tier) claim.tiers.insert(at, c.tier);
}

}  // namespace

std::string_view SkepticStatusName(SkepticStatus status) {
  switch (status) {
    case SkepticStatus::kUnanimous:
      return "unanimous";
    case SkepticStatus::kAgreed:
      return "agreed";
    case SkepticStatus::kContested:
      return "contested";
  }
  return "unknown";
}

Result<SkepticView> ResolveSkeptic(std::span<const Candidate> candidates, const Filter& filter,
                                   const Context& context) {
  auto filtered = FilterAndScore(candidates, filter, context);
  if (!filtered.ok()) return filtered.status();
  SkepticView view;
  view.warnings = std::move(filtered->warnings);
  std::vector<Scored> rows = std::move(filtered->rows);
  view.candidates_count = rows.size();
  if (rows.empty()) return view;
  auto groups = AuthorityGroups(candidates, rows, context);
  if (!groups.ok()) return groups.status();
  double total = TotalWeight(*groups);
  view.conflict_score = ConflictScore(GroupWeights(*groups));
  view.status = StatusOf(groups->size(), view.conflict_score);
  std::vector<uint32_t> group_rank = RankGroups(candidates, rows, *groups);
  std::vector<uint32_t> place_of_group(groups->size());
  view.claims.resize(groups->size());
  for (uint32_t place = 0; place < group_rank.size(); ++place) {
    const Group& group = (*groups)[group_rank[place]];
    place_of_group[group_rank[place]] = place;
    SkepticClaim& claim = view.claims[place];
    claim.representative = rows[group.representative].index;
    claim.support = group.weight;
    claim.share = total > 0.0 ? group.weight / total : 0.0;
    claim.assertions.reserve(group.members);
    claim.assertions_count = group.members;
  }
  view.claims_count = view.claims.size();
  for (uint32_t position : RankRowsByGroup(candidates, rows, group_rank, Pick::kHeaviest)) {
    const Scored& row = rows[position];
    AddAssertion(view.claims[place_of_group[row.group]], candidates[row.index], row.index);
  }
  return view;
}

}  // namespace stemedb::query

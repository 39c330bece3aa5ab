// The group-based lenses (consensus, vote, authority) and the dispatcher.
#include "ranking_lenses.h"

#include "stemedb/ground/check.h"
#include "stemedb/query/conflict_score.h"

namespace stemedb::query {
namespace {

// Winner, resolution confidence (top group weight / denominator; 0 when the denominator is 0),
// conflict and ranking, once the groups have their weights.
void FinishGroupLens(std::span<const Candidate> candidates, std::span<const Scored> rows,
                     std::span<Group> groups, Pick pick, double denominator, LensResult& out) {
  PickRepresentatives(candidates, rows, groups, pick);
  std::vector<uint32_t> group_rank = RankGroups(candidates, rows, groups);
  const Group& top = groups[group_rank.front()];
  out.resolution_confidence = denominator > 0.0 ? top.weight / denominator : 0.0;
  STEMEDB_CHECK(out.resolution_confidence >= 0.0 && out.resolution_confidence <= 1.0 + 1e-12);
  out.conflict_score = ConflictScore(GroupWeights(groups));
  FillRanked(rows, RankRowsByGroup(candidates, rows, group_rank, pick), out);
  // The top group's representative ranks first in its group, so the winner heads the ranking.
  STEMEDB_CHECK(out.winner && out.winner->index == rows[top.representative].index);
}

}  // namespace

void FillRanked(std::span<const Scored> rows, std::span<const uint32_t> order, LensResult& out) {
  out.ranked.reserve(out.ranked.size() + order.size());
  for (uint32_t position : order) {
    const Scored& row = rows[position];
    out.ranked.push_back(RankedCandidate{.index = row.index,
                                         .effective_confidence = row.effective_confidence,
                                         .weight = row.weight,
                                         .counted = row.counted});
  }
  if (!out.ranked.empty()) out.winner = out.ranked.front();
}

void RankByConsensus(std::span<const Candidate> candidates, std::span<Scored> rows,
                     LensResult& out) {
  if (rows.empty()) return;
  std::vector<Group> groups = GroupByObject(candidates, rows);
  uint32_t agents_count = CountDistinctSigners(candidates, rows, groups);
  FinishGroupLens(candidates, rows, groups, Pick::kNewest, agents_count, out);
}

void RankByVote(std::span<const Candidate> candidates, std::span<Scored> rows, LensResult& out) {
  if (rows.empty()) return;
  SetVoteWeights(candidates, rows);
  std::vector<Group> groups = GroupByObject(candidates, rows);
  SumOncePerAuthor(candidates, rows, groups);
  FinishGroupLens(candidates, rows, groups, Pick::kNewest, TotalWeight(groups), out);
}

Result<std::vector<Group>> AuthorityGroups(std::span<const Candidate> candidates,
                                           std::span<Scored> rows, const Context& context) {
  STEMEDB_RETURN_IF_ERROR(SetAuthorityWeights(candidates, rows, context));
  std::vector<Group> groups = GroupByObject(candidates, rows);
  SumOncePerAuthor(candidates, rows, groups);
  PickRepresentatives(candidates, rows, groups, Pick::kHeaviest);
  return groups;
}

Status RankByAuthority(std::span<const Candidate> candidates, std::span<Scored> rows,
                       const Context& context, LensResult& out) {
  if (rows.empty()) return Status::OK();
  auto groups = AuthorityGroups(candidates, rows, context);
  if (!groups.ok()) return groups.status();
  FinishGroupLens(candidates, rows, *groups, Pick::kHeaviest, TotalWeight(*groups), out);
  return Status::OK();
}

Status RankBy(LensKind ranking_lens, std::span<const Candidate> candidates, std::span<Scored> rows,
              const Context& context, LensResult& out) {
  switch (ranking_lens) {
    case LensKind::kRecency:
      RankByRecency(candidates, rows, out);
      return Status::OK();
    case LensKind::kConfidence:
      RankByConfidence(candidates, rows, out);
      return Status::OK();
    case LensKind::kConsensus:
      RankByConsensus(candidates, rows, out);
      return Status::OK();
    case LensKind::kVote:
      RankByVote(candidates, rows, out);
      return Status::OK();
    case LensKind::kAuthority:
      return RankByAuthority(candidates, rows, context, out);
    case LensKind::kEpoch:
      break;
  }
  return Status::InvalidArgument("lens " + std::string(LensName(ranking_lens)) +
                                 " cannot rank candidates directly");
}

}  // namespace stemedb::query

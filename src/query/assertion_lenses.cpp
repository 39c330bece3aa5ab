// The lenses that rank single assertions (recency, confidence) rather than groups.
#include <algorithm>
#include <numeric>

#include "ranking_lenses.h"
#include "stemedb/query/conflict_score.h"
#include "stemedb/query/tie_order.h"

namespace stemedb::query {
namespace {

// lenses.md: "1.0 alone; else by gap to the runner-up: > 1 day 0.95, > 1 hour 0.8,
// > 1 minute 0.6, else 0.5".
double RecencyConfidence(int64_t gap_s) {
  if (gap_s > 86400) return 0.95;
  if (gap_s > 3600) return 0.8;
  if (gap_s > 60) return 0.6;
  return 0.5;
}

std::vector<uint32_t> SortedRows(std::span<const Candidate> candidates,
                                 std::span<const Scored> rows, Pick pick) {
  std::vector<uint32_t> order(rows.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return RanksAhead(candidates, rows[a], rows[b], pick); });
  return order;
}

}  // namespace

void RankByRecency(std::span<const Candidate> candidates, std::span<Scored> rows, LensResult& out) {
  if (rows.empty()) return;
  std::vector<Group> groups = GroupByObject(candidates, rows);
  CountDistinctSigners(candidates, rows, groups);
  out.conflict_score = ConflictScore(GroupWeights(groups));
  std::vector<uint32_t> order = SortedRows(candidates, rows, Pick::kNewest);
  const Scored& winner = rows[order.front()];
  // The runner-up is the newest claim of another value: a second voice agreeing with the
  // winner makes the answer no less certain.
  auto runner_up = std::find_if(order.begin(), order.end(), [&](uint32_t position) {
    return rows[position].group != winner.group;
  });
  out.resolution_confidence = 1.0;
  if (runner_up != order.end()) {
    int64_t gap_s = 0;
    if (__builtin_sub_overflow(candidates[winner.index].timestamp_s,
                               candidates[rows[*runner_up].index].timestamp_s, &gap_s)) {
      gap_s = INT64_MAX;  // only reachable with absurd timestamps; the gap is "huge" either way
    }
    out.resolution_confidence = RecencyConfidence(gap_s);
  }
  FillRanked(rows, order, out);
}

void RankByConfidence(std::span<const Candidate> candidates, std::span<Scored> rows,
                      LensResult& out) {
  if (rows.empty()) return;
  SetConfidenceWeights(rows);
  std::vector<Group> groups = GroupByObject(candidates, rows);
  SumOncePerAuthor(candidates, rows, groups);
  out.conflict_score = ConflictScore(GroupWeights(groups));
  std::vector<uint32_t> order = SortedRows(candidates, rows, Pick::kHeaviest);
  const Scored& winner = rows[order.front()];
  out.resolution_confidence = winner.effective_confidence;
  FillRanked(rows, order, out);
}

}  // namespace stemedb::query

#include "scored.h"

#include <algorithm>

#include "stemedb/query/weights.h"

namespace stemedb::query {
namespace {

Result<double> MaxSignerTrust(const Candidate& c, const Context& context) {
  if (!context.trust) return kDefaultTrust;
  double trust_max = 0.0;
  for (const AgentId& signer : c.signers) {
    double trust = context.trust(signer);
    if (!(trust >= 0.0 && trust <= 1.0)) {  // also refuses NaN
      return Status::InvalidArgument("trust of a signer is outside 0..1: " + std::to_string(trust));
    }
    trust_max = std::max(trust_max, trust);
  }
  return trust_max;
}

}  // namespace

std::vector<Scored> ScoreCandidates(std::span<const Candidate> candidates,
                                    std::span<const uint32_t> kept, int64_t now_s, bool decay) {
  std::vector<Scored> rows;
  rows.reserve(kept.size());
  for (uint32_t index : kept) {
    const Candidate& c = candidates[index];
    rows.push_back(Scored{
        .index = index,
        .effective_confidence =
            EffectiveConfidence(c.confidence, c.tier, c.timestamp_s, now_s, decay),
    });
  }
  return rows;
}

Result<FilteredRows> FilterAndScore(std::span<const Candidate> candidates, const Filter& filter,
                                    const Context& context) {
  auto filtered = ApplyFilter(candidates, filter, context.now_s);
  if (!filtered.ok()) return filtered.status();
  return FilteredRows{ScoreCandidates(candidates, filtered->kept, filtered->now_s, context.decay),
                      std::move(filtered->warnings)};
}

void SetConfidenceWeights(std::span<Scored> rows) {
  for (Scored& row : rows) row.weight = row.effective_confidence;
}

void SetVoteWeights(std::span<const Candidate> candidates, std::span<Scored> rows) {
  for (Scored& row : rows) {
    row.weight = VoteSupport(row.effective_confidence, candidates[row.index].net_votes);
  }
}

Status SetAuthorityWeights(std::span<const Candidate> candidates, std::span<Scored> rows,
                           const Context& context) {
  for (Scored& row : rows) {
    const Candidate& c = candidates[row.index];
    auto trust_max = MaxSignerTrust(c, context);
    if (!trust_max.ok()) return trust_max.status();
    row.weight = AuthorityWeight(row.effective_confidence, c.tier, *trust_max, c.signers.size());
  }
  return Status::OK();
}

}  // namespace stemedb::query

#pragma once
// The ranking step of each lens: from filtered, scored rows to winner, resolution_confidence,
// conflict_score and the ranked candidates. Internal to lens.cpp, layered.cpp and skeptic.cpp.

#include <span>
#include <vector>

#include "grouping.h"
#include "scored.h"
#include "stemedb/ground/status.h"
#include "stemedb/query/candidate.h"
#include "stemedb/query/context.h"
#include "stemedb/query/lens.h"

namespace stemedb::query {

// Appends `rows` to out.ranked in `order`.
void FillRanked(std::span<const Scored> rows, std::span<const uint32_t> order, LensResult& out);

// Recency: the newest candidate wins; confidence from the gap to the newest candidate with a
// different object; conflict over distinct signing agents per object (as consensus).
void RankByRecency(std::span<const Candidate> candidates, std::span<Scored> rows, LensResult& out);

// Confidence: the largest effective confidence wins, and is the resolution confidence.
void RankByConfidence(std::span<const Candidate> candidates, std::span<Scored> rows,
                      LensResult& out);

// Consensus: the object with the most distinct signing agents; its newest assertion wins.
void RankByConsensus(std::span<const Candidate> candidates, std::span<Scored> rows,
                     LensResult& out);

// Vote: the group with the largest support; its newest assertion wins.
void RankByVote(std::span<const Candidate> candidates, std::span<Scored> rows, LensResult& out);

// Authority: the group with the largest authority weight; its heaviest assertion wins.
Status RankByAuthority(std::span<const Candidate> candidates, std::span<Scored> rows,
                       const Context& context, LensResult& out);

// The lens `ranking_lens` (anything but kEpoch) over `rows`.
Status RankBy(LensKind ranking_lens, std::span<const Candidate> candidates, std::span<Scored> rows,
              const Context& context, LensResult& out);

// Authority groups of `rows` (weights set, summed once per author, representatives picked):
// shared by the authority lens and the skeptic and layered views.
Result<std::vector<Group>> AuthorityGroups(std::span<const Candidate> candidates,
                                           std::span<Scored> rows, const Context& context);

}  // namespace stemedb::query

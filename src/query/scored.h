#pragma once
// A filtered candidate with the weights a lens computed for it: the working row of every lens.
// Rows refer to candidates by index, so scoring copies no strings and allocates one vector.

#include <cstdint>
#include <span>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/query/candidate.h"
#include "stemedb/query/context.h"
#include "stemedb/query/filter.h"

namespace stemedb::query {

struct Scored {
  uint32_t index = 0;               // into the caller's candidates
  double effective_confidence = 0;  // confidence after decay
  double weight = 0;                // the lens's own per-assertion weight
  uint32_t group = 0;               // distinct-object group (grouping.h)
  bool counted = false;             // its author's heaviest assertion in the group
};

// One row per kept candidate, in `kept` order, with effective confidence set and weight 0.
std::vector<Scored> ScoreCandidates(std::span<const Candidate> candidates,
                                    std::span<const uint32_t> kept, int64_t now_s, bool decay);

// The filter applied, then the kept candidates scored: where the skeptic and layered views start.
struct FilteredRows {
  std::vector<Scored> rows;
  Warnings warnings;
};
Result<FilteredRows> FilterAndScore(std::span<const Candidate> candidates, const Filter& filter,
                                    const Context& context);

// weight = effective confidence (confidence lens).
void SetConfidenceWeights(std::span<Scored> rows);

// weight = VoteSupport (vote lens).
void SetVoteWeights(std::span<const Candidate> candidates, std::span<Scored> rows);

// weight = AuthorityWeight, with the highest trust among each row's signers. Fails when the
// context's trust callback returns a value outside 0..1.
Status SetAuthorityWeights(std::span<const Candidate> candidates, std::span<Scored> rows,
                           const Context& context);

}  // namespace stemedb::query

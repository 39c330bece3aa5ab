#pragma once
// The lifecycle rule of lenses.md: "an assertion superseded by a later lifecycle stage through
// parent_hash is replaced by its newest descendant". Internal to the filter (filter.h).

#include <cstdint>
#include <span>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/query/candidate.h"

namespace stemedb::query {

// Among the candidates at `known` (indexes), links each to its parent when the parent is also
// known and the child's lifecycle is a later stage than the parent's (a refutation or revision at
// the same stage is a competing claim, not a replacement). Each lineage tree is then represented
// by its newest leaf under the tie-break; every other member is dropped. Returns the surviving
// indexes, ascending. Fails when two candidates share an id (checked only when some candidate
// has a parent: ids are unique by the caller's contract, see candidate.h).
Result<std::vector<uint32_t>> KeepNewestDescendants(std::span<const Candidate> candidates,
                                                    std::span<const uint32_t> known);

}  // namespace stemedb::query

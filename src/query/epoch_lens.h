#pragma once
// The first step of the epoch lens: drop candidates whose epoch is superseded. Internal.

#include <cstdint>
#include <span>
#include <vector>

#include "stemedb/query/candidate.h"
#include "stemedb/query/context.h"
#include "stemedb/query/warning.h"

namespace stemedb::query {

// The entries of `kept` whose epoch is not superseded. Candidates without an epoch stay.
// Candidates whose epoch is unknown stay (fail-open) and each unknown epoch gets a warning with
// the number of candidates it kept. The context's epoch_state is asked once per distinct epoch.
std::vector<uint32_t> DropSupersededEpochs(std::span<const Candidate> candidates,
                                           std::span<const uint32_t> kept, const Context& context,
                                           Warnings& warnings);

}  // namespace stemedb::query

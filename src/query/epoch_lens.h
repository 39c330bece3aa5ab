#pragma once
// The first step of the epoch lens: drop candidates whose epoch is superseded. Internal.

#include <cstdint>
#include <span>
#include <vector>

#include "stemedb/query/candidate.h"
#include "stemedb/query/context.h"
#include "stemedb/query/warning.h"

namespace stemedb::query {

// An epoch with no record, and how many candidates it kept (fail-open).
struct UnknownEpoch {
  EpochId id{};
  uint32_t kept_count = 0;
};

// The entries of `kept` whose epoch is not superseded; `unknown` gets one entry per unknown
// epoch, in IdSortsBefore order. The context's epoch_state is asked once per distinct epoch.
std::vector<uint32_t> KeepCurrentEpochs(std::span<const Candidate> candidates,
                                        std::span<const uint32_t> kept, const Context& context,
                                        std::vector<UnknownEpoch>& unknown);

// The entries of `kept` whose epoch is not superseded. Candidates without an epoch stay.
// Candidates whose epoch is unknown stay (fail-open) and each unknown epoch gets a warning with
// the number of candidates it kept. The context's epoch_state is asked once per distinct epoch.
std::vector<uint32_t> DropSupersededEpochs(std::span<const Candidate> candidates,
                                           std::span<const uint32_t> kept, const Context& context,
                                           Warnings& warnings);

// The warning the epoch lens gives for an unknown epoch.
Warning UnknownEpochWarning(const UnknownEpoch& epoch);

}  // namespace stemedb::query

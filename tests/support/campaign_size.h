#pragma once
// The size of a test campaign (rounds, records, crash points): CI runs a short version; the long
// one, run outside CI, sets an environment variable (docs/crash-testing.md, docs/benchmarks.md).

#include <cstdint>

namespace stemedb::testing {

// The environment variable `name` as a decimal number when it is set and not empty, else
// `ci_default`.
uint64_t CampaignSize(const char* name, uint64_t ci_default);

}  // namespace stemedb::testing

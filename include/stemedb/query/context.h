#pragma once
// What a lens needs besides the candidates, supplied by the caller for one request: the time,
// the decay switch, agents' trust and epochs' status. Lookups are plain callbacks so the engine
// stays independent of storage; each is called at most once per signer (trust) or once per
// distinct epoch (epoch state) in a resolution, and only by the lenses that need it.

#include <cstdint>
#include <functional>

#include "stemedb/query/types.h"

namespace stemedb::query {

enum class EpochState : uint8_t {
  kUnknown,     // no epoch record with this id: the epoch lens keeps its candidates (fail-open)
  kCurrent,     // known and superseded by no epoch
  kSuperseded,  // known and superseded, directly or through a chain (see epoch_index.h)
};

struct Context {
  // The request time in unix seconds; the filter's as_of replaces it when given.
  int64_t now_s = 0;
  bool decay = true;
  // An agent's trust, 0..1. Empty: every agent has the prior kDefaultTrust (0.5). A value
  // outside 0..1 fails the resolution with InvalidArgument.
  std::function<double(const AgentId&)> trust{};
  // The status of an epoch. Empty: every epoch is unknown.
  std::function<EpochState(const EpochId&)> epoch_state{};
};

}  // namespace stemedb::query

#pragma once
// The filters that decide which candidates a lens sees (lenses.md), applied in this order:
//   1. as_of: only what the database knew then (ingested_at <= as_of);
//   2. lifecycle lineage: a claim moved to a later stage (a child through parent_hash whose
//      lifecycle follows the parent's) is replaced by its newest descendant;
//   3. lifecycle set (default: all but rejected), epoch, source class, valid_at;
//   4. retracted sources: left out unless include_retracted, named in warnings either way.
// Lineage runs before the lifecycle set so that "lifecycle=under_review" means "claims that are
// under review now", not "claims that once were".

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/query/candidate.h"
#include "stemedb/query/types.h"
#include "stemedb/query/warning.h"

namespace stemedb::query {

// A set of lifecycle stages, one bit per stage.
class LifecycleSet {
 public:
  static constexpr LifecycleSet AllButRejected() {
    return LifecycleSet(Any().bits_ & ~BitOf(Lifecycle::kRejected));
  }
  static constexpr LifecycleSet Any() { return LifecycleSet((1u << kLifecycleCount) - 1); }
  static constexpr LifecycleSet Only(Lifecycle stage) { return LifecycleSet(BitOf(stage)); }

  constexpr bool Contains(Lifecycle stage) const { return (bits_ & BitOf(stage)) != 0; }
  constexpr bool operator==(const LifecycleSet&) const = default;

 private:
  constexpr explicit LifecycleSet(uint32_t bits) : bits_(bits) {}
  static constexpr uint32_t BitOf(Lifecycle stage) { return 1u << static_cast<uint32_t>(stage); }
  uint32_t bits_;
};

struct Filter {
  LifecycleSet lifecycles = LifecycleSet::AllButRejected();
  std::optional<EpochId> epoch{};      // only claims in this epoch
  std::optional<Tier> source_class{};  // only claims of this tier
  // Knowledge time in unix milliseconds: only records ingested at or before it. It is also the
  // `now` of decay, as floor(as_of_ms / 1000) seconds.
  std::optional<uint64_t> as_of_ms{};
  // Valid time in unix seconds: only claims whose closed period [valid_from, valid_until]
  // contains it (an absent end is open).
  std::optional<int64_t> valid_at_s{};
  bool include_retracted = false;
};

struct FilteredCandidates {
  std::vector<uint32_t> kept{};  // indexes into the caller's span, ascending
  Warnings warnings{};
  int64_t now_s = 0;  // the `now` of decay: the request time, or as_of when given
};

// Validates the candidates (ValidateCandidates, and unique ids), then applies `filter`.
Result<FilteredCandidates> ApplyFilter(std::span<const Candidate> candidates, const Filter& filter,
                                       int64_t request_now_s);

}  // namespace stemedb::query

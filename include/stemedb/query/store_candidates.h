#pragma once
// From the store to the lens engine: the candidates of a (subject, predicate), and the context
// (trust, epoch states) a resolution reads.

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/query/candidate.h"
#include "stemedb/query/context.h"
#include "stemedb/storage/store.h"

namespace stemedb::query {

// A (subject, predicate) with at most this many stored assertions is loaded whole and kept in
// the candidate cache; one with more is streamed from the store instead (streamed.h), so one hot
// key never holds a million decoded candidates in memory, and every one of them still counts.
inline constexpr size_t kCandidatesLoadedMax = 10'000;

struct LoadedCandidates {
  // Shared with the candidate cache and every concurrent query of the same (subject, predicate),
  // so it is never modified once built.
  std::shared_ptr<const std::vector<Candidate>> list;
  // More than kCandidatesLoadedMax exist: `list` is null, and the caller resolves the pair
  // streamed (streamed.h).
  bool too_many = false;

  std::span<const Candidate> all() const { return *list; }
  // The candidates up to seq_max: a prefix, since the list is in log order.
  std::span<const Candidate> UpTo(uint64_t seq_max) const;
};

Result<LoadedCandidates> LoadCandidates(storage::Store& store, std::string_view subject, std::string_view predicate);

// True when LoadCandidates would answer from the candidate cache with at least one and at most
// `candidates_max` candidates: a resolution that reads nothing from the store and whose CPU cost
// is bounded by `candidates_max`. (False can mean cached but larger, or not cached.)
bool CandidatesCachedWithin(storage::Store& store, std::string_view subject, std::string_view predicate,
                            size_t candidates_max);

// One stored assertion as a candidate, its retraction flag as the catalog has it now (the
// store clears the candidate cache on every retraction, so a cached flag is never stale).
Candidate ToCandidate(const storage::Store& store, const storage::Store::CandidateRecord& record);

// The engine's Context for one request: trust from the store (memoised for the request), epoch
// states from the catalog. A storage failure while reading trust is kept in failure(): check
// it after resolving.
class StoreContext {
 public:
  StoreContext(storage::Store& store, int64_t now_s, bool decay);
  const Context& context() const { return context_; }
  Status failure() const { return *read_failure_; }

 private:
  Context context_;
  std::shared_ptr<Status> read_failure_;
};

}  // namespace stemedb::query

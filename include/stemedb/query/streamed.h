#pragma once
// Resolving a (subject, predicate) with more stored assertions than the candidate cache takes
// (kCandidatesLoadedMax, store_candidates.h): every candidate counts, and none is held longer
// than the chunk it arrived in.
//
// The pair is read from the store in log order, a chunk at a time. Each chunk is filtered and
// scored exactly as the engine does (condenser.h), and only the candidates that can still decide
// the answer are kept: the condensed set. The engine resolves the condensed set and gets the
// whole pair's winner, resolution confidence, conflict score, skeptic claims and layered tiers;
// the counts and warnings come from the chunks, and a page of the ranking from one more pass that
// keeps only the best offset + limit rows. Lifecycle lineage is a property of the whole pair:
// claims with a lineage parent are set aside during the first pass and their parents looked up,
// and when one replaces another the pass runs again without the replaced claims.
// docs/lenses.md ("Pairs too large to load") has the argument and the bounds.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/query/candidate.h"
#include "stemedb/query/context.h"
#include "stemedb/query/layered.h"
#include "stemedb/query/lens.h"
#include "stemedb/query/skeptic.h"
#include "stemedb/storage/store.h"

namespace stemedb::query {

// Candidates read and scored per chunk.
inline constexpr size_t kStreamChunkCandidates = 1024;
// The condensed set's bound: one entry per distinct (tier, object, author) and, for recency and
// consensus, per (object, signing agent); about 100 MB of candidates at most. A pair beyond it
// (hundreds of thousands of distinct agents or values) is refused with `query_too_large` rather
// than resolved in unbounded memory; filters (source_class, epoch, as_of, valid_at) narrow it.
inline constexpr size_t kCondensedMax = size_t{1} << 18;
// A streamed pair's ranking is listed to this depth (offset + limit of a page).
inline constexpr size_t kStreamedRankingDepthMax = 10'000;
// The skeptic view of a streamed pair lists this many claims, each with this many assertion
// ids (heaviest first); `claims_count` and `assertions_count` give the totals.
inline constexpr size_t kStreamedClaimsListedMax = 1000;
inline constexpr size_t kStreamedClaimAssertionsListedMax = 100;

struct PairRead {
  std::string_view subject;
  std::string_view predicate;
  uint64_t seq_max = UINT64_MAX;  // the read snapshot: candidates up to this seq
  // Tests lower these: many chunks and a reachable bound from a small pair.
  size_t condensed_max = kCondensedMax;
  size_t chunk_candidates = kStreamChunkCandidates;
};

struct StreamedLens {
  LensResult result;  // `ranked` holds the requested page only; indexes into `candidates`
  std::vector<Candidate> candidates;
  bool more = false;           // the ranking goes on past the page, within the listed depth
  bool depth_reached = false;  // the ranking goes on past kStreamedRankingDepthMax
  size_t condensed_count = 0;  // what the condensed set held: the resolution's memory
};
Result<StreamedLens> ResolveStreamed(storage::Store& store, const PairRead& pair,
                                     const LensRequest& request, const Context& context,
                                     size_t offset, size_t limit);

struct StreamedSkeptic {
  SkepticView view;  // indexes into `candidates`
  std::vector<Candidate> candidates;
};
Result<StreamedSkeptic> ResolveSkepticStreamed(storage::Store& store, const PairRead& pair,
                                               const Filter& filter, const Context& context);

struct StreamedLayered {
  LayeredView view;  // indexes into `candidates`
  std::vector<Candidate> candidates;
};
Result<StreamedLayered> ResolveLayeredStreamed(storage::Store& store, const PairRead& pair,
                                               const Filter& filter, const Context& context);

}  // namespace stemedb::query

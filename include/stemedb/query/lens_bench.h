#pragma once
// How many lens resolutions per second this machine does, for the bench tool and capacity notes
// (the target is 20,000 queries/s on 2 cores). Not a test: speed is measured, never asserted.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "stemedb/query/candidate.h"
#include "stemedb/query/lens.h"

namespace stemedb::query {

struct LensBenchOptions {
  LensKind lens = LensKind::kAuthority;
  size_t candidates_count = 100;  // 1..kCandidatesMax
  size_t values_count = 4;        // distinct objects, 1..candidates_count
  size_t agents_count = 40;       // distinct authors, 1..65535
  bool render_json = true;        // include ToJsonText(...), as the HTTP layer would
  unsigned threads = 1;           // 1..256
  std::chrono::milliseconds duration{1000};
};

struct LensThroughput {
  uint64_t resolutions = 0;
  double elapsed_s = 0;
  double per_second = 0;
};

// A deterministic synthetic candidate set: mixed tiers, repeats by the same authors, a few
// co-signed claims and votes, timestamps spread over a year.
std::vector<Candidate> SyntheticCandidates(const LensBenchOptions& options);

// Resolves SyntheticCandidates(options) through options.lens again and again on
// options.threads threads for about options.duration (trust looked up from a small table).
LensThroughput MeasureLensThroughput(const LensBenchOptions& options);

}  // namespace stemedb::query

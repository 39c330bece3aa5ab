#pragma once
// The one tie-break every lens uses (lenses.md): larger timestamp, then larger seq, then larger
// id. Ids are unique, so this is a strict total order over a resolution's candidates.

#include "stemedb/query/candidate.h"

namespace stemedb::query {

// True when `a` ranks ahead of `b` under the tie-break ("a is newer").
inline bool Newer(const Candidate& a, const Candidate& b) {
  if (a.timestamp_s != b.timestamp_s) return a.timestamp_s > b.timestamp_s;
  if (a.seq != b.seq) return a.seq > b.seq;
  return a.id > b.id;
}

}  // namespace stemedb::query

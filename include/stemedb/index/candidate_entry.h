#pragma once
// Values of the by_subject_predicate family: a covering index. Each entry carries everything a
// query needs of its assertion (the record value as the records family holds it, and the vote
// aggregate), so resolving a (subject, predicate) is one prefix scan over adjacent keys instead
// of a random point read per candidate into the id-ordered records family. The price is a second
// copy of each assertion on disk, rewritten when a vote or a co-signer changes it.
//
//   id(32) | u64le vote count | f64le net weight | record value (see storage's records family)

#include <string>
#include <string_view>

#include "stemedb/ground/status.h"
#include "stemedb/index/aggregates.h"

namespace stemedb::index {

std::string EncodeCandidateEntry(const Id& id, const VoteAggregate& votes, std::string_view record_value);

struct CandidateEntry {
  Id id{};
  VoteAggregate votes;
  std::string_view record_value;  // points into the decoded bytes
};
Result<CandidateEntry> DecodeCandidateEntry(std::string_view value);

}  // namespace stemedb::index

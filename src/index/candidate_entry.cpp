#include "stemedb/index/candidate_entry.h"

#include <cstring>

namespace stemedb::index {
namespace {

constexpr size_t kHeaderBytes = 32 + 16;

}  // namespace

std::string EncodeCandidateEntry(const Id& id, const VoteAggregate& votes, std::string_view record_value) {
  std::string out;
  out.reserve(kHeaderBytes + record_value.size());
  out.append(reinterpret_cast<const char*>(id.data()), id.size());
  out.append(Encode(votes));
  out.append(record_value);
  return out;
}

Result<CandidateEntry> DecodeCandidateEntry(std::string_view value) {
  if (value.size() <= kHeaderBytes) {
    return Status::Corruption("by_subject_predicate value of " + std::to_string(value.size()) +
                              " bytes, expected more than " + std::to_string(kHeaderBytes));
  }
  CandidateEntry e;
  std::memcpy(e.id.data(), value.data(), 32);
  auto votes = DecodeVoteAggregate(value.substr(32, 16));
  if (!votes.ok()) return votes.status();
  e.votes = *votes;
  e.record_value = value.substr(kHeaderBytes);
  return e;
}

}  // namespace stemedb::index

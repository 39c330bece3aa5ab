#pragma once
// Key encodings of every column family (column_families.h says what each holds).

#include <cstdint>
#include <string>
#include <string_view>

#include "stemedb/core/record_kind.h"
#include "stemedb/ground/status.h"
#include "stemedb/core/types.h"

namespace stemedb::index {

using Id = core::Hash32;

std::string RecordKey(core::RecordKind kind, const Id& id);
// Subjects and predicates never contain NUL (data-model.md), so NUL separates them safely.
std::string SubjectPredicatePrefix(std::string_view subject, std::string_view predicate);
std::string SubjectPredicateKey(std::string_view subject, std::string_view predicate, uint64_t seq);
std::string SubjectPrefix(std::string_view subject);
std::string SubjectPredicatesKey(std::string_view subject, std::string_view predicate);
std::string IdSeqKey(const Id& id, uint64_t seq);  // by_agent, by_source, votes_by_assertion
std::string IdPrefix(const Id& id);
std::string IdPairKey(const Id& first, const Id& second);  // children, effective_vote, superseded_by
std::string SeqKey(uint64_t seq);

// The first key after every key that starts with prefix ("" when there is none).
std::string PrefixEnd(std::string_view prefix);

// The seq a key ends with (every *Key(..., seq) above); the key must be at least 8 bytes.
uint64_t SeqOfKey(std::string_view key);
// The 32 bytes ending a key (the second id of an IdPairKey).
Id TrailingId(std::string_view key);
// The predicate of a SubjectPredicatesKey whose subject prefix is known.
std::string_view PredicateOfKey(std::string_view key, size_t subject_prefix_bytes);

// kind(1) id(32): values of by_seq and by_agent.
std::string KindIdValue(core::RecordKind kind, const Id& id);
struct KindAndId {
  core::RecordKind kind;
  Id id;
};
Result<KindAndId> DecodeKindIdValue(std::string_view value);
Result<Id> DecodeIdValue(std::string_view value);

void PutBigEndian64(std::string& out, uint64_t v);
uint64_t GetBigEndian64(const char* p);

}  // namespace stemedb::index

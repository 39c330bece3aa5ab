#pragma once
// The canonical encoding of records, their content ids and the message agents sign, exactly as
// docs/protocol.md states them (and data-model.md before it):
//
//   canonical(record) = u32le(len(tag)) || tag || field*
//   field             = u8(field_number) || u32le(len(value)) || value
//
// Fields ascend by number; absent optional fields are left out; source_class and lifecycle are
// always written after their default is applied. Strings are UTF-8 bytes; integers u64le; f64
// their IEEE-754 bits as u64le with -0.0 written as 0.0; booleans one byte; ids and keys their 32
// raw bytes; enums their lowercase name. Signatures are never part of the encoding.
//
// Times: the encoding is u64le, so negative unix times have no encoding; validation refuses them
// (record_validation.h) and these functions require valid records.

#include <string>
#include <string_view>

#include "stemedb/core/field_writer.h"
#include "stemedb/core/records.h"
#include "stemedb/core/types.h"

namespace stemedb::core {

inline constexpr std::string_view kAssertionTag = "stemedb.assertion.v1";
inline constexpr std::string_view kVoteTag = "stemedb.vote.v1";
inline constexpr std::string_view kEpochTag = "stemedb.epoch.v1";
inline constexpr std::string_view kSourceTag = "stemedb.source.v1";
// Server-side only (retractions are not signed by agents), so not in data-model.md.
inline constexpr std::string_view kSourceRetractionTag = "stemedb.source_retraction.v1";
inline constexpr std::string_view kSigningTag = "stemedb.sign.v1";

// Field numbers: fixed forever, never reused.
enum AssertionField : uint8_t {
  kAssertionSubject = 1,
  kAssertionPredicate = 2,
  kAssertionObjectType = 3,
  kAssertionObjectValue = 4,
  kAssertionConfidence = 5,
  kAssertionTimestamp = 6,
  kAssertionSourceHash = 7,
  kAssertionSourceClass = 8,
  kAssertionLifecycle = 9,
  kAssertionEpoch = 10,
  kAssertionParentHash = 11,
  kAssertionNarrative = 12,
  kAssertionValidFrom = 13,
  kAssertionValidUntil = 14,
};
enum VoteField : uint8_t {
  kVoteAssertionHash = 1,
  kVoteAgentId = 2,
  kVoteWeight = 3,
  kVoteTimestamp = 4,
};
enum EpochField : uint8_t {
  kEpochName = 1,
  kEpochDescription = 2,
  kEpochStartedAt = 3,
  kEpochSupersedes = 4,
  kEpochSupersessionType = 5,
};
enum SourceField : uint8_t {
  kSourceUri = 1,
  kSourceTitle = 2,
  kSourceSourceClass = 3,
};
enum SourceRetractionField : uint8_t {
  kRetractionSourceHash = 1,
  kRetractionReason = 2,
};

// A writer holding the record's canonical encoding, for callers that append more fields
// (stored_record.h). A source's writer never holds its content.
FieldWriter CanonicalWriter(const Assertion& record);
FieldWriter CanonicalWriter(const Vote& record);
FieldWriter CanonicalWriter(const Epoch& record);
FieldWriter CanonicalWriter(const Source& record);
FieldWriter CanonicalWriter(const SourceRetraction& record);

template <typename R>
std::string CanonicalEncoding(const R& record) {
  return CanonicalWriter(record).Finish();
}

// SHA-256 of the canonical encoding; for a source with content, SHA-256 of the content.
Hash32 ContentId(const Assertion& record);
Hash32 ContentId(const Vote& record);
Hash32 ContentId(const Epoch& record);
Hash32 ContentId(const Source& record);
Hash32 ContentId(const SourceRetraction& record);
Hash32 ContentId(const Record& record);

// What an agent signs: u32le(len("stemedb.sign.v1")) || "stemedb.sign.v1" || id (51 bytes).
std::string SigningMessage(const Hash32& id);

}  // namespace stemedb::core

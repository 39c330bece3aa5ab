#pragma once
// Every size and count limit on records, in one place. The HTTP layer reports violations as
// 4xx errors naming the field and the limit; the stored-record decoder refuses records that
// break them (a record on disk that breaks a limit was not written by us).

#include <cstddef>
#include <cstdint>

namespace stemedb::core {

// Strings, in UTF-8 bytes (not characters).
inline constexpr size_t kSubjectBytesMax = 512;
inline constexpr size_t kPredicateBytesMax = 256;
inline constexpr size_t kReferenceBytesMax = kSubjectBytesMax;  // a reference names an entity
inline constexpr size_t kTextObjectBytesMax = 64 * 1024;
inline constexpr size_t kNarrativeBytesMax = 4096;
inline constexpr size_t kEpochNameBytesMax = 128;
inline constexpr size_t kDescriptionBytesMax = 4096;
inline constexpr size_t kUriBytesMax = 2048;
inline constexpr size_t kTitleBytesMax = 512;
inline constexpr size_t kSourceContentBytesMax = 1024 * 1024;
inline constexpr size_t kRetractionReasonBytesMax = 4096;

// Signers of one assertion or epoch.
inline constexpr size_t kSignaturesMin = 1;
inline constexpr size_t kSignaturesMax = 16;

// Requests.
inline constexpr size_t kBatchRecordsMax = 1000;
inline constexpr size_t kBodyBytesMax = 1024 * 1024;
// Our records nest three levels deep (body, object/signatures, entry); a batch adds one. The
// limit keeps hostile bodies ("[[[[...") from costing memory for nothing.
inline constexpr size_t kJsonDepthMax = 32;

// Unix seconds. Negative times are refused (the encoding is an unsigned u64le); the upper bound
// is 9999-12-31T23:59:59Z, so every accepted time is a valid calendar date in every tool.
inline constexpr int64_t kTimestampMin = 0;
inline constexpr int64_t kTimestampMax = 253402300799;

// The largest stored record (stored_record.h): a source with the largest content plus its
// canonical fields, with room to spare. The WAL can refuse anything larger as corrupt.
inline constexpr size_t kStoredRecordBytesMax = kSourceContentBytesMax + 64 * 1024;

}  // namespace stemedb::core

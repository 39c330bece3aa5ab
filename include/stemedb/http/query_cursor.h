#pragma once
// The cursors of GET /v1/query, opaque to clients.
//
// Paging one ranking, a cursor holds the offset of the next page and the snapshot the first page
// was resolved at: the last seq it could see and its request time. Every page then ranks the
// same candidates with the same decay, so a write or a passing second between two pages neither
// repeats nor skips a candidate. Votes and trust are read live: a vote cast between pages counts
// at once and may still reorder the vote and authority lenses.
//
// Paging one resolution per predicate (no `predicate` given), a cursor holds the last predicate
// returned.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stemedb/ops/json_writer.h"

namespace stemedb::http {

struct ReadSnapshot {
  uint64_t seq_max = 0;  // candidates with a larger seq were written after the first page
  int64_t now_s = 0;     // the request time decay is computed at
};

struct RankingCursor {
  uint64_t offset = 0;
  ReadSnapshot at;
};

// Bounds a parsed cursor must respect: the offset within the candidates a query loads, the time
// within the data model's timestamps.
inline constexpr uint64_t kCursorOffsetMax = 1'000'000;
inline constexpr int64_t kCursorNowMax = 253402300799;  // 9999-12-31

std::string EncodeRankingCursor(const RankingCursor& cursor);
// nullopt for anything EncodeRankingCursor did not produce (or out of bounds).
std::optional<RankingCursor> ParseRankingCursor(std::string_view text);

std::string EncodePredicateCursor(std::string_view last_predicate);
std::optional<std::string> ParsePredicateCursor(std::string_view text);
// A page's "next_cursor" member: the cursor of the next page, or null after the last.
void WriteNextCursor(ops::JsonWriter& w, const std::optional<std::string>& cursor);

// GET /v1/subjects: the last subject returned.
std::string EncodeSubjectCursor(std::string_view last_subject);
std::optional<std::string> ParseSubjectCursor(std::string_view text);

}  // namespace stemedb::http

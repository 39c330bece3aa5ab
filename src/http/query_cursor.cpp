#include "stemedb/http/query_cursor.h"

#include <vector>

#include "stemedb/core/hex.h"
#include "stemedb/http/query_params.h"

namespace stemedb::http {
namespace {

// "a.b.c" -> {"a", "b", "c"}.
std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == sep) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

}  // namespace

std::string EncodeRankingCursor(const RankingCursor& c) {
  return "o" + std::to_string(c.offset) + "." + std::to_string(c.at.seq_max) + "." + std::to_string(c.at.now_s);
}

std::optional<RankingCursor> ParseRankingCursor(std::string_view text) {
  if (text.empty() || text[0] != 'o') return std::nullopt;
  const auto parts = Split(text.substr(1), '.');
  if (parts.size() != 3) return std::nullopt;
  auto offset = ParseDecimal(parts[0]);
  auto seq = ParseDecimal(parts[1]);
  auto now = ParseDecimal(parts[2]);
  if (!offset || !seq || !now || *offset > kCursorOffsetMax || *now > uint64_t(kCursorNowMax)) return std::nullopt;
  return RankingCursor{*offset, {*seq, static_cast<int64_t>(*now)}};
}

namespace {

// A name (predicate, subject) after a one-letter tag saying which, hex-encoded: opaque, and
// safe in a query string whatever bytes the name holds.
std::string EncodeNameCursor(char tag, std::string_view name) { return tag + core::HexEncode(name); }

std::optional<std::string> ParseNameCursor(char tag, std::string_view text) {
  if (text.empty() || text[0] != tag) return std::nullopt;
  auto decoded = core::HexDecode(text.substr(1));
  if (!decoded.ok()) return std::nullopt;
  return *decoded;
}

}  // namespace

std::string EncodePredicateCursor(std::string_view last_predicate) { return EncodeNameCursor('p', last_predicate); }
std::optional<std::string> ParsePredicateCursor(std::string_view text) { return ParseNameCursor('p', text); }
std::string EncodeSubjectCursor(std::string_view last_subject) { return EncodeNameCursor('s', last_subject); }
std::optional<std::string> ParseSubjectCursor(std::string_view text) { return ParseNameCursor('s', text); }

void WriteNextCursor(ops::JsonWriter& w, const std::optional<std::string>& cursor) {
  w.Key("next_cursor");
  if (cursor) w.String(*cursor);
  else w.Null();
}

}  // namespace stemedb::http

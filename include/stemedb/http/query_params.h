#pragma once
// Query-string parameters: percent-decoded, each at most once, unknown names refused by name
// (a typo like `predicte` must not silently widen a query), typed getters that say what is
// wrong with a value and what is allowed.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stemedb/http/error_response.h"

namespace stemedb::http {

// %XX escapes decoded; '+' is a space in a query string (plus_is_space), itself in a path
// segment. nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space = true);

// 400 invalid_parameter naming `name`: "<name>: <message>", field <name>.
ApiError BadParam(std::string_view name, std::string message);
// 400 invalid_cursor: a cursor the endpoint did not hand out, or one made for other parameters.
ApiError BadCursor();

// `limit=` of a paged list (queries, the feed): 100 unless given, at most 1000.
constexpr uint64_t kPageLimitDefault = 100;
constexpr uint64_t kPageLimitMax = 1000;

// A whole decimal string as uint64 (no sign, no spaces, no overflow), else nullopt.
std::optional<uint64_t> ParseDecimal(std::string_view text);

// Every read route takes it (docs/replication.md, causal reads): the dispatcher waits on it before
// the handler runs, so RejectUnknown accepts it everywhere.
inline constexpr std::string_view kMinPositionParam = "min_position";

class QueryParams {
 public:
  // Parses a raw query string; on a malformed one (bad %-escape, repeated name, too many)
  // returns the 400 to answer with.
  static std::optional<QueryParams> Parse(std::string_view query, ApiError* error);

  // nullopt when every name is in `allowed`; else the 400 naming the unknown ones.
  std::optional<ApiError> RejectUnknown(const std::vector<std::string_view>& allowed) const;

  bool Has(std::string_view name) const { return values_.count(std::string(name)) > 0; }
  std::optional<std::string> Get(std::string_view name) const;

  // Each returns the value (or the default when absent), or sets *error (400 naming the
  // parameter and the accepted range) and returns nullopt.
  std::optional<std::string> Required(std::string_view name, ApiError* error) const;
  std::optional<uint64_t> Uint(std::string_view name, uint64_t default_value, uint64_t min, uint64_t max,
                               ApiError* error) const;
  std::optional<int64_t> Int(std::string_view name, int64_t default_value, int64_t min, int64_t max,
                             ApiError* error) const;
  std::optional<bool> Bool(std::string_view name, bool default_value, ApiError* error) const;
  std::optional<std::string> OneOf(std::string_view name, std::string_view default_value,
                                   const std::vector<std::string_view>& allowed, ApiError* error) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace stemedb::http

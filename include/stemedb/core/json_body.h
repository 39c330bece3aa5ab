#pragma once
// A request body from raw bytes to a JSON value, refusing what a strict JSON reader must:
// syntax errors (malformed_json, with the byte where parsing stopped: nlohmann counts bytes from
// 1), invalid UTF-8 and lone surrogates (malformed_json), NaN and Infinity (not JSON: also
// malformed_json), numbers that overflow a double such as 1e400 (invalid_number, at the path of
// the number), duplicate keys in one object (malformed_json: which one would win is
// parser-dependent, so a signer and the server could disagree on the content), nesting deeper
// than kJsonDepthMax, and bodies over body_bytes_max (body_too_large, 413). The server passes
// its server.max_body_bytes, so the configured limit is the one that applies; kBodyBytesMax is
// that key's default.

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "stemedb/core/field_error.h"
#include "stemedb/core/limits.h"

namespace stemedb::core {

FieldResult<nlohmann::json> ParseJsonBody(std::string_view body, size_t body_bytes_max = kBodyBytesMax);

// body_too_large when the body is over body_bytes_max: the first check of every body reader.
std::optional<FieldError> BodyTooLarge(std::string_view body, size_t body_bytes_max);

}  // namespace stemedb::core

#pragma once
// FieldError: why a request body or record was refused, precisely enough for a client to fix it
// without reading our code: a stable snake_case code, the JSON path of the offending field
// (`signatures[2].agent_id`, `object.value`; empty for the body as a whole) and a message that
// starts with that path and names the limit (`subject: 513 bytes exceeds the limit of 512`).
// The codes are listed, with their HTTP status, in docs/protocol.md.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "stemedb/ground/value_or_error.h"

namespace stemedb::core {

namespace error_code {
// 400: the body is not what the protocol's shapes allow.
inline constexpr std::string_view kMalformedJson = "malformed_json";
inline constexpr std::string_view kWrongType = "wrong_type";
inline constexpr std::string_view kMissingField = "missing_field";
inline constexpr std::string_view kUnknownField = "unknown_field";
inline constexpr std::string_view kInvalidHex = "invalid_hex";
inline constexpr std::string_view kInvalidNumber = "invalid_number";  // NaN, Infinity, overflow
// 413.
inline constexpr std::string_view kBodyTooLarge = "body_too_large";
// 422: well-formed, but outside what the data model allows.
inline constexpr std::string_view kValueOutOfRange = "value_out_of_range";
inline constexpr std::string_view kStringTooLong = "string_too_long";
inline constexpr std::string_view kEmptyString = "empty_string";
inline constexpr std::string_view kInvalidCharacters = "invalid_characters";
inline constexpr std::string_view kInvalidEnum = "invalid_enum";
inline constexpr std::string_view kNoSignatures = "no_signatures";
inline constexpr std::string_view kTooManySignatures = "too_many_signatures";
inline constexpr std::string_view kDuplicateSigner = "duplicate_signer";
inline constexpr std::string_view kInvalidSignature = "invalid_signature";
inline constexpr std::string_view kInvalidTimestamp = "invalid_timestamp";
inline constexpr std::string_view kInvalidValidPeriod = "invalid_valid_period";
inline constexpr std::string_view kSupersessionTypeMismatch = "supersession_type_mismatch";
inline constexpr std::string_view kBatchTooLarge = "batch_too_large";
inline constexpr std::string_view kEmptyBatch = "empty_batch";
// Rules that need stored records, checked by the write path (storage/write_checks.h).
inline constexpr std::string_view kUnknownParent = "unknown_parent";                              // 422
inline constexpr std::string_view kParentMismatch = "parent_mismatch";                            // 422
inline constexpr std::string_view kInvalidLifecycleTransition = "invalid_lifecycle_transition";  // 422
inline constexpr std::string_view kTooManySigners = "too_many_signers";                          // 422
inline constexpr std::string_view kUnknownEpoch = "unknown_epoch";                                // 422
inline constexpr std::string_view kAssertionNotFound = "assertion_not_found";                    // 404
inline constexpr std::string_view kSourceNotFound = "source_not_found";                          // 404
inline constexpr std::string_view kSupersessionCycle = "supersession_cycle";                      // 409

// Every code above, for documentation checks (docs/protocol.md lists each one).
inline constexpr std::string_view kAll[] = {
    kMalformedJson,
    kWrongType,
    kMissingField,
    kUnknownField,
    kInvalidHex,
    kInvalidNumber,
    kBodyTooLarge,
    kValueOutOfRange,
    kStringTooLong,
    kEmptyString,
    kInvalidCharacters,
    kInvalidEnum,
    kNoSignatures,
    kTooManySignatures,
    kDuplicateSigner,
    kInvalidSignature,
    kInvalidTimestamp,
    kInvalidValidPeriod,
    kSupersessionTypeMismatch,
    kBatchTooLarge,
    kEmptyBatch,
    kUnknownParent,
    kParentMismatch,
    kInvalidLifecycleTransition,
    kTooManySigners,
    kUnknownEpoch,
    kAssertionNotFound,
    kSourceNotFound,
    kSupersessionCycle,
};
}  // namespace error_code

struct FieldError {
  enum class Kind : uint8_t {
    kMalformed,  // HTTP 400: wrong type, missing or unknown field, bad hex, not JSON
    kInvalid,    // HTTP 422: well-formed but out of range, too long, inconsistent, bad signature
    kTooLarge,   // HTTP 413: the body exceeds its size limit
    kNotFound,   // HTTP 404: a record the request names does not exist
    kConflict,   // HTTP 409: the request would break an invariant of stored records (a cycle)
  };

  std::string code;
  std::string field;
  std::string message;
  Kind kind = Kind::kMalformed;

  int HttpStatus() const;
  bool operator==(const FieldError&) const = default;
};

// Builds the error; the message is "<field>: <problem>" ("body: <problem>" for the whole body).
FieldError MakeFieldError(FieldError::Kind kind, std::string_view code, std::string field,
                          std::string_view problem);
inline FieldError Malformed(std::string_view code, std::string field, std::string_view problem) {
  return MakeFieldError(FieldError::Kind::kMalformed, code, std::move(field), problem);
}
inline FieldError Invalid(std::string_view code, std::string field, std::string_view problem) {
  return MakeFieldError(FieldError::Kind::kInvalid, code, std::move(field), problem);
}

// A value, or the FieldError explaining why there is none.
template <typename T>
class [[nodiscard]] FieldResult : public ValueOrError<T, FieldError> {
 public:
  using ValueOrError<T, FieldError>::ValueOrError;
  const FieldError& error() const { return this->error_value(); }
};

// Text from a request shown inside an error message (an unknown field's name, say): printable
// ASCII kept, everything else as \xNN, at most `max_bytes` of input. Messages then stay short
// and valid UTF-8 whatever the client sent.
std::string QuoteForMessage(std::string_view text, size_t max_bytes = 64);
// The same without the quotes.
std::string AsciiForMessage(std::string_view text, size_t max_bytes = 64);

// A double as the shortest text that reads back as the same value ("0.1", "1e+400" never).
std::string NumberForMessage(double value);

}  // namespace stemedb::core

#pragma once
// The data model's rules on a record already in struct form: string lengths and characters,
// numeric ranges, time ranges, consistency between fields, signature counts and duplicates.
// Both sides of the disk run them: the JSON parser (record_json.h) before a record is accepted,
// and the stored-record decoder (stored_record.h) after a record is read back. Signatures are
// checked separately (signature_check.h): they cost ~50 us each and need no other field.
//
// Returns the first problem in field-number order, as a FieldError of kind kInvalid, or nullopt.

#include <optional>
#include <string>
#include <string_view>

#include "stemedb/core/field_error.h"
#include "stemedb/core/records.h"

namespace stemedb::core {

std::optional<FieldError> Validate(const Assertion& record);
std::optional<FieldError> Validate(const Vote& record);
std::optional<FieldError> Validate(const Epoch& record);
std::optional<FieldError> Validate(const Source& record);
std::optional<FieldError> Validate(const SourceRetraction& record);
std::optional<FieldError> Validate(const Record& record);

// invalid_timestamp for a time outside [kTimestampMin, kTimestampMax], written as `value_text`.
FieldError TimestampOutOfRange(std::string field, std::string_view value_text);

}  // namespace stemedb::core

#pragma once
// Reads an assertion (or a batch of them) straight from the request's JSON text into records,
// without building a JSON DOM: the write path's common case, where a DOM costs about as much as
// everything but the signature check.
//
// It reads only the plain shape: the members the protocol names, each once and of its own type,
// strings without escapes, no nulls, numbers a double holds exactly as strtod would read them.
// Anything else, valid or not, makes it decline (nullopt), and the caller falls back to the
// general reader (json_body.h + record_json.h), which accepts every valid body and names the
// problem of every invalid one. So a record it returns is the one the general reader would have
// returned before validation (the record_json fuzz target checks that on every input), and a
// client sees the same answers whichever reader ran.
//
// The records are not validated: the caller runs Validate (record_validation.h) as for the
// general reader's.
#include <optional>
#include <string_view>
#include <vector>

#include "stemedb/core/records.h"

namespace stemedb::core {

// The body of POST /v1/assert.
std::optional<Assertion> ReadPlainAssertion(std::string_view json_text);

// The body of POST /v1/assert/batch: {"assertions": [...]} with 1..kBatchRecordsMax items.
std::optional<std::vector<Assertion>> ReadPlainAssertionBatch(std::string_view json_text);

}  // namespace stemedb::core

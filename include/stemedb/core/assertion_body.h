#pragma once
// The body of POST /v1/assert or /v1/assert/batch to validated records: the plain reader first
// (plain_assertion_reader.h: no JSON DOM), the general reader (json_body.h, record_json.h) when
// it declines. Either way the answer is the same, errors included.
#include <string_view>
#include <vector>

#include "stemedb/core/field_error.h"
#include "stemedb/core/records.h"

namespace stemedb::core {

FieldResult<Assertion> AssertionFromBody(std::string_view body, size_t body_bytes_max);

// The batch's own problem (too large, malformed, not {"assertions": [1..kBatchRecordsMax]}), or
// each item's record or error, its path relative to the item.
FieldResult<std::vector<FieldResult<Assertion>>> AssertionBatchFromBody(std::string_view body,
                                                                        size_t body_bytes_max);

}  // namespace stemedb::core

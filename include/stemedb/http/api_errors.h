#pragma once
// How failures below HTTP become API errors: a FieldError (the client's input) keeps its code,
// field and status; a Status from the store or journal maps to 5xx with a stable code.
//
//   journal failed, later writes   503 journal_failed   (Retry-After)
//   the batch whose fsync failed   500 wal_write_failed
//   disk full (WAL or RocksDB)     507 disk_full        (Retry-After; heals once space is freed)
//   queue or memory tier full      503 overloaded / storage_degraded (Retry-After)
//   RocksDB read failure           503 storage_unavailable (Retry-After)

#include <string>

#include "stemedb/core/field_error.h"
#include "stemedb/ground/status.h"
#include "stemedb/http/error_response.h"
#include "stemedb/http/message.h"

namespace stemedb::http {

ApiError FromFieldError(const core::FieldError& e);
ApiError FromStatus(const Status& s);
// The response for a failed Status, with Retry-After where the client should come back.
Response StatusResponse(const Status& s, std::string_view request_id);
Response FieldErrorResponse(const core::FieldError& e, std::string_view request_id);

// Moves a record-level error under a container path: "subject" -> "assertions[3].subject".
core::FieldError Prefixed(core::FieldError e, const std::string& prefix);

}  // namespace stemedb::http

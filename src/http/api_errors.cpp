#include "stemedb/http/api_errors.h"

namespace stemedb::http {

ApiError FromFieldError(const core::FieldError& e) { return {e.HttpStatus(), e.code, e.message, e.field}; }

namespace {

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

ApiError FromStatus(const Status& s) {
  const std::string detail = s.ToString();
  switch (s.code()) {
    case StatusCode::kDiskFull:
      return {507, "disk_full", "the disk is full; this write was not acknowledged and nothing acknowledged is lost: " + detail, ""};
    case StatusCode::kIOError:
      return {500, "wal_write_failed", "the WAL write or fsync of this request failed; it was not acknowledged: " + detail, ""};
    case StatusCode::kOverloaded:
      if (StartsWith(s.message(), "storage_degraded")) return {503, "storage_degraded", s.message(), ""};
      // A resolution that would need more memory than its bound: retrying cannot help, a narrower
      // query can (streamed.h, kCondensedMax).
      if (StartsWith(s.message(), "query_too_large")) return {422, "query_too_large", s.message(), ""};
      return {503, "overloaded", "the write queue is full; retry later: " + s.message(), ""};
    case StatusCode::kUnavailable:
      if (StartsWith(s.message(), "journal_failed")) return {503, "journal_failed", s.message(), ""};
      if (StartsWith(s.message(), "storage_unavailable")) return {503, "storage_unavailable", s.message(), ""};
      return {503, "unavailable", s.message(), ""};
    case StatusCode::kFailedPrecondition:
      return {503, "unavailable", s.message(), ""};
    default:
      return {500, "internal_error", detail, ""};
  }
}

Response StatusResponse(const Status& s, std::string_view request_id) {
  ApiError e = FromStatus(s);
  if (e.status == 503) return RetryLaterResponse(e, request_id, e.code == "journal_failed" ? 30 : 1);
  // A full disk heals without a restart once space is freed (docs/operations/runbooks/disk-full.md).
  if (e.status == 507) return RetryLaterResponse(e, request_id, 5);
  return ErrorResponse(e, request_id);
}

Response FieldErrorResponse(const core::FieldError& e, std::string_view request_id) {
  return ErrorResponse(FromFieldError(e), request_id);
}

core::FieldError Prefixed(core::FieldError e, const std::string& prefix) {
  if (e.field.empty()) {
    e.field = prefix.substr(0, prefix.size() - (prefix.ends_with('.') ? 1 : 0));
    e.message = e.field + ": " + e.message.substr(e.message.rfind("body: ", 0) == 0 ? 6 : 0);
    return e;
  }
  e.message = prefix + e.message;
  e.field = prefix + e.field;
  return e;
}

}  // namespace stemedb::http

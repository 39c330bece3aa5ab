#include "stemedb/http/error_response.h"

#include <nlohmann/json.hpp>

namespace stemedb::http {

Response ErrorResponse(const ApiError& error, std::string_view request_id) {
  nlohmann::json inner = {{"code", error.code}, {"message", error.message}};
  if (!error.field.empty()) inner["field"] = error.field;
  inner["request_id"] = request_id;
  Response r;
  r.status = error.status;
  // Replace, never throw: a message may quote invalid UTF-8 from the request.
  r.body = nlohmann::json{{"error", inner}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response RetryLaterResponse(const ApiError& error, std::string_view request_id, int retry_after_s) {
  Response r = ErrorResponse(error, request_id);
  r.SetHeader("Retry-After", std::to_string(retry_after_s));
  return r;
}

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace stemedb::http

#include "stemedb/http/error_response.h"

#include <spdlog/spdlog.h>

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

Response NotPrimaryResponse(const std::string& primary, std::string_view request_id, std::string_view why) {
  std::string message = why.empty() ? std::string("this node is not the primary and takes no writes") : std::string(why);
  message += primary.empty() ? "; the primary is not known yet" : "; write to the primary at " + primary;
  nlohmann::json inner = {{"code", "not_primary"}, {"message", message}};
  if (!primary.empty()) inner["primary"] = primary;
  inner["request_id"] = request_id;
  Response r;
  r.status = 503;
  r.body = nlohmann::json{{"error", inner}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.SetHeader("Retry-After", "1");
  return r;
}

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response InternalErrorResponse(std::string_view request_id) {
  return ErrorResponse({500, "internal_error",
                        "internal error; see the server log for request " + std::string(request_id), ""},
                       request_id);
}

namespace {

// The exception's text, whatever was thrown.
std::string Describe(std::exception_ptr thrown) {
  try {
    std::rethrow_exception(thrown);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception not derived from std::exception";
  }
}

}  // namespace

void AnswerGuarded(const Responder& respond, std::string_view request_id, std::string_view where,
                   const std::function<Response()>& make) noexcept {
  std::optional<Response> response;
  try {
    response = make();
  } catch (...) {
    spdlog::error("{} threw: {} (request_id={})", where, Describe(std::current_exception()), request_id);
  }
  try {
    respond(response ? std::move(*response) : InternalErrorResponse(request_id));
  } catch (...) {
    spdlog::error("{}: the answer could not be delivered: {} (request_id={})", where,
                  Describe(std::current_exception()), request_id);
  }
}

}  // namespace stemedb::http

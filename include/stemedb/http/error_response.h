#pragma once
// The one error body of the API (http-api.md, Errors):
// {"error":{"code","message","field","request_id"}}.

#include <functional>
#include <string>
#include <string_view>

#include "stemedb/http/message.h"

namespace stemedb::http {

struct ApiError {
  int status;
  std::string code;     // stable, snake_case: clients switch on it
  std::string message;  // for people: names the problem and the limit
  std::string field;    // JSON path of the offending input, empty when none
};

Response ErrorResponse(const ApiError& error, std::string_view request_id);

// 503 and 429 answers carry Retry-After (seconds).
Response RetryLaterResponse(const ApiError& error, std::string_view request_id, int retry_after_s);

// 503 not_primary (docs/replication.md): this node takes no writes; `primary` (its URL, "" when
// unknown) rides in the error object so a client can follow it once.
// 503 not_primary naming the primary ("" when unknown); `why` replaces the default reason.
Response NotPrimaryResponse(const std::string& primary, std::string_view request_id, std::string_view why = "");

// A JSON body with status; the usual success path.
Response JsonResponse(int status, std::string body);

// 500 internal_error: the handler failed in a way it did not expect (the log says how).
Response InternalErrorResponse(std::string_view request_id);

// Answers with what `make` returns, or, if it throws, with InternalErrorResponse (logged with
// `where` and the request id). For answers built on a thread where an escaping exception would
// end the process: the WAL writer's callbacks, the admin worker's tasks. An exception from
// `respond` itself is logged and goes no further.
void AnswerGuarded(const Responder& respond, std::string_view request_id, std::string_view where,
                   const std::function<Response()>& make) noexcept;

}  // namespace stemedb::http

#pragma once
// The one error body of the API (http-api.md, Errors):
// {"error":{"code","message","field","request_id"}}.

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

// A JSON body with status; the usual success path.
Response JsonResponse(int status, std::string body);

}  // namespace stemedb::http

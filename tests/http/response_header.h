#pragma once
// A response header's value for the http unit tests, empty when the response has none (an
// expectation then reads as a plain string comparison).

#include <string>
#include <string_view>

#include "stemedb/http/message.h"

namespace stemedb::http {

inline std::string HeaderOr(const Response& r, std::string_view name) {
  const std::string* value = r.Header(name);
  return value == nullptr ? std::string() : *value;
}

}  // namespace stemedb::http

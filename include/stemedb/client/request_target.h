#pragma once
// Request targets with a query string: "/v1/query?subject=drugs%2Fsemaglutide&lens=vote".
// Names and values are percent-encoded (RFC 3986: everything but unreserved characters), so any
// subject or cursor travels intact.

#include <string>
#include <string_view>

namespace stemedb::client {

std::string PercentEncode(std::string_view text);

class RequestTarget {
 public:
  explicit RequestTarget(std::string path) : target_(std::move(path)) {}

  // Appends name=value; a target can be built in one expression.
  RequestTarget& Add(std::string_view name, std::string_view value);
  const std::string& str() const { return target_; }

 private:
  std::string target_;
  bool has_query_ = false;
};

}  // namespace stemedb::client

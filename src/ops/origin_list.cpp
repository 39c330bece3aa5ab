#include "stemedb/ops/origin_list.h"

#include <algorithm>
#include <cctype>

namespace stemedb::ops {
namespace {

std::string Trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t first = 0;
  while (first < s.size() && std::isspace(static_cast<unsigned char>(s[first]))) ++first;
  return s.substr(first);
}

// Why `origin` is not scheme://host[:port], or empty when it is.
std::string OriginProblem(const std::string& origin) {
  if (origin == "*") return "'*' is not accepted: list each origin (scheme://host[:port])";
  const size_t scheme_end = origin.find("://");
  if (scheme_end == std::string::npos) return "'" + origin + "' is not scheme://host[:port]";
  const std::string scheme = origin.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return "'" + origin + "': the scheme must be http or https";
  const std::string rest = origin.substr(scheme_end + 3);
  if (rest.empty()) return "'" + origin + "' has no host";
  if (rest.find('/') != std::string::npos) return "'" + origin + "' has a path or a trailing slash; an origin has neither";
  const auto bad = std::find_if(rest.begin(), rest.end(), [](char c) {
    return !(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']');
  });
  if (bad != rest.end()) return "'" + origin + "' has '" + std::string(1, *bad) + "', which no origin has";
  return "";
}

}  // namespace

Result<std::vector<std::string>> ParseOriginList(const std::string& text) {
  std::vector<std::string> origins;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    std::string origin = Trimmed(text.substr(start, comma - start));
    start = comma + 1;
    if (origin.empty()) continue;
    std::transform(origin.begin(), origin.end(), origin.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (std::string problem = OriginProblem(origin); !problem.empty()) {
      return Status::InvalidArgument("server.cors_allowed_origins: " + problem);
    }
    if (origins.size() == kCorsOriginsMax) {
      return Status::InvalidArgument("server.cors_allowed_origins: more than " + std::to_string(kCorsOriginsMax) +
                                     " origins");
    }
    origins.push_back(std::move(origin));
  }
  return origins;
}

}  // namespace stemedb::ops

#pragma once
// server.cors_allowed_origins: the browser origins allowed to read StemeDB's answers, as
// comma-separated scheme://host[:port] (what a browser sends in its Origin header: no path, no
// trailing slash). Checked once at start-up so a typo is a refusal to start, not a console that
// silently cannot read anything.

#include <string>
#include <vector>

#include "stemedb/ground/status.h"

namespace stemedb::ops {

constexpr size_t kCorsOriginsMax = 64;

// The origins of `text`, lower-cased (browsers send scheme and host lower-cased); an empty text
// is an empty list. Refuses "*" (any site could then drive a browser inside the network against
// the node), a path, a trailing slash, a scheme other than http or https, and more than
// kCorsOriginsMax entries, naming the entry.
Result<std::vector<std::string>> ParseOriginList(const std::string& text);

}  // namespace stemedb::ops

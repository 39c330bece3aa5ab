#pragma once
// Text templating for tests that run shipped files and runbook blocks with their own addresses.

#include <string>

namespace stemedb::testing {

// Every occurrence of `from` in `text` replaced by `to`, left to right, never re-scanning a
// replacement.
void ReplaceAll(std::string& text, const std::string& from, const std::string& to);

}  // namespace stemedb::testing

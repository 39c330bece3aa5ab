#pragma once
// Checks on the readable output of the CLI: "name  value" lines, whatever their padding.

#include <string>

namespace stemedb::testing {

// True when some line of `text` is `name`, one or more spaces, then exactly `value`.
bool HasField(const std::string& text, const std::string& name, const std::string& value);

}  // namespace stemedb::testing

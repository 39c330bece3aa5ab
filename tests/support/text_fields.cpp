#include "support/text_fields.h"

#include <sstream>

namespace stemedb::testing {

bool HasField(const std::string& text, const std::string& name, const std::string& value) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + " ", 0) != 0) continue;
    const size_t start = line.find_first_not_of(' ', name.size());
    if (start != std::string::npos && line.compare(start, std::string::npos, value) == 0) return true;
  }
  return false;
}

}  // namespace stemedb::testing

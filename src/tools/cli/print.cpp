#include <iostream>

#include "commands.h"

namespace stemedb::cli {

void Print(const GlobalOptions& options, const std::string& raw_json, const nlohmann::json& value, Renderer render) {
  if (options.json) {
    std::cout << raw_json << "\n";
  } else {
    std::cout << render(value);
  }
  std::cout.flush();  // a pipe reader (or a test) sees each answer as it comes
}

}  // namespace stemedb::cli

#pragma once
// The files of the web console (src/http/console/), compiled into the binary by CMake
// (cmake/console_assets.cpp.in): the daemon serves them with nothing installed beside it.

#include <span>
#include <string_view>

namespace stemedb::http {

struct ConsoleAsset {
  std::string_view name;   // the file's name, e.g. "app.js"
  std::string_view bytes;  // its content
};

std::span<const ConsoleAsset> ConsoleAssets();

}  // namespace stemedb::http

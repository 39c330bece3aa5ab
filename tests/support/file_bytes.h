#pragma once
// A whole file's bytes, read or written in one call (tests only: no limits, no Env).

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace stemedb::testing {

inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void WriteFileBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

}  // namespace stemedb::testing

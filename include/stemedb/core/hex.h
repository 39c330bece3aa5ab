#pragma once
// Lowercase hex for binary values. Decoding accepts upper case (clients differ) and checks the
// exact length, so a 63-character id is an error rather than a silently shorter value.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "stemedb/ground/status.h"

namespace stemedb::core {

std::string HexEncode(std::span<const uint8_t> bytes);
inline std::string HexEncode(std::string_view bytes) {
  return HexEncode(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

// Decodes exactly out.size() bytes from 2 * out.size() hex characters. On failure, `out` is
// unspecified and the message says what was wrong: "expected 64 hex characters, got 63" or
// "invalid hex character 'g' at position 5".
Status HexDecodeInto(std::string_view hex, std::span<uint8_t> out);

// Decodes any even-length hex string (used for test vectors and tools).
Result<std::string> HexDecode(std::string_view hex);

template <size_t N>
Result<std::array<uint8_t, N>> HexDecodeArray(std::string_view hex) {
  std::array<uint8_t, N> out{};
  Status s = HexDecodeInto(hex, out);
  if (!s.ok()) return s;
  return out;
}

}  // namespace stemedb::core

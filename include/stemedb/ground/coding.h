#pragma once
// Fixed-width little-endian integers, the only integer encoding of the WAL's on-disk format.
// Written byte by byte so the format does not depend on the host's byte order.

#include <cstdint>
#include <string>

namespace stemedb {

inline void EncodeU32LE(char* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

inline void EncodeU64LE(char* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

inline uint32_t DecodeU32LE(const char* in) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

inline uint64_t DecodeU64LE(const char* in) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

inline void AppendU64LE(std::string& out, uint64_t v) {
  char buf[8];
  EncodeU64LE(buf, v);
  out.append(buf, sizeof buf);
}

}  // namespace stemedb

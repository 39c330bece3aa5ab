#include "stemedb/core/hex.h"

namespace stemedb::core {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

// -1 for a byte that is not a hex digit.
int NibbleOf(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The offending character as it should appear in an error message: itself when printable
// ASCII, else its byte value (the message must stay valid UTF-8 whatever the input was).
std::string Printable(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7f) return std::string("'") + c + "'";
  std::string out = "byte 0x";
  out += kDigits[byte >> 4];
  out += kDigits[byte & 0xf];
  return out;
}

}  // namespace

std::string HexEncode(std::span<const uint8_t> bytes) {
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

Status HexDecodeInto(std::string_view hex, std::span<uint8_t> out) {
  if (hex.size() != out.size() * 2) {
    return Status::InvalidArgument("expected " + std::to_string(out.size() * 2) +
                                   " hex characters, got " + std::to_string(hex.size()));
  }
  for (size_t i = 0; i < hex.size(); ++i) {
    if (NibbleOf(hex[i]) < 0) {
      return Status::InvalidArgument("invalid hex character " + Printable(hex[i]) +
                                     " at position " + std::to_string(i));
    }
  }
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>((NibbleOf(hex[2 * i]) << 4) | NibbleOf(hex[2 * i + 1]));
  }
  return Status::OK();
}

Result<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Status::InvalidArgument("expected an even number of hex characters, got " +
                                   std::to_string(hex.size()));
  }
  std::string out(hex.size() / 2, '\0');
  Status s = HexDecodeInto(hex, std::span(reinterpret_cast<uint8_t*>(out.data()), out.size()));
  if (!s.ok()) return s;
  return out;
}

}  // namespace stemedb::core

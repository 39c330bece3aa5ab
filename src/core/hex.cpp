#include "stemedb/core/hex.h"

#include <array>

namespace stemedb::core {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

// Each byte's value as a hex digit, -1 for a byte that is not one: ids and signatures are
// decoded on every write, and a table lookup is cheaper than three range tests.
constexpr std::array<int8_t, 256> kNibbles = [] {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<int8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) t[c] = static_cast<int8_t>(c - 'A' + 10);
  return t;
}();

int NibbleOf(char c) { return kNibbles[static_cast<unsigned char>(c)]; }

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
  for (size_t i = 0; i < out.size(); ++i) {
    const int high = NibbleOf(hex[2 * i]);
    const int low = NibbleOf(hex[2 * i + 1]);
    if ((high | low) < 0) {
      const size_t bad = high < 0 ? 2 * i : 2 * i + 1;
      return Status::InvalidArgument("invalid hex character " + Printable(hex[bad]) + " at position " +
                                     std::to_string(bad));
    }
    out[i] = static_cast<uint8_t>((high << 4) | low);
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

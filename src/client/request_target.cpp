#include "stemedb/client/request_target.h"

namespace stemedb::client {
namespace {

bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

}  // namespace

std::string PercentEncode(std::string_view text) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (Unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 0x0f];
    }
  }
  return out;
}

RequestTarget& RequestTarget::Add(std::string_view name, std::string_view value) {
  target_ += has_query_ ? '&' : '?';
  has_query_ = true;
  target_ += PercentEncode(name);
  target_ += '=';
  target_ += PercentEncode(value);
  return *this;
}

}  // namespace stemedb::client

#include "stemedb/core/field_error.h"

#include <charconv>

namespace stemedb::core {

int FieldError::HttpStatus() const {
  switch (kind) {
    case Kind::kMalformed:
      return 400;
    case Kind::kInvalid:
      return 422;
    case Kind::kTooLarge:
      return 413;
    case Kind::kNotFound:
      return 404;
    case Kind::kConflict:
      return 409;
  }
  return 400;
}

FieldError MakeFieldError(FieldError::Kind kind, std::string_view code, std::string field,
                          std::string_view problem) {
  FieldError error;
  error.kind = kind;
  error.code = std::string(code);
  error.message = (field.empty() ? std::string("body") : field) + ": " + std::string(problem);
  error.field = std::move(field);
  return error;
}

std::string QuoteForMessage(std::string_view text, size_t max_bytes) {
  return "\"" + AsciiForMessage(text, max_bytes) + "\"";
}

std::string AsciiForMessage(std::string_view text, size_t max_bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < text.size() && i < max_bytes; ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f && byte != '"' && byte != '\\') {
      out += static_cast<char>(byte);
    } else {
      out += "\\x";
      out += kDigits[byte >> 4];
      out += kDigits[byte & 0xf];
    }
  }
  if (text.size() > max_bytes) out += "...";
  return out;
}

std::string NumberForMessage(double value) {
  char buf[32];
  auto result = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, result.ptr);
}

}  // namespace stemedb::core

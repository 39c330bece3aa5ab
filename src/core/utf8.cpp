#include "stemedb/core/utf8.h"

#include <cstdio>

namespace stemedb::core {
namespace {

struct CodePoint {
  uint32_t value = 0;
  size_t length = 0;  // 0: the bytes at this position are not valid UTF-8
};

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Decodes the code point starting at text[at], by the table of RFC 3629 section 4, which
// excludes overlong forms, surrogates (U+D800..U+DFFF) and values above U+10FFFF.
CodePoint DecodeAt(std::string_view text, size_t at) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return {lead, 1};
  size_t length = 0;
  unsigned char second_min = 0x80, second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // overlong
    if (lead == 0xED) second_max = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // overlong
    if (lead == 0xF4) second_max = 0x8F;  // above U+10FFFF
  } else {
    return {};
  }
  if (text.size() - at < length) return {};
  if (byte(1) < second_min || byte(1) > second_max) return {};
  uint32_t value = lead & (0xFF >> (length + 1));
  for (size_t i = 1; i < length; ++i) {
    if (!IsContinuation(byte(i))) return {};
    value = (value << 6) | (byte(i) & 0x3F);
  }
  return {value, length};
}

bool IsControl(uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

bool IsAllowed(uint32_t cp, TextRule rule) {
  switch (rule) {
    case TextRule::kSingleLine:
      return !IsControl(cp);
    case TextRule::kMultiLine:
      return !IsControl(cp) || cp == '\t' || cp == '\n' || cp == '\r';
    case TextRule::kDocument:
      return cp != 0;
  }
  return false;
}

std::string CodePointName(uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

}  // namespace

Status CheckText(std::string_view text, TextRule rule) {
  size_t at = 0;
  while (at < text.size()) {
    CodePoint cp = DecodeAt(text, at);
    if (cp.length == 0) {
      return Status::InvalidArgument("invalid UTF-8 at byte " + std::to_string(at));
    }
    if (!IsAllowed(cp.value, rule)) {
      return Status::InvalidArgument("control character " + CodePointName(cp.value) + " at byte " +
                                     std::to_string(at) + " is not allowed");
    }
    at += cp.length;
  }
  return Status::OK();
}

}  // namespace stemedb::core

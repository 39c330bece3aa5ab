#include "stemedb/ops/json_writer.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace stemedb::ops {
namespace {

// ops/ sits below core/, so it carries its own one-line invariant check.
void Check(bool condition, const char* what) {
  if (!condition) [[unlikely]] {
    std::fprintf(stderr, "JsonWriter misuse: %s\n", what);
    std::abort();
  }
}

// kEscapes[byte] is 0 for a byte copied as is, else the character after the backslash ('u' for
// the \u00XX form).
constexpr std::array<char, 256> MakeEscapes() {
  std::array<char, 256> table{};
  for (int byte = 0; byte < 0x20; ++byte) table[byte] = 'u';
  table['"'] = '"';
  table['\\'] = '\\';
  table['\n'] = 'n';
  table['\r'] = 'r';
  table['\t'] = 't';
  table['\b'] = 'b';
  table['\f'] = 'f';
  return table;
}
constexpr std::array<char, 256> kEscapes = MakeEscapes();

// True when one of the 8 bytes of `word` needs escaping: below 0x20, '"' or '\\'. Word-at-a-time
// (the "has a zero byte" trick of Hacker's Delight), so plain text costs about one step per 8
// bytes; a hit only sends that word through the byte loop.
bool WordNeedsEscape(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighs = 0x8080808080808080ull;
  auto has_zero_byte = [](uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  uint64_t below_space = (word - kOnes * 0x20) & ~word & kHighs;
  return (below_space | has_zero_byte(word ^ (kOnes * '"')) |
          has_zero_byte(word ^ (kOnes * '\\'))) != 0;
}

void AppendEscapedByte(std::string& out, unsigned char byte, char escape) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('\\');
  out.push_back(escape);
  if (escape == 'u') {
    out.append("00");
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0x0f]);
  }
}

void AppendEscaped(std::string& out, std::string_view value) {
  out.push_back('"');
  const char* p = value.data();
  const char* end = p + value.size();
  const char* plain_from = p;
  while (p != end) {
    if (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, sizeof(word));
      if (!WordNeedsEscape(word)) {
        p += 8;
        continue;
      }
    }
    auto byte = static_cast<unsigned char>(*p);
    char escape = kEscapes[byte];
    if (escape != 0) {
      out.append(plain_from, p);
      plain_from = p + 1;
      AppendEscapedByte(out, byte, escape);
    }
    ++p;
  }
  out.append(plain_from, end);
  out.push_back('"');
}

}  // namespace

void JsonWriter::BeforeValue() {
  if (depth_ == 0) {
    Check(!wrote_value_, "a second top-level value");
    wrote_value_ = true;
    return;
  }
  Level& level = levels_[depth_ - 1];
  if (level.is_object) {
    Check(level.key_pending, "a value where a key is due");
    level.key_pending = false;
    return;
  }
  if (level.has_member) out_.push_back(',');
  level.has_member = true;
}

void JsonWriter::Open(char bracket, bool is_object) {
  BeforeValue();
  Check(depth_ < kDepthMax, "nesting deeper than kDepthMax");
  levels_[depth_++] = Level{.is_object = is_object};
  out_.push_back(bracket);
}

void JsonWriter::Close(char bracket, bool is_object) {
  Check(depth_ > 0 && levels_[depth_ - 1].is_object == is_object, "unbalanced close");
  Check(!levels_[depth_ - 1].key_pending, "a key without a value");
  --depth_;
  out_.push_back(bracket);
}

JsonWriter& JsonWriter::BeginObject() {
  Open('{', true);
  return *this;
}
JsonWriter& JsonWriter::EndObject() {
  Close('}', true);
  return *this;
}
JsonWriter& JsonWriter::BeginArray() {
  Open('[', false);
  return *this;
}
JsonWriter& JsonWriter::EndArray() {
  Close(']', false);
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  Check(depth_ > 0 && levels_[depth_ - 1].is_object, "a key outside an object");
  Level& level = levels_[depth_ - 1];
  Check(!level.key_pending, "two keys in a row");
  if (level.has_member) out_.push_back(',');
  level.has_member = true;
  level.key_pending = true;
  AppendEscaped(out_, key);
  out_.push_back(':');
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendEscaped(out_, value);
  return *this;
}

JsonWriter& JsonWriter::HexString(const uint8_t* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  BeforeValue();
  const size_t start = out_.size();
  out_.resize(start + 2 * size + 2);
  char* p = out_.data() + start;
  *p++ = '"';
  for (size_t i = 0; i < size; ++i) {
    *p++ = kDigits[bytes[i] >> 4];
    *p++ = kDigits[bytes[i] & 0x0f];
  }
  *p = '"';
  return *this;
}

JsonWriter& JsonWriter::Double(double value) {
  Check(std::isfinite(value), "a non-finite number");
  BeforeValue();
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  Check(ec == std::errc(), "to_chars failed");
  std::string_view text(buffer, static_cast<size_t>(end - buffer));
  out_.append(text);
  // Keep doubles recognisable as such ("1.0", not "1"), as nlohmann::json prints them.
  if (text.find_first_of(".e") == std::string_view::npos) out_.append(".0");
  return *this;
}

template <typename Integer>
JsonWriter& JsonWriter::AppendInteger(Integer value) {
  BeforeValue();
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  Check(ec == std::errc(), "to_chars failed");
  out_.append(buffer, static_cast<size_t>(end - buffer));
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) { return AppendInteger(value); }
JsonWriter& JsonWriter::UInt(uint64_t value) { return AppendInteger(value); }

JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  out_.append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
  return *this;
}

}  // namespace stemedb::ops

#include "stemedb/core/field_reader.h"

#include <bit>
#include <cmath>

namespace stemedb::core {
namespace {

constexpr size_t kFieldHeaderBytes = 1 + 4;  // u8 number, u32le length

std::string FieldName(uint8_t field) { return "field " + std::to_string(field); }

}  // namespace

uint32_t LoadU32le(const char* p) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(p[i]);
  return value;
}

uint64_t LoadU64le(const char* p) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(p[i]);
  return value;
}

void FieldReader::Fail(const std::string& what) {
  if (!status_.ok()) return;
  status_ = Status::Corruption(what + " (at byte " + std::to_string(position_) + " of " +
                               std::to_string(bytes_.size()) + ")");
}

void FieldReader::Domain(std::string_view tag) {
  if (!ok()) return;
  if (position_ != 0) return Fail("domain tag must come first");
  if (bytes_.size() < 4) return Fail("record too short for its domain tag");
  const uint32_t length = LoadU32le(bytes_.data());
  if (length != tag.size() || bytes_.size() - 4 < length || bytes_.substr(4, length) != tag) {
    return Fail("domain tag is not \"" + std::string(tag) + "\"");
  }
  position_ = 4 + length;
}

FieldReader::Peeked FieldReader::Peek() const {
  Peeked out;
  const size_t left = bytes_.size() - position_;
  if (left == 0) return out;
  out.state = Peeked::State::kTruncated;
  if (left < kFieldHeaderBytes) return out;
  const uint32_t length = LoadU32le(bytes_.data() + position_ + 1);
  if (left - kFieldHeaderBytes < length) return out;
  out.state = Peeked::State::kField;
  out.number = static_cast<uint8_t>(bytes_[position_]);
  out.value = bytes_.substr(position_ + kFieldHeaderBytes, length);
  out.field_bytes = kFieldHeaderBytes + length;
  return out;
}

bool FieldReader::NextIs(uint8_t field) const {
  if (!ok()) return false;
  Peeked next = Peek();
  return next.state == Peeked::State::kField && next.number == field;
}

std::optional<std::string_view> FieldReader::Optional(uint8_t field) {
  if (!ok()) return std::nullopt;
  Peeked next = Peek();
  if (next.state == Peeked::State::kTruncated) {
    Fail("field header or value runs past the end of the record");
    return std::nullopt;
  }
  if (next.state == Peeked::State::kEnd || next.number != field) return std::nullopt;
  position_ += next.field_bytes;
  return next.value;
}

std::string_view FieldReader::Required(uint8_t field) {
  if (!ok()) return {};
  Peeked next = Peek();
  if (next.state == Peeked::State::kField && next.number != field) {
    Fail("expected " + FieldName(field) + ", found " + FieldName(next.number));
    return {};
  }
  std::optional<std::string_view> value = Optional(field);
  if (!value && ok()) Fail("missing " + FieldName(field) + " at the end of the record");
  return value.value_or(std::string_view());
}

void FieldReader::End() {
  if (!ok()) return;
  Peeked next = Peek();
  if (next.state == Peeked::State::kField) {
    return Fail("unexpected " + FieldName(next.number) + " (out of order, repeated or unknown)");
  }
  if (next.state == Peeked::State::kTruncated) {
    return Fail("trailing bytes after the last field");
  }
}

bool FieldReader::ExpectLength(uint8_t field, std::string_view value, size_t length) {
  if (!ok()) return false;
  if (value.size() == length) return true;
  Fail(FieldName(field) + " has " + std::to_string(value.size()) + " bytes, expected " +
       std::to_string(length));
  return false;
}

uint64_t FieldReader::U64(uint8_t field, std::string_view value) {
  return ExpectLength(field, value, 8) ? LoadU64le(value.data()) : 0;
}

double FieldReader::F64(uint8_t field, std::string_view value) {
  const uint64_t bits = U64(field, value);
  const double number = std::bit_cast<double>(bits);
  if (std::isnan(number) || bits == std::bit_cast<uint64_t>(-0.0)) {
    Fail(FieldName(field) + " holds NaN or -0.0, which are never written");
    return 0;
  }
  return number;
}

bool FieldReader::Bool(uint8_t field, std::string_view value) {
  if (!ExpectLength(field, value, 1)) return false;
  if (value[0] != 0 && value[0] != 1) {
    Fail(FieldName(field) + " is not a boolean (0 or 1)");
    return false;
  }
  return value[0] == 1;
}

}  // namespace stemedb::core

#include "stemedb/core/field_writer.h"

#include <bit>
#include <limits>

#include "stemedb/ground/check.h"

namespace stemedb::core {

void AppendU32le(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

void AppendU64le(std::string& out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

FieldWriter::FieldWriter(std::string_view tag) {
  STEMEDB_CHECK(!tag.empty() && tag.size() <= std::numeric_limits<uint32_t>::max());
  AppendU32le(out_, static_cast<uint32_t>(tag.size()));
  out_.append(tag);
}

void FieldWriter::Bytes(uint8_t field, std::string_view value) {
  STEMEDB_CHECK(field > last_field_);
  Append(field, value);
}

void FieldWriter::RepeatedBytes(uint8_t field, std::string_view value) {
  STEMEDB_CHECK(field >= last_field_);
  Append(field, value);
}

void FieldWriter::U64(uint8_t field, uint64_t value) {
  std::string bytes;
  AppendU64le(bytes, value);
  Bytes(field, bytes);
}

void FieldWriter::F64(uint8_t field, double value) {
  if (value == 0.0) value = 0.0;  // -0.0 == 0.0, so this turns -0.0 into +0.0
  U64(field, std::bit_cast<uint64_t>(value));
}

void FieldWriter::Bool(uint8_t field, bool value) {
  Bytes(field, value ? "\x01" : std::string_view("\0", 1));
}

void FieldWriter::Append(uint8_t field, std::string_view value) {
  STEMEDB_CHECK(value.size() <= std::numeric_limits<uint32_t>::max());
  out_.push_back(static_cast<char>(field));
  AppendU32le(out_, static_cast<uint32_t>(value.size()));
  out_.append(value);
  last_field_ = field;
}

}  // namespace stemedb::core

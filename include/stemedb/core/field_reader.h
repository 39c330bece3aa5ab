#pragma once
// Reads the framing FieldWriter writes, from bytes that may be anything (a damaged disk, a
// hostile peer): every length is checked against what is left before it is used.
//
// The reader is strict so that one record has exactly one accepted byte form: the caller asks
// for fields in ascending order, a field that is not the one asked for is left for the next
// request, and End() refuses anything left over. Out-of-order, duplicate and unknown fields
// therefore all fail. Errors are sticky: after the first one, every read returns an empty value
// and status() keeps that first error (kCorruption, with the byte offset).

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "stemedb/ground/status.h"

namespace stemedb::core {

class FieldReader {
 public:
  explicit FieldReader(std::string_view bytes) : bytes_(bytes) {}

  // The domain tag must be exactly `tag`.
  void Domain(std::string_view tag);

  // The next field, which must have number `field`.
  std::string_view Required(uint8_t field);
  // The next field when its number is `field`; nullopt (and nothing consumed) otherwise.
  std::optional<std::string_view> Optional(uint8_t field);
  // True when the next field has number `field` (for repeated fields).
  bool NextIs(uint8_t field) const;

  // Typed values of a field's bytes; `field` only names it in error messages.
  uint64_t U64(uint8_t field, std::string_view value);
  double F64(uint8_t field, std::string_view value);  // refuses -0.0 and NaN: never written
  bool Bool(uint8_t field, std::string_view value);
  template <size_t N>
  std::array<uint8_t, N> Fixed(uint8_t field, std::string_view value) {
    std::array<uint8_t, N> out{};
    if (ExpectLength(field, value, N)) std::memcpy(out.data(), value.data(), N);
    return out;
  }

  // Every byte must have been consumed.
  void End();

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // Records a failure (the first one wins); `what` is completed with the current byte offset.
  void Fail(const std::string& what);

 private:
  // The field at position_, read without consuming it.
  struct Peeked {
    enum class State : uint8_t { kEnd, kField, kTruncated } state = State::kEnd;
    uint8_t number = 0;
    std::string_view value;
    size_t field_bytes = 0;  // header and value
  };
  Peeked Peek() const;
  bool ExpectLength(uint8_t field, std::string_view value, size_t length);

  std::string_view bytes_;
  size_t position_ = 0;
  Status status_;
};

// Little-endian readers for exactly 4 and 8 bytes.
uint32_t LoadU32le(const char* p);
uint64_t LoadU64le(const char* p);

}  // namespace stemedb::core

#pragma once
// Writes the framing shared by canonical encodings and stored records:
//   domain = u32le(len(tag)) || tag
//   field  = u8(field_number) || u32le(len(value)) || value
// Field numbers must ascend; a misordered write is a bug in the caller and stops the process.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace stemedb::core {

class FieldWriter {
 public:
  // Starts the output with the domain tag.
  explicit FieldWriter(std::string_view tag);

  void Bytes(uint8_t field, std::string_view value);
  // As Bytes, but the same field number may be written again at once (a repeated field).
  void RepeatedBytes(uint8_t field, std::string_view value);
  void U64(uint8_t field, uint64_t value);
  // IEEE-754 bits as u64le; -0.0 is written as 0.0 so both give the same bytes.
  void F64(uint8_t field, double value);
  void Bool(uint8_t field, bool value);
  template <size_t N>
  void Fixed(uint8_t field, const std::array<uint8_t, N>& value) {
    Bytes(field, std::string_view(reinterpret_cast<const char*>(value.data()), N));
  }

  const std::string& bytes() const { return out_; }
  std::string Finish() && { return std::move(out_); }

 private:
  void Append(uint8_t field, std::string_view value);

  std::string out_;
  int last_field_ = -1;
};

// Little-endian helpers, shared with the reader and the signing message.
void AppendU32le(std::string& out, uint32_t value);
void AppendU64le(std::string& out, uint64_t value);

}  // namespace stemedb::core

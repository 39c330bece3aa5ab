#pragma once
// JsonWriter: writes JSON text straight into a string, for responses on hot paths. Building an
// nlohmann::json tree costs an allocation or three per member (a 100-candidate lens result took
// ~4,000); this writer appends into one buffer the caller can reuse.
//
// Output is deterministic byte for byte: members appear in the order written, doubles use the
// shortest form that round-trips (std::to_chars) with ".0" added to integral values, and strings
// escape '"', '\' and the control characters U+0000..U+001F. Strings must be valid UTF-8 (the
// writer does not re-validate what core/ validated on the way in).
//
// Misuse (a value where a key is due, unbalanced Begin/End, a non-finite double) is a bug in the
// caller and stops the process (STEMEDB_CHECK), so a response is never silently malformed.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stemedb::ops {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  ~JsonWriter() = default;
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view value);
  // Bytes as a string of lowercase hex digits (ids, keys, signatures): nothing in it can need
  // escaping, so it is written in one pass without the escape scan String does.
  JsonWriter& HexString(const uint8_t* bytes, size_t size);
  JsonWriter& Double(double value);  // finite only
  JsonWriter& Int(int64_t value);
  JsonWriter& UInt(uint64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  // True once every opened object and array is closed.
  bool Complete() const { return depth_ == 0 && wrote_value_; }

  static constexpr size_t kDepthMax = 64;

 private:
  void BeforeValue();
  template <typename Integer>
  JsonWriter& AppendInteger(Integer value);
  void Open(char bracket, bool is_object);
  void Close(char bracket, bool is_object);

  std::string& out_;
  // One entry per open container: is it an object, has it a member yet, is a key pending.
  struct Level {
    bool is_object = false;
    bool has_member = false;
    bool key_pending = false;
  };
  Level levels_[kDepthMax];
  size_t depth_ = 0;
  bool wrote_value_ = false;
};

}  // namespace stemedb::ops

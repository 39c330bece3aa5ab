#pragma once
// Typed reads of JSON object members, each reporting a FieldError with the member's JSON path.
//
// Errors are sticky and shared: readers for nested objects write into the same JsonErrors, the
// first error wins, and after it every read returns an empty value. A parser then reads field
// after field without an `if` per line and checks once at the end.
//
// Conventions (docs/protocol.md, "JSON shapes"): an optional member that is null counts as
// absent; a required member that is null has the wrong type; members not listed in
// OnlyMembers() are refused; integers must be JSON integers (no fraction, no exponent).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "stemedb/core/field_error.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/types.h"

namespace stemedb::core {

class JsonErrors {
 public:
  void Report(FieldError error) {
    if (!first_) first_ = std::move(error);
  }
  bool failed() const { return first_.has_value(); }
  const FieldError& first() const { return *first_; }

 private:
  std::optional<FieldError> first_;
};

class JsonReader {
 public:
  // Reads the members of `object`, found at `path` ("" for the body itself). Reports
  // wrong_type when it is not an object.
  JsonReader(const nlohmann::json& object, std::string path, JsonErrors& errors);

  // Reports unknown_field for the first member (in key order) not in `names`.
  void OnlyMembers(std::initializer_list<std::string_view> names);

  // The member, or nullptr: reports missing_field when absent.
  const nlohmann::json* Required(std::string_view name);
  // The member, or nullptr when absent or null.
  const nlohmann::json* Optional(std::string_view name);

  std::string String(std::string_view name);
  std::optional<std::string> OptionalString(std::string_view name);
  double Number(std::string_view name);  // any JSON number; -0.0 becomes 0.0
  bool Boolean(std::string_view name);
  int64_t Time(std::string_view name);  // unix seconds: a JSON integer
  std::optional<int64_t> OptionalTime(std::string_view name);

  template <size_t N>
  std::array<uint8_t, N> Hex(std::string_view name) {
    const nlohmann::json* v = Required(name);
    return v ? HexValue<N>(*v, MemberPath(name)) : std::array<uint8_t, N>{};
  }
  template <size_t N>
  std::optional<std::array<uint8_t, N>> OptionalHex(std::string_view name) {
    const nlohmann::json* v = Optional(name);
    if (!v) return std::nullopt;
    return HexValue<N>(*v, MemberPath(name));
  }

  // An enum by its lowercase name; `from_name` returns nullopt for unknown names and `names`
  // lists the accepted ones for the message.
  template <typename E, typename FromName>
  std::optional<E> OptionalEnum(std::string_view name, FromName from_name,
                                const std::string& names) {
    std::optional<std::string> text = OptionalString(name);
    if (!text) return std::nullopt;
    std::optional<E> value = from_name(*text);
    if (!value) ReportInvalidEnum(MemberPath(name), *text, names);
    return value;
  }

  // "signatures" -> "signatures" at the root, "object.value" below "object".
  std::string MemberPath(std::string_view name) const;
  JsonErrors& errors() { return errors_; }
  bool failed() const { return errors_.failed(); }

  // Typed reads of a value found at `path` (members and array elements alike).
  std::string StringValue(const nlohmann::json& v, const std::string& path);
  double NumberValue(const nlohmann::json& v, const std::string& path);
  bool BooleanValue(const nlohmann::json& v, const std::string& path);
  int64_t TimeValue(const nlohmann::json& v, const std::string& path);
  template <size_t N>
  std::array<uint8_t, N> HexValue(const nlohmann::json& v, const std::string& path) {
    std::array<uint8_t, N> out{};
    std::string text = StringValue(v, path);
    if (failed()) return out;
    Status decoded = HexDecodeInto(text, out);
    if (!decoded.ok()) errors_.Report(Malformed(error_code::kInvalidHex, path, decoded.message()));
    return out;
  }

  // invalid_enum: `text` is not one of `names`.
  void ReportInvalidEnum(const std::string& path, const std::string& text,
                         const std::string& names);

 private:
  void ReportWrongType(const nlohmann::json& v, const std::string& path, std::string_view expected);

  const nlohmann::json* object_;  // nullptr when the value was not an object
  std::string path_;
  JsonErrors& errors_;
};

// "a string", "a number", ...: the JSON type of `v` as an error message names it.
std::string_view JsonTypeName(const nlohmann::json& v);

}  // namespace stemedb::core

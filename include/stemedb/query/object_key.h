#pragma once
// The object of a claim, reduced to what the lenses need: "do two claims agree?". Two claims
// agree when their objects have the same type and the same canonical bytes (lenses.md):
//   text, reference: the UTF-8 bytes, compared byte for byte;
//   number: the IEEE-754 bits as u64le after -0.0 -> 0.0, so byte equality is f64 equality
//           (values are finite; NaN never reaches the engine);
//   boolean: one byte, 0 or 1.
// These are the bytes of field 4 of the canonical encoding (data-model.md), so storage can pass
// them through without decoding.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "stemedb/query/types.h"

namespace stemedb::query {

struct ObjectKey {
  ObjectType type = ObjectType::kText;
  std::string value{};  // canonical bytes, see above

  static ObjectKey Text(std::string_view text);
  static ObjectKey Reference(std::string_view entity);
  static ObjectKey Number(double number);  // -0.0 becomes 0.0
  static ObjectKey Boolean(bool flag);

  // The decoded value of a number or boolean key; the caller checks `type` first.
  double AsNumber() const;
  bool AsBoolean() const;
  // True when `value` has the shape its type requires (8 bytes for a number, one byte 0/1 for a
  // boolean). The engine refuses malformed keys rather than guess.
  bool WellFormed() const;

  // Equality is agreement. The order (type, then bytes) only has to be total and stable: it
  // decides the order in which groups are summed, which keeps results byte-for-byte repeatable.
  bool operator==(const ObjectKey&) const = default;
  std::strong_ordering operator<=>(const ObjectKey&) const = default;
};

}  // namespace stemedb::query

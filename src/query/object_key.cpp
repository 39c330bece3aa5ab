#include "stemedb/query/object_key.h"

#include <bit>
#include <cmath>

#include "stemedb/ground/check.h"

namespace stemedb::query {
namespace {

constexpr size_t kNumberBytes = 8;

}  // namespace

ObjectKey ObjectKey::Text(std::string_view text) { return {ObjectType::kText, std::string(text)}; }

ObjectKey ObjectKey::Reference(std::string_view entity) {
  return {ObjectType::kReference, std::string(entity)};
}

ObjectKey ObjectKey::Number(double number) {
  STEMEDB_CHECK(std::isfinite(number));
  if (number == 0.0) number = 0.0;  // -0.0 == 0.0, so this folds the sign away
  auto bits = std::bit_cast<uint64_t>(number);
  std::string bytes(kNumberBytes, '\0');
  for (size_t i = 0; i < kNumberBytes; ++i) {
    bytes[i] = static_cast<char>((bits >> (8 * i)) & 0xff);  // little-endian, as on the wire
  }
  return {ObjectType::kNumber, std::move(bytes)};
}

ObjectKey ObjectKey::Boolean(bool flag) {
  return {ObjectType::kBoolean, std::string(1, flag ? '\1' : '\0')};
}

double ObjectKey::AsNumber() const {
  STEMEDB_CHECK(type == ObjectType::kNumber && value.size() == kNumberBytes);
  uint64_t bits = 0;
  for (size_t i = 0; i < kNumberBytes; ++i) {
    bits |= static_cast<uint64_t>(static_cast<uint8_t>(value[i])) << (8 * i);
  }
  return std::bit_cast<double>(bits);
}

bool ObjectKey::AsBoolean() const {
  STEMEDB_CHECK(type == ObjectType::kBoolean && value.size() == 1);
  return value[0] != '\0';
}

bool ObjectKey::WellFormed() const {
  switch (type) {
    case ObjectType::kText:
    case ObjectType::kReference:
      return true;
    case ObjectType::kNumber: {
      if (value.size() != kNumberBytes) return false;
      double number = AsNumber();
      // -0.0 must already be folded, or two equal numbers would not agree.
      return std::isfinite(number) && !(number == 0.0 && std::signbit(number));
    }
    case ObjectType::kBoolean:
      return value.size() == 1 && (value[0] == '\0' || value[0] == '\1');
  }
  return false;
}

}  // namespace stemedb::query

#include "stemedb/core/record_kind.h"

namespace stemedb::core {

std::string_view RecordKindName(RecordKind kind) {
  switch (kind) {
    case RecordKind::kAssertion:
      return "assertion";
    case RecordKind::kVote:
      return "vote";
    case RecordKind::kEpoch:
      return "epoch";
    case RecordKind::kSource:
      return "source";
    case RecordKind::kSourceRetraction:
      return "source_retraction";
  }
  return "unknown";
}

std::optional<RecordKind> RecordKindFromByte(uint8_t byte) {
  if (byte < static_cast<uint8_t>(RecordKind::kAssertion) ||
      byte > static_cast<uint8_t>(RecordKind::kSourceRetraction)) {
    return std::nullopt;
  }
  return static_cast<RecordKind>(byte);
}

RecordKind KindOf(const Record& record) {
  // The variant's alternatives are in kind order, starting at kind 1.
  static_assert(std::variant_size_v<Record> == 5);
  static_assert(std::is_same_v<std::variant_alternative_t<0, Record>, Assertion>);
  static_assert(std::is_same_v<std::variant_alternative_t<4, Record>, SourceRetraction>);
  return static_cast<RecordKind>(record.index() + 1);
}

}  // namespace stemedb::core

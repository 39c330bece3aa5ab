#include "stemedb/core/records.h"

#include <array>

namespace stemedb::core {
namespace {

// Each enum is dense from 0, so its names are an array indexed by its value. The order is the
// enum's order; the names are part of the canonical encoding and never change.
constexpr std::array<std::string_view, 6> kSourceClassNames = {
    "regulatory", "clinical", "observational", "expert", "community", "anecdotal"};
constexpr std::array<std::string_view, 5> kLifecycleNames = {"proposed", "under_review", "approved",
                                                             "deprecated", "rejected"};
constexpr std::array<std::string_view, 3> kSupersessionTypeNames = {"replaces", "refines",
                                                                    "retracts"};
constexpr std::array<std::string_view, 4> kObjectTypeNames = {"text", "number", "boolean",
                                                              "reference"};
static_assert(std::variant_size_v<ObjectValue> == kObjectTypeNames.size());

template <typename Enum, size_t N>
std::string_view NameOf(const std::array<std::string_view, N>& names, Enum value) {
  auto index = static_cast<size_t>(value);
  return index < N ? names[index] : std::string_view("unknown");
}

template <typename Enum, size_t N>
std::optional<Enum> FromName(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

template <size_t N>
std::string Joined(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace

std::string_view SourceClassName(SourceClass value) { return NameOf(kSourceClassNames, value); }
std::string_view LifecycleName(Lifecycle value) { return NameOf(kLifecycleNames, value); }
std::string_view SupersessionTypeName(SupersessionType value) {
  return NameOf(kSupersessionTypeNames, value);
}
std::string_view ObjectTypeName(ObjectType value) { return NameOf(kObjectTypeNames, value); }

std::optional<SourceClass> SourceClassFromName(std::string_view name) {
  return FromName<SourceClass>(kSourceClassNames, name);
}
std::optional<Lifecycle> LifecycleFromName(std::string_view name) {
  return FromName<Lifecycle>(kLifecycleNames, name);
}
std::optional<SupersessionType> SupersessionTypeFromName(std::string_view name) {
  return FromName<SupersessionType>(kSupersessionTypeNames, name);
}
std::optional<ObjectType> ObjectTypeFromName(std::string_view name) {
  return FromName<ObjectType>(kObjectTypeNames, name);
}

std::string SourceClassNames() { return Joined(kSourceClassNames); }
std::string LifecycleNames() { return Joined(kLifecycleNames); }
std::string SupersessionTypeNames() { return Joined(kSupersessionTypeNames); }
std::string ObjectTypeNames() { return Joined(kObjectTypeNames); }

}  // namespace stemedb::core

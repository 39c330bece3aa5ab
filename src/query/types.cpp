#include "stemedb/query/types.h"

#include <array>

namespace stemedb::query {
namespace {

// Each enum is dense from 0, so its names are an array indexed by its value.
constexpr std::array<std::string_view, kTierCount> kTierNames = {
    "regulatory", "clinical", "observational", "expert", "community", "anecdotal"};
constexpr std::array<std::string_view, kLifecycleCount> kLifecycleNames = {
    "proposed", "under_review", "approved", "deprecated", "rejected"};
constexpr std::array<std::string_view, kObjectTypeCount> kObjectTypeNames = {
    "text", "number", "boolean", "reference"};

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

// kLaterStages[earlier] has bit `later` set when `later` is reachable from `earlier`. Written out
// rather than computed: the chain is fixed by the data model and five rows read at a glance.
constexpr uint8_t Bit(Lifecycle l) { return static_cast<uint8_t>(1u << static_cast<unsigned>(l)); }
constexpr std::array<uint8_t, kLifecycleCount> kLaterStages = {
    // proposed -> under_review -> {approved -> deprecated, rejected}
    Bit(Lifecycle::kUnderReview) | Bit(Lifecycle::kApproved) | Bit(Lifecycle::kDeprecated) |
        Bit(Lifecycle::kRejected),
    // under_review -> approved -> deprecated, under_review -> rejected
    Bit(Lifecycle::kApproved) | Bit(Lifecycle::kDeprecated) | Bit(Lifecycle::kRejected),
    // approved -> deprecated
    Bit(Lifecycle::kDeprecated),
    // deprecated and rejected are final
    0,
    0,
};

}  // namespace

std::string_view TierName(Tier tier) { return NameOf(kTierNames, tier); }
std::string_view LifecycleName(Lifecycle lifecycle) { return NameOf(kLifecycleNames, lifecycle); }
std::string_view ObjectTypeName(ObjectType type) { return NameOf(kObjectTypeNames, type); }

std::optional<Tier> TierFromName(std::string_view name) { return FromName<Tier>(kTierNames, name); }
std::optional<Lifecycle> LifecycleFromName(std::string_view name) {
  return FromName<Lifecycle>(kLifecycleNames, name);
}

bool IsLaterLifecycleStage(Lifecycle earlier, Lifecycle later) {
  auto index = static_cast<size_t>(earlier);
  if (index >= kLifecycleCount || static_cast<size_t>(later) >= kLifecycleCount) return false;
  return (kLaterStages[index] & Bit(later)) != 0;
}

}  // namespace stemedb::query

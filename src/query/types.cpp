#include "stemedb/query/types.h"

#include <array>

#include "stemedb/core/records.h"

namespace stemedb::query {
namespace {

// The engine's enums mirror the records' (so storage converts them with a cast, and the
// names are the records' names, from one table in core/records.cpp).
static_assert(static_cast<int>(Tier::kRegulatory) == static_cast<int>(core::SourceClass::kRegulatory) &&
              static_cast<int>(Tier::kAnecdotal) == static_cast<int>(core::SourceClass::kAnecdotal) &&
              kTierCount == 6);
static_assert(static_cast<int>(Lifecycle::kProposed) == static_cast<int>(core::Lifecycle::kProposed) &&
              static_cast<int>(Lifecycle::kUnderReview) == static_cast<int>(core::Lifecycle::kUnderReview) &&
              static_cast<int>(Lifecycle::kApproved) == static_cast<int>(core::Lifecycle::kApproved) &&
              static_cast<int>(Lifecycle::kDeprecated) == static_cast<int>(core::Lifecycle::kDeprecated) &&
              static_cast<int>(Lifecycle::kRejected) == static_cast<int>(core::Lifecycle::kRejected) &&
              kLifecycleCount == 5);
static_assert(static_cast<int>(ObjectType::kText) == static_cast<int>(core::ObjectType::kText) &&
              static_cast<int>(ObjectType::kNumber) == static_cast<int>(core::ObjectType::kNumber) &&
              static_cast<int>(ObjectType::kBoolean) == static_cast<int>(core::ObjectType::kBoolean) &&
              static_cast<int>(ObjectType::kReference) == static_cast<int>(core::ObjectType::kReference) &&
              kObjectTypeCount == 4);

template <typename To, typename From>
std::optional<To> Cast(std::optional<From> v) {
  if (!v) return std::nullopt;
  return static_cast<To>(*v);
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

std::string_view TierName(Tier tier) { return core::SourceClassName(static_cast<core::SourceClass>(tier)); }
std::string_view LifecycleName(Lifecycle lifecycle) {
  return core::LifecycleName(static_cast<core::Lifecycle>(lifecycle));
}
std::string_view ObjectTypeName(ObjectType type) { return core::ObjectTypeName(static_cast<core::ObjectType>(type)); }

std::optional<Tier> TierFromName(std::string_view name) { return Cast<Tier>(core::SourceClassFromName(name)); }
std::optional<Lifecycle> LifecycleFromName(std::string_view name) {
  return Cast<Lifecycle>(core::LifecycleFromName(name));
}

bool IsLaterLifecycleStage(Lifecycle earlier, Lifecycle later) {
  auto index = static_cast<size_t>(earlier);
  if (index >= kLifecycleCount || static_cast<size_t>(later) >= kLifecycleCount) return false;
  return (kLaterStages[index] & Bit(later)) != 0;
}

}  // namespace stemedb::query

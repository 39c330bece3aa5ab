#pragma once
// The plain value types the lens engine works on: 32-byte ids, authority tiers, lifecycle stages
// and object types. The engine deliberately does not use core/ record structs: storage hands it
// flat candidates (candidate.h), so the engine stays a pure function of plain data.
//
// The enums number their values exactly as core/records.h does (SourceClass, Lifecycle,
// ObjectType), so a caller converts with a static_cast.

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace stemedb::query {

inline constexpr size_t kId32Bytes = 32;
// A SHA-256 content id (assertion, epoch, source) or an Ed25519 public key (agent).
using Id32 = std::array<uint8_t, kId32Bytes>;
using AssertionId = Id32;
using AgentId = Id32;
using EpochId = Id32;

// A three-way comparison of ids for sorting, lookups and equality in inner loops: four native
// 64-bit compares instead of a 32-byte memcmp call (ids and keys are uniformly random, so the
// first word nearly always decides). The order is not byte order: where an order is visible
// ("ties go to the larger id") the engine compares bytes (tie_order.h).
inline int IdCompare(const Id32& a, const Id32& b) {
  for (size_t offset = 0; offset < kId32Bytes; offset += sizeof(uint64_t)) {
    uint64_t word_a;
    uint64_t word_b;
    std::memcpy(&word_a, a.data() + offset, sizeof(word_a));
    std::memcpy(&word_b, b.data() + offset, sizeof(word_b));
    if (word_a != word_b) return word_a < word_b ? -1 : 1;
  }
  return 0;
}
inline bool IdSortsBefore(const Id32& a, const Id32& b) { return IdCompare(a, b) < 0; }

// The authority tier of an assertion (its source_class), most authoritative first: the value is
// the tier's rank.
enum class Tier : uint8_t {
  kRegulatory = 0,
  kClinical = 1,
  kObservational = 2,
  kExpert = 3,
  kCommunity = 4,
  kAnecdotal = 5,
};
inline constexpr size_t kTierCount = 6;

// Allowed chains: proposed -> under_review -> approved -> deprecated, under_review -> rejected.
enum class Lifecycle : uint8_t {
  kProposed = 0,
  kUnderReview = 1,
  kApproved = 2,
  kDeprecated = 3,
  kRejected = 4,
};
inline constexpr size_t kLifecycleCount = 5;

enum class ObjectType : uint8_t { kText = 0, kNumber = 1, kBoolean = 2, kReference = 3 };
inline constexpr size_t kObjectTypeCount = 4;

// Lowercase names as they appear in JSON; "unknown" for a value out of range.
std::string_view TierName(Tier tier);
std::string_view LifecycleName(Lifecycle lifecycle);
std::string_view ObjectTypeName(ObjectType type);

// The enum for a name; nullopt for anything else (names are case-sensitive).
std::optional<Tier> TierFromName(std::string_view name);
std::optional<Lifecycle> LifecycleFromName(std::string_view name);

// True when `later` is reachable from `earlier` through one or more allowed lifecycle transitions
// (so a new assertion at stage `later` with parent_hash pointing at one at stage `earlier` moves
// that claim on). A stage is never later than itself.
bool IsLaterLifecycleStage(Lifecycle earlier, Lifecycle later);

}  // namespace stemedb::query

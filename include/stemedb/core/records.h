#pragma once
// The records agents post, as plain structs: Assertion, Vote, Epoch, Source and the
// server-side SourceRetraction. The spec is /docs/protocol.md (and data-model.md); field names
// follow the JSON names exactly. Times are unix seconds in int64_t, kept within
// [kTimestampMin, kTimestampMax] by validation (record_validation.h), so arithmetic on them never
// overflows; enums with a default hold the default when a client left them out, so a struct
// never distinguishes "sent the default" from "left it out" (the ids do not either).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "stemedb/core/types.h"

namespace stemedb::core {

// The authority tier of evidence, most authoritative first. The number is the tier's rank
// (used by the authority and layered lenses); the encoding uses the name.
enum class SourceClass : uint8_t {
  kRegulatory = 0,
  kClinical = 1,
  kObservational = 2,
  kExpert = 3,
  kCommunity = 4,
  kAnecdotal = 5,
};
inline constexpr SourceClass kDefaultSourceClass = SourceClass::kCommunity;

enum class Lifecycle : uint8_t {
  kProposed,
  kUnderReview,
  kApproved,
  kDeprecated,
  kRejected,
};
inline constexpr Lifecycle kDefaultLifecycle = Lifecycle::kProposed;

enum class SupersessionType : uint8_t { kReplaces, kRefines, kRetracts };

// The object of an assertion. Text and reference both hold strings; distinct types keep them
// from being confused.
struct TextObject {
  std::string value;
  bool operator==(const TextObject&) const = default;
};
struct NumberObject {
  double value = 0;  // finite; -0.0 is stored as 0.0
  bool operator==(const NumberObject&) const = default;
};
struct BooleanObject {
  bool value = false;
  bool operator==(const BooleanObject&) const = default;
};
struct ReferenceObject {
  std::string value;  // an entity id, under the subject rules
  bool operator==(const ReferenceObject&) const = default;
};
using ObjectValue = std::variant<TextObject, NumberObject, BooleanObject, ReferenceObject>;
// The kind of an ObjectValue; the numbers are the variant's indexes.
enum class ObjectType : uint8_t { kText = 0, kNumber = 1, kBoolean = 2, kReference = 3 };
inline ObjectType ObjectTypeOf(const ObjectValue& object) {
  return static_cast<ObjectType>(object.index());
}

struct SignatureEntry {
  PublicKey agent_id{};
  SignatureBytes signature{};
  bool operator==(const SignatureEntry&) const = default;
};

struct Assertion {
  std::string subject;
  std::string predicate;
  ObjectValue object;
  double confidence = 0;  // 0..1
  int64_t timestamp = 0;  // unix seconds: when the claim was made
  std::optional<Hash32> source_hash;
  SourceClass source_class = kDefaultSourceClass;
  Lifecycle lifecycle = kDefaultLifecycle;
  std::optional<Hash32> epoch;
  std::optional<Hash32> parent_hash;
  std::optional<std::string> narrative;
  std::optional<int64_t> valid_from;  // unix seconds: the period the claim is about
  std::optional<int64_t> valid_until;
  std::vector<SignatureEntry> signatures;  // not content: never part of the id
  bool operator==(const Assertion&) const = default;
};

struct Vote {
  Hash32 assertion_hash{};
  PublicKey agent_id{};
  double weight = 0;      // -1..1; negative disputes, positive endorses
  int64_t timestamp = 0;  // unix seconds
  SignatureBytes signature{};
  bool operator==(const Vote&) const = default;
};

struct Epoch {
  std::string name;
  std::optional<std::string> description;
  int64_t started_at = 0;  // unix seconds
  std::optional<Hash32> supersedes;
  std::optional<SupersessionType> supersession_type;  // set exactly when supersedes is
  std::vector<SignatureEntry> signatures;
  bool operator==(const Epoch&) const = default;
};

struct Source {
  std::string uri;
  std::optional<std::string> title;
  SourceClass source_class = kDefaultSourceClass;
  // When present, the source's id is SHA-256 of these bytes instead of its canonical encoding.
  std::optional<std::string> content;
  bool operator==(const Source&) const = default;
};

// An admin's statement that a registered source is no longer evidence.
struct SourceRetraction {
  Hash32 source_hash{};
  std::string reason;
  bool operator==(const SourceRetraction&) const = default;
};

using Record = std::variant<Assertion, Vote, Epoch, Source, SourceRetraction>;

// Lowercase names, as they appear in JSON and in canonical encodings.
std::string_view SourceClassName(SourceClass value);
std::string_view LifecycleName(Lifecycle value);
std::string_view SupersessionTypeName(SupersessionType value);
std::string_view ObjectTypeName(ObjectType value);

// The enum for a name; nullopt for anything else (names are case-sensitive).
std::optional<SourceClass> SourceClassFromName(std::string_view name);
std::optional<Lifecycle> LifecycleFromName(std::string_view name);
std::optional<SupersessionType> SupersessionTypeFromName(std::string_view name);
std::optional<ObjectType> ObjectTypeFromName(std::string_view name);

// The names each enum accepts, joined for error messages: "regulatory, clinical, ...".
std::string SourceClassNames();
std::string LifecycleNames();
std::string SupersessionTypeNames();
std::string ObjectTypeNames();

}  // namespace stemedb::core

#include "stemedb/core/canonical_encoding.h"

#include "stemedb/ground/check.h"
#include "stemedb/core/limits.h"
#include "stemedb/core/sha256.h"

namespace stemedb::core {
namespace {

// Only valid records are encoded; a time outside the range would wrap into a different u64.
uint64_t TimeU64(int64_t unix_seconds) {
  STEMEDB_CHECK(unix_seconds >= kTimestampMin && unix_seconds <= kTimestampMax);
  return static_cast<uint64_t>(unix_seconds);
}

void WriteObject(FieldWriter& w, const ObjectValue& object) {
  w.Bytes(kAssertionObjectType, ObjectTypeName(ObjectTypeOf(object)));
  std::visit(
      [&w](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, NumberObject>) {
          w.F64(kAssertionObjectValue, value.value);
        } else if constexpr (std::is_same_v<T, BooleanObject>) {
          w.Bool(kAssertionObjectValue, value.value);
        } else {  // text and reference: the string
          w.Bytes(kAssertionObjectValue, value.value);
        }
      },
      object);
}

}  // namespace

FieldWriter CanonicalWriter(const Assertion& a) {
  FieldWriter w(kAssertionTag);
  w.Bytes(kAssertionSubject, a.subject);
  w.Bytes(kAssertionPredicate, a.predicate);
  WriteObject(w, a.object);
  w.F64(kAssertionConfidence, a.confidence);
  w.U64(kAssertionTimestamp, TimeU64(a.timestamp));
  if (a.source_hash) w.Fixed(kAssertionSourceHash, *a.source_hash);
  w.Bytes(kAssertionSourceClass, SourceClassName(a.source_class));
  w.Bytes(kAssertionLifecycle, LifecycleName(a.lifecycle));
  if (a.epoch) w.Fixed(kAssertionEpoch, *a.epoch);
  if (a.parent_hash) w.Fixed(kAssertionParentHash, *a.parent_hash);
  if (a.narrative) w.Bytes(kAssertionNarrative, *a.narrative);
  if (a.valid_from) w.U64(kAssertionValidFrom, TimeU64(*a.valid_from));
  if (a.valid_until) w.U64(kAssertionValidUntil, TimeU64(*a.valid_until));
  return w;
}

FieldWriter CanonicalWriter(const Vote& v) {
  FieldWriter w(kVoteTag);
  w.Fixed(kVoteAssertionHash, v.assertion_hash);
  w.Fixed(kVoteAgentId, v.agent_id);
  w.F64(kVoteWeight, v.weight);
  w.U64(kVoteTimestamp, TimeU64(v.timestamp));
  return w;
}

FieldWriter CanonicalWriter(const Epoch& e) {
  FieldWriter w(kEpochTag);
  w.Bytes(kEpochName, e.name);
  if (e.description) w.Bytes(kEpochDescription, *e.description);
  w.U64(kEpochStartedAt, TimeU64(e.started_at));
  if (e.supersedes) w.Fixed(kEpochSupersedes, *e.supersedes);
  if (e.supersession_type) {
    w.Bytes(kEpochSupersessionType, SupersessionTypeName(*e.supersession_type));
  }
  return w;
}

FieldWriter CanonicalWriter(const Source& s) {
  FieldWriter w(kSourceTag);
  w.Bytes(kSourceUri, s.uri);
  if (s.title) w.Bytes(kSourceTitle, *s.title);
  w.Bytes(kSourceSourceClass, SourceClassName(s.source_class));
  return w;
}

FieldWriter CanonicalWriter(const SourceRetraction& r) {
  FieldWriter w(kSourceRetractionTag);
  w.Fixed(kRetractionSourceHash, r.source_hash);
  w.Bytes(kRetractionReason, r.reason);
  return w;
}

Hash32 ContentId(const Assertion& record) { return Sha256(CanonicalEncoding(record)); }
Hash32 ContentId(const Vote& record) { return Sha256(CanonicalEncoding(record)); }
Hash32 ContentId(const Epoch& record) { return Sha256(CanonicalEncoding(record)); }
Hash32 ContentId(const SourceRetraction& record) { return Sha256(CanonicalEncoding(record)); }

Hash32 ContentId(const Source& record) {
  // Evidence registered with its text is named by the text alone, so anyone holding the same
  // document computes the same hash without knowing where it was registered from.
  if (record.content) return Sha256(*record.content);
  return Sha256(CanonicalEncoding(record));
}

Hash32 ContentId(const Record& record) {
  return std::visit([](const auto& r) { return ContentId(r); }, record);
}

std::string SigningMessage(const Hash32& id) {
  std::string message;
  message.reserve(4 + kSigningTag.size() + id.size());
  AppendU32le(message, static_cast<uint32_t>(kSigningTag.size()));
  message.append(kSigningTag);
  message.append(reinterpret_cast<const char*>(id.data()), id.size());
  return message;
}

}  // namespace stemedb::core

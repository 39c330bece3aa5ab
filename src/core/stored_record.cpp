#include "stemedb/core/stored_record.h"

#include <cstring>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/field_reader.h"
#include "stemedb/core/limits.h"
#include "stemedb/core/record_validation.h"

namespace stemedb::core {
namespace {

constexpr size_t kSignatureEntryBytes = kPublicKeyBytes + kSignatureBytes;

// ---- Encoding: the canonical writer, then the server fields.

void AppendSignatures(FieldWriter& w, const std::vector<SignatureEntry>& signatures) {
  for (const SignatureEntry& s : signatures) {
    std::string entry;
    entry.reserve(kSignatureEntryBytes);
    entry.append(reinterpret_cast<const char*>(s.agent_id.data()), s.agent_id.size());
    entry.append(reinterpret_cast<const char*>(s.signature.data()), s.signature.size());
    w.RepeatedBytes(kStoredSignature, entry);
  }
}

void AppendServerFields(FieldWriter& w, const Assertion& a) { AppendSignatures(w, a.signatures); }
void AppendServerFields(FieldWriter& w, const Epoch& e) { AppendSignatures(w, e.signatures); }
void AppendServerFields(FieldWriter& w, const Vote& v) {
  w.Fixed(kStoredVoteSignature, v.signature);
}
void AppendServerFields(FieldWriter& w, const Source& s) {
  if (s.content) w.Bytes(kStoredContent, *s.content);
}
void AppendServerFields(FieldWriter&, const SourceRetraction&) {}

// ---- Decoding: fields in the order they were written; the reader's errors are sticky.

int64_t TimeOf(FieldReader& r, uint8_t field, std::string_view value) {
  const uint64_t seconds = r.U64(field, value);
  if (seconds > static_cast<uint64_t>(kTimestampMax)) {
    r.Fail("field " + std::to_string(field) + " holds a time beyond the limit");
    return 0;
  }
  return static_cast<int64_t>(seconds);
}

std::optional<int64_t> OptionalTime(FieldReader& r, uint8_t field) {
  std::optional<std::string_view> value = r.Optional(field);
  if (!value) return std::nullopt;
  return TimeOf(r, field, *value);
}

std::optional<Hash32> OptionalHash(FieldReader& r, uint8_t field) {
  std::optional<std::string_view> value = r.Optional(field);
  if (!value) return std::nullopt;
  return r.Fixed<kHashBytes>(field, *value);
}

std::optional<std::string> OptionalString(FieldReader& r, uint8_t field) {
  std::optional<std::string_view> value = r.Optional(field);
  if (!value) return std::nullopt;
  return std::string(*value);
}

template <typename E, typename FromName>
E EnumOf(FieldReader& r, uint8_t field, std::string_view name, FromName from_name) {
  std::optional<E> value = from_name(name);
  if (!value) {
    r.Fail("field " + std::to_string(field) + " holds an unknown name");
    return E{};
  }
  return *value;
}

ObjectValue ObjectOf(FieldReader& r) {
  std::string_view type_name = r.Required(kAssertionObjectType);
  std::string_view value = r.Required(kAssertionObjectValue);
  if (!r.ok()) return {};
  switch (EnumOf<ObjectType>(r, kAssertionObjectType, type_name, ObjectTypeFromName)) {
    case ObjectType::kText:
      return TextObject{std::string(value)};
    case ObjectType::kNumber:
      return NumberObject{r.F64(kAssertionObjectValue, value)};
    case ObjectType::kBoolean:
      return BooleanObject{r.Bool(kAssertionObjectValue, value)};
    case ObjectType::kReference:
      return ReferenceObject{std::string(value)};
  }
  return {};
}

std::vector<SignatureEntry> SignaturesOf(FieldReader& r) {
  std::vector<SignatureEntry> out;
  // More than the limit is corrupt; stop reading there instead of allocating for it.
  while (r.NextIs(kStoredSignature) && out.size() <= kSignaturesMax) {
    auto entry = r.Fixed<kSignatureEntryBytes>(kStoredSignature, r.Required(kStoredSignature));
    SignatureEntry s;
    std::memcpy(s.agent_id.data(), entry.data(), kPublicKeyBytes);
    std::memcpy(s.signature.data(), entry.data() + kPublicKeyBytes, kSignatureBytes);
    out.push_back(s);
  }
  return out;
}

Assertion DecodeAssertion(FieldReader& r) {
  Assertion a;
  r.Domain(kAssertionTag);
  a.subject = std::string(r.Required(kAssertionSubject));
  a.predicate = std::string(r.Required(kAssertionPredicate));
  a.object = ObjectOf(r);
  a.confidence = r.F64(kAssertionConfidence, r.Required(kAssertionConfidence));
  a.timestamp = TimeOf(r, kAssertionTimestamp, r.Required(kAssertionTimestamp));
  a.source_hash = OptionalHash(r, kAssertionSourceHash);
  a.source_class = EnumOf<SourceClass>(r, kAssertionSourceClass, r.Required(kAssertionSourceClass),
                                       SourceClassFromName);
  a.lifecycle =
      EnumOf<Lifecycle>(r, kAssertionLifecycle, r.Required(kAssertionLifecycle), LifecycleFromName);
  a.epoch = OptionalHash(r, kAssertionEpoch);
  a.parent_hash = OptionalHash(r, kAssertionParentHash);
  a.narrative = OptionalString(r, kAssertionNarrative);
  a.valid_from = OptionalTime(r, kAssertionValidFrom);
  a.valid_until = OptionalTime(r, kAssertionValidUntil);
  a.signatures = SignaturesOf(r);
  return a;
}

Vote DecodeVote(FieldReader& r) {
  Vote v;
  r.Domain(kVoteTag);
  v.assertion_hash = r.Fixed<kHashBytes>(kVoteAssertionHash, r.Required(kVoteAssertionHash));
  v.agent_id = r.Fixed<kPublicKeyBytes>(kVoteAgentId, r.Required(kVoteAgentId));
  v.weight = r.F64(kVoteWeight, r.Required(kVoteWeight));
  v.timestamp = TimeOf(r, kVoteTimestamp, r.Required(kVoteTimestamp));
  v.signature = r.Fixed<kSignatureBytes>(kStoredVoteSignature, r.Required(kStoredVoteSignature));
  return v;
}

Epoch DecodeEpoch(FieldReader& r) {
  Epoch e;
  r.Domain(kEpochTag);
  e.name = std::string(r.Required(kEpochName));
  e.description = OptionalString(r, kEpochDescription);
  e.started_at = TimeOf(r, kEpochStartedAt, r.Required(kEpochStartedAt));
  e.supersedes = OptionalHash(r, kEpochSupersedes);
  if (std::optional<std::string_view> type = r.Optional(kEpochSupersessionType)) {
    e.supersession_type =
        EnumOf<SupersessionType>(r, kEpochSupersessionType, *type, SupersessionTypeFromName);
  }
  e.signatures = SignaturesOf(r);
  return e;
}

Source DecodeSource(FieldReader& r) {
  Source s;
  r.Domain(kSourceTag);
  s.uri = std::string(r.Required(kSourceUri));
  s.title = OptionalString(r, kSourceTitle);
  s.source_class = EnumOf<SourceClass>(r, kSourceSourceClass, r.Required(kSourceSourceClass),
                                       SourceClassFromName);
  s.content = OptionalString(r, kStoredContent);
  return s;
}

SourceRetraction DecodeSourceRetraction(FieldReader& r) {
  SourceRetraction retraction;
  r.Domain(kSourceRetractionTag);
  retraction.source_hash =
      r.Fixed<kHashBytes>(kRetractionSourceHash, r.Required(kRetractionSourceHash));
  retraction.reason = std::string(r.Required(kRetractionReason));
  return retraction;
}

Record DecodeByKind(RecordKind kind, FieldReader& r) {
  switch (kind) {
    case RecordKind::kAssertion:
      return DecodeAssertion(r);
    case RecordKind::kVote:
      return DecodeVote(r);
    case RecordKind::kEpoch:
      return DecodeEpoch(r);
    case RecordKind::kSource:
      return DecodeSource(r);
    case RecordKind::kSourceRetraction:
      return DecodeSourceRetraction(r);
  }
  r.Fail("unknown record kind " + std::to_string(static_cast<int>(kind)));
  return Record{};
}

}  // namespace

std::string EncodeStored(const Record& record) {
  return std::visit(
      [](const auto& r) {
        FieldWriter w = CanonicalWriter(r);
        AppendServerFields(w, r);
        return std::move(w).Finish();
      },
      record);
}

Result<Record> DecodeStored(RecordKind kind, std::string_view bytes) {
  // Built only on failure: every read of a record passes here.
  auto what = [kind] { return "stored " + std::string(RecordKindName(kind)) + ": "; };
  if (bytes.size() > kStoredRecordBytesMax) {
    return Status::Corruption(what() + std::to_string(bytes.size()) + " bytes exceeds the limit of " +
                              std::to_string(kStoredRecordBytesMax));
  }
  FieldReader reader(bytes);
  Record record = DecodeByKind(kind, reader);
  reader.End();
  if (!reader.ok()) return Status::Corruption(what() + reader.status().message());
  // The invariants the write path checked hold on the way back too, or the bytes are not ours.
  if (std::optional<FieldError> problem = Validate(record)) {
    return Status::Corruption(what() + problem->message);
  }
  return record;
}

}  // namespace stemedb::core

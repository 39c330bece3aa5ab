#include "stemedb/core/record_json.h"

#include "stemedb/core/hex.h"
#include "stemedb/core/json_reader.h"
#include "stemedb/core/limits.h"
#include "stemedb/core/record_validation.h"

namespace stemedb::core {
namespace {

using json = nlohmann::json;

// The shape was read (errors holds the first shape problem, if any); now the data model.
template <typename R>
FieldResult<R> Finish(R record, const JsonErrors& errors) {
  if (errors.failed()) return errors.first();
  if (std::optional<FieldError> problem = Validate(record)) return *std::move(problem);
  return record;
}

ObjectValue ReadObject(JsonReader& body) {
  const json* v = body.Required("object");
  if (!v) return {};
  JsonReader object(*v, body.MemberPath("object"), body.errors());
  object.OnlyMembers({"type", "value"});
  const std::string type_name = object.String("type");
  if (object.failed()) return {};
  std::optional<ObjectType> type = ObjectTypeFromName(type_name);
  if (!type) {
    object.ReportInvalidEnum(object.MemberPath("type"), type_name, ObjectTypeNames());
    return {};
  }
  const json* value = object.Required("value");
  if (!value) return {};
  const std::string value_path = object.MemberPath("value");
  switch (*type) {
    case ObjectType::kText:
      return TextObject{object.StringValue(*value, value_path)};
    case ObjectType::kNumber:
      return NumberObject{object.NumberValue(*value, value_path)};
    case ObjectType::kBoolean:
      return BooleanObject{object.BooleanValue(*value, value_path)};
    case ObjectType::kReference:
      return ReferenceObject{object.StringValue(*value, value_path)};
  }
  return {};
}

std::vector<SignatureEntry> ReadSignatures(JsonReader& body) {
  std::vector<SignatureEntry> out;
  const json* v = body.Required("signatures");
  if (!v) return out;
  if (!v->is_array()) {
    body.errors().Report(Malformed(error_code::kWrongType, "signatures",
                                   "expected an array, got " + std::string(JsonTypeName(*v))));
    return out;
  }
  // The count itself is a validation rule; the body limit bounds the work done here.
  for (size_t i = 0; i < v->size() && !body.failed(); ++i) {
    JsonReader entry((*v)[i], "signatures[" + std::to_string(i) + "]", body.errors());
    entry.OnlyMembers({"agent_id", "signature"});
    SignatureEntry signature;
    signature.agent_id = entry.Hex<kPublicKeyBytes>("agent_id");
    signature.signature = entry.Hex<kSignatureBytes>("signature");
    out.push_back(signature);
  }
  return out;
}

json SignaturesToJson(const std::vector<SignatureEntry>& signatures) {
  json out = json::array();
  for (const SignatureEntry& s : signatures) {
    out.push_back({{"agent_id", HexEncode(s.agent_id)}, {"signature", HexEncode(s.signature)}});
  }
  return out;
}

}  // namespace

FieldResult<Assertion> AssertionFromJson(const json& body) {
  JsonErrors errors;
  JsonReader r(body, "", errors);
  r.OnlyMembers({"subject", "predicate", "object", "confidence", "timestamp", "source_hash",
                 "source_class", "lifecycle", "epoch", "parent_hash", "narrative", "valid_from",
                 "valid_until", "signatures"});
  Assertion a;
  a.subject = r.String("subject");
  a.predicate = r.String("predicate");
  a.object = ReadObject(r);
  a.confidence = r.Number("confidence");
  a.timestamp = r.Time("timestamp");
  a.source_hash = r.OptionalHex<kHashBytes>("source_hash");
  a.source_class =
      r.OptionalEnum<SourceClass>("source_class", SourceClassFromName, SourceClassNames())
          .value_or(kDefaultSourceClass);
  a.lifecycle = r.OptionalEnum<Lifecycle>("lifecycle", LifecycleFromName, LifecycleNames())
                    .value_or(kDefaultLifecycle);
  a.epoch = r.OptionalHex<kHashBytes>("epoch");
  a.parent_hash = r.OptionalHex<kHashBytes>("parent_hash");
  a.narrative = r.OptionalString("narrative");
  a.valid_from = r.OptionalTime("valid_from");
  a.valid_until = r.OptionalTime("valid_until");
  a.signatures = ReadSignatures(r);
  return Finish(std::move(a), errors);
}

FieldResult<Vote> VoteFromJson(const json& body) {
  JsonErrors errors;
  JsonReader r(body, "", errors);
  r.OnlyMembers({"assertion_hash", "agent_id", "weight", "timestamp", "signature"});
  Vote v;
  v.assertion_hash = r.Hex<kHashBytes>("assertion_hash");
  v.agent_id = r.Hex<kPublicKeyBytes>("agent_id");
  v.weight = r.Number("weight");
  v.timestamp = r.Time("timestamp");
  v.signature = r.Hex<kSignatureBytes>("signature");
  return Finish(std::move(v), errors);
}

FieldResult<Epoch> EpochFromJson(const json& body) {
  JsonErrors errors;
  JsonReader r(body, "", errors);
  r.OnlyMembers(
      {"name", "description", "started_at", "supersedes", "supersession_type", "signatures"});
  Epoch e;
  e.name = r.String("name");
  e.description = r.OptionalString("description");
  e.started_at = r.Time("started_at");
  e.supersedes = r.OptionalHex<kHashBytes>("supersedes");
  e.supersession_type = r.OptionalEnum<SupersessionType>(
      "supersession_type", SupersessionTypeFromName, SupersessionTypeNames());
  e.signatures = ReadSignatures(r);
  return Finish(std::move(e), errors);
}

FieldResult<Source> SourceFromJson(const json& body) {
  JsonErrors errors;
  JsonReader r(body, "", errors);
  r.OnlyMembers({"uri", "title", "source_class", "content"});
  Source s;
  s.uri = r.String("uri");
  s.title = r.OptionalString("title");
  s.source_class =
      r.OptionalEnum<SourceClass>("source_class", SourceClassFromName, SourceClassNames())
          .value_or(kDefaultSourceClass);
  s.content = r.OptionalString("content");
  return Finish(std::move(s), errors);
}

FieldResult<SourceRetraction> SourceRetractionFromJson(const json& body,
                                                       const Hash32& source_hash) {
  JsonErrors errors;
  JsonReader r(body, "", errors);
  r.OnlyMembers({"reason"});
  SourceRetraction retraction;
  retraction.source_hash = source_hash;
  retraction.reason = r.String("reason");
  return Finish(std::move(retraction), errors);
}

FieldResult<const json*> AssertionBatchItemsFromJson(const json& body) {
  JsonErrors errors;
  JsonReader r(body, "", errors);
  r.OnlyMembers({"assertions"});
  const json* items = r.Required("assertions");
  if (errors.failed()) return errors.first();
  if (!items->is_array()) {
    return Malformed(error_code::kWrongType, "assertions",
                     "expected an array, got " + std::string(JsonTypeName(*items)));
  }
  // An empty batch writes nothing and answers 200 with no results: a client bug (an unfilled
  // buffer) that would otherwise look like success.
  if (items->empty()) {
    return Invalid(error_code::kEmptyBatch, "assertions",
                   "a batch holds 1.." + std::to_string(kBatchRecordsMax) + " items, got none");
  }
  if (items->size() > kBatchRecordsMax) {
    return Invalid(error_code::kBatchTooLarge, "assertions",
                   std::to_string(items->size()) + " items exceed the limit of " +
                       std::to_string(kBatchRecordsMax));
  }
  return items;
}

json ToJson(const ObjectValue& object) {
  json value = std::visit([](const auto& o) { return json(o.value); }, object);
  return {{"type", ObjectTypeName(ObjectTypeOf(object))}, {"value", std::move(value)}};
}

json ToJson(const Assertion& a) {
  json out = {{"subject", a.subject},
              {"predicate", a.predicate},
              {"object", ToJson(a.object)},
              {"confidence", a.confidence},
              {"timestamp", a.timestamp},
              {"source_class", SourceClassName(a.source_class)},
              {"lifecycle", LifecycleName(a.lifecycle)},
              {"signatures", SignaturesToJson(a.signatures)}};
  if (a.source_hash) out["source_hash"] = HexEncode(*a.source_hash);
  if (a.epoch) out["epoch"] = HexEncode(*a.epoch);
  if (a.parent_hash) out["parent_hash"] = HexEncode(*a.parent_hash);
  if (a.narrative) out["narrative"] = *a.narrative;
  if (a.valid_from) out["valid_from"] = *a.valid_from;
  if (a.valid_until) out["valid_until"] = *a.valid_until;
  return out;
}

json ToJson(const Vote& v) {
  return {{"assertion_hash", HexEncode(v.assertion_hash)},
          {"agent_id", HexEncode(v.agent_id)},
          {"weight", v.weight},
          {"timestamp", v.timestamp},
          {"signature", HexEncode(v.signature)}};
}

json ToJson(const Epoch& e) {
  json out = {{"name", e.name},
              {"started_at", e.started_at},
              {"signatures", SignaturesToJson(e.signatures)}};
  if (e.description) out["description"] = *e.description;
  if (e.supersedes) out["supersedes"] = HexEncode(*e.supersedes);
  if (e.supersession_type) out["supersession_type"] = SupersessionTypeName(*e.supersession_type);
  return out;
}

json ToJson(const Source& s) {
  json out = {{"uri", s.uri}, {"source_class", SourceClassName(s.source_class)}};
  if (s.title) out["title"] = *s.title;
  if (s.content) out["content"] = *s.content;
  return out;
}

json ToJson(const SourceRetraction& r) {
  return {{"source_hash", HexEncode(r.source_hash)}, {"reason", r.reason}};
}

json ToJson(const Record& record) {
  return std::visit([](const auto& r) { return ToJson(r); }, record);
}

}  // namespace stemedb::core

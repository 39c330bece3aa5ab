#include "record_builders.h"

#include "cli_error.h"
#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/record_validation.h"
#include "stemedb/core/signature_check.h"

namespace stemedb::cli {
namespace {

core::Hash32 IdFlag(const std::string& flag, const std::string& hex) {
  auto id = core::HexDecodeArray<core::kHashBytes>(hex);
  if (!id.ok()) UsageError(flag + ": " + id.status().message());
  return *id;
}

std::optional<core::Hash32> OptionalIdFlag(const std::string& flag, const std::optional<std::string>& hex) {
  if (!hex) return std::nullopt;
  return IdFlag(flag, *hex);
}

template <typename Enum>
Enum EnumFlag(const std::string& flag, const std::string& name, std::optional<Enum> (*from_name)(std::string_view),
              std::string (*names)()) {
  auto value = from_name(name);
  if (!value) UsageError(flag + ": \"" + name + "\" is not one of " + names());
  return *value;
}

core::ObjectValue ObjectFromFlags(const AssertionFlags& f) {
  const int given = f.text.has_value() + f.number.has_value() + f.boolean.has_value() + f.reference.has_value();
  if (given != 1) UsageError("give exactly one object: --text, --number, --boolean or --reference");
  if (f.text) return core::TextObject{*f.text};
  if (f.number) return core::NumberObject{*f.number};
  if (f.reference) return core::ReferenceObject{*f.reference};
  if (*f.boolean != "true" && *f.boolean != "false") UsageError("--boolean: expected true or false, got " + *f.boolean);
  return core::BooleanObject{*f.boolean == "true"};
}

void CheckValid(const std::optional<core::FieldError>& problem, const char* what) {
  if (problem) UsageError(std::string("invalid ") + what + ": " + problem->message);
}

// Validates `record` with placeholder signatures by `signers` (their count and distinctness are
// part of validity), then signs its id with each.
template <typename Record>
void ValidateAndSign(Record& record, const std::vector<core::Ed25519KeyPair>& signers, const char* what) {
  record.signatures.clear();
  for (const auto& key : signers) record.signatures.push_back({key.public_key(), {}});
  CheckValid(core::Validate(record), what);
  const core::Hash32 id = core::ContentId(record);
  for (size_t i = 0; i < signers.size(); ++i) record.signatures[i] = core::SignId(signers[i], id);
}

}  // namespace

core::Assertion BuildAssertion(const AssertionFlags& flags, const std::vector<core::Ed25519KeyPair>& signers,
                               int64_t now_s) {
  core::Assertion a;
  a.subject = flags.subject;
  a.predicate = flags.predicate;
  a.object = ObjectFromFlags(flags);
  a.confidence = flags.confidence;
  a.timestamp = flags.timestamp.value_or(now_s);
  a.source_hash = OptionalIdFlag("--source-hash", flags.source_hash);
  a.source_class = EnumFlag("--source-class", flags.source_class, &core::SourceClassFromName, &core::SourceClassNames);
  a.lifecycle = EnumFlag("--lifecycle", flags.lifecycle, &core::LifecycleFromName, &core::LifecycleNames);
  a.epoch = OptionalIdFlag("--epoch", flags.epoch);
  a.parent_hash = OptionalIdFlag("--parent", flags.parent);
  a.narrative = flags.narrative;
  a.valid_from = flags.valid_from;
  a.valid_until = flags.valid_until;
  ValidateAndSign(a, signers, "assertion");
  return a;
}

core::Vote BuildVote(const VoteFlags& flags, const core::Ed25519KeyPair& voter, int64_t now_s) {
  core::Vote v;
  v.assertion_hash = IdFlag("--assertion", flags.assertion);
  v.agent_id = voter.public_key();
  v.weight = flags.weight;
  v.timestamp = flags.timestamp.value_or(now_s);
  CheckValid(core::Validate(v), "vote");
  v.signature = core::SignId(voter, core::ContentId(v)).signature;
  return v;
}

core::Epoch BuildEpoch(const EpochFlags& flags, const std::vector<core::Ed25519KeyPair>& signers, int64_t now_s) {
  core::Epoch e;
  e.name = flags.name;
  e.description = flags.description;
  e.started_at = flags.started_at.value_or(now_s);
  e.supersedes = OptionalIdFlag("--supersedes", flags.supersedes);
  if (flags.supersession_type || e.supersedes) {
    e.supersession_type = EnumFlag("--supersession-type", flags.supersession_type.value_or("replaces"),
                                   &core::SupersessionTypeFromName, &core::SupersessionTypeNames);
  }
  ValidateAndSign(e, signers, "epoch");
  return e;
}

core::Source BuildSource(const SourceFlags& flags) {
  core::Source s;
  s.uri = flags.uri;
  s.title = flags.title;
  s.source_class = EnumFlag("--source-class", flags.source_class, &core::SourceClassFromName, &core::SourceClassNames);
  s.content = flags.content;
  CheckValid(core::Validate(s), "source");
  return s;
}

}  // namespace stemedb::cli

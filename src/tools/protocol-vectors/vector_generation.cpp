#include "vector_generation.h"

#include <cstdio>
#include <cstdlib>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/ground/check.h"
#include "stemedb/core/ed25519.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/record_json.h"
#include "stemedb/core/signature_check.h"
#include "stemedb/core/stored_record.h"
#include "vector_specs.h"

namespace stemedb::tools {
namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;
using core::HexEncode;
using core::RecordKind;

const std::string kZeroSignatureHex(core::kSignatureBytes * 2, '0');

[[noreturn]] void Die(const std::string& vector, const std::string& what) {
  std::fprintf(stderr, "vector %s: %s\n", vector.c_str(), what.c_str());
  std::exit(1);
}

core::Record Parse(const std::string& name, RecordKind kind, const ojson& body) {
  const json parsed = json::parse(body.dump());
  auto check = [&](auto result) -> core::Record {
    if (!result.ok()) Die(name, result.error().message);
    return std::move(result).value();
  };
  switch (kind) {
    case RecordKind::kAssertion:
      return check(core::AssertionFromJson(parsed));
    case RecordKind::kVote:
      return check(core::VoteFromJson(parsed));
    case RecordKind::kEpoch:
      return check(core::EpochFromJson(parsed));
    case RecordKind::kSource:
      return check(core::SourceFromJson(parsed));
    case RecordKind::kSourceRetraction:
      break;
  }
  Die(name, "no vectors for this kind");
}

// Placeholder signatures with the right signers, so the body parses and yields the id; the
// signatures are not part of the id.
void AddPlaceholderSignatures(const VectorSpec& spec, ojson& body,
                              const std::vector<core::Ed25519KeyPair>& keys) {
  if (spec.kind == RecordKind::kVote) {
    STEMEDB_CHECK(keys.size() == 1);
    body["agent_id"] = HexEncode(keys[0].public_key());
    body["signature"] = kZeroSignatureHex;
  } else if (!keys.empty()) {
    body["signatures"] = ojson::array();
    for (const auto& key : keys) {
      body["signatures"].push_back(
          {{"agent_id", HexEncode(key.public_key())}, {"signature", kZeroSignatureHex}});
    }
  }
}

void CheckSigned(const std::string& name, const core::Record& record) {
  std::optional<core::FieldError> problem;
  if (auto* a = std::get_if<core::Assertion>(&record)) problem = core::VerifySignatures(*a);
  if (auto* v = std::get_if<core::Vote>(&record)) problem = core::VerifySignatures(*v);
  if (auto* e = std::get_if<core::Epoch>(&record)) problem = core::VerifySignatures(*e);
  if (problem) Die(name, problem->message);
}

Vector Generate(const VectorSpec& spec, const IdsByName& ids) {
  std::vector<core::Ed25519KeyPair> keys;
  for (const core::Seed& seed : spec.signers) keys.emplace_back(seed);
  ojson body = spec.body(ids);
  AddPlaceholderSignatures(spec, body, keys);
  const core::Hash32 id = core::ContentId(Parse(spec.name, spec.kind, body));

  Vector v;
  v.name = spec.name;
  v.kind = spec.kind;
  v.description = spec.description;
  v.id = id;
  v.show_stored_form = spec.show_stored_form;
  for (size_t i = 0; i < keys.size(); ++i) {
    const core::SignatureEntry entry = core::SignId(keys[i], id);
    v.signers.push_back({spec.signers[i], entry.agent_id, entry.signature});
    if (spec.kind == RecordKind::kVote) {
      body["signature"] = HexEncode(entry.signature);
    } else {
      body["signatures"][i]["signature"] = HexEncode(entry.signature);
    }
  }
  const core::Record record = Parse(spec.name, spec.kind, body);
  CheckSigned(spec.name, record);
  STEMEDB_CHECK(core::ContentId(record) == id);
  v.body = std::move(body);
  v.canonical = std::visit([](const auto& r) { return core::CanonicalEncoding(r); }, record);
  if (const auto* source = std::get_if<core::Source>(&record)) {
    v.id_is_content_hash = source->content.has_value();
  }
  if (!keys.empty()) v.signing_message = core::SigningMessage(id);
  v.stored = core::EncodeStored(record);
  return v;
}

}  // namespace

std::vector<Vector> GenerateVectors() {
  std::vector<Vector> out;
  IdsByName ids;
  for (const VectorSpec& spec : VectorSpecs()) {
    out.push_back(Generate(spec, ids));
    ids[spec.name] = core::IdHex(out.back().id);
  }
  return out;
}

ojson VectorsToJson(const std::vector<Vector>& vectors) {
  ojson seeds = ojson::array();
  for (const NamedSeed& s : VectorSeeds()) {
    const core::Ed25519KeyPair key(s.seed);
    seeds.push_back({{"name", s.name},
                     {"seed", HexEncode(s.seed)},
                     {"public_key", HexEncode(key.public_key())}});
  }
  ojson list = ojson::array();
  for (const Vector& v : vectors) {
    ojson signers = ojson::array();
    for (const SignerVector& s : v.signers) {
      signers.push_back({{"seed", HexEncode(s.seed)},
                         {"public_key", HexEncode(s.public_key)},
                         {"signature", HexEncode(s.signature)}});
    }
    list.push_back({{"name", v.name},
                    {"kind", core::RecordKindName(v.kind)},
                    {"description", v.description},
                    {"json", v.body},
                    {"canonical_hex", HexEncode(v.canonical)},
                    {"id_rule", v.id_is_content_hash ? "sha256(content)" : "sha256(canonical)"},
                    {"id", core::IdHex(v.id)},
                    {"signing_message_hex", HexEncode(v.signing_message)},
                    {"signers", std::move(signers)},
                    {"stored_hex", HexEncode(v.stored)}});
  }
  return ojson{{"format", "stemedb protocol test vectors"},
               {"version", 1},
               {"document", "docs/protocol.md"},
               {"signing_tag", core::kSigningTag},
               {"seeds", std::move(seeds)},
               {"vectors", std::move(list)}};
}

}  // namespace stemedb::tools

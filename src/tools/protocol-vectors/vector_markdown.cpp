#include "vector_markdown.h"

#include <bit>
#include <map>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/ed25519.h"
#include "stemedb/core/field_error.h"
#include "stemedb/core/field_reader.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/stored_record.h"
#include "vector_specs.h"

namespace stemedb::tools {
namespace {

using core::HexEncode;
using core::RecordKind;

constexpr size_t kHexPerLine = 64;

enum class ValueForm { kText, kU64, kF64, kBool, kRaw };

struct FieldInfo {
  std::string name;
  ValueForm form;
};

const std::map<int, FieldInfo>& FieldsOf(RecordKind kind) {
  static const std::map<int, FieldInfo> assertion = {
      {1, {"subject", ValueForm::kText}},
      {2, {"predicate", ValueForm::kText}},
      {3, {"object type", ValueForm::kText}},
      {4, {"object value", ValueForm::kRaw}},
      {5, {"confidence", ValueForm::kF64}},
      {6, {"timestamp", ValueForm::kU64}},
      {7, {"source_hash", ValueForm::kRaw}},
      {8, {"source_class", ValueForm::kText}},
      {9, {"lifecycle", ValueForm::kText}},
      {10, {"epoch", ValueForm::kRaw}},
      {11, {"parent_hash", ValueForm::kRaw}},
      {12, {"narrative", ValueForm::kText}},
      {13, {"valid_from", ValueForm::kU64}},
      {14, {"valid_until", ValueForm::kU64}},
      {128, {"signature entry (stored form)", ValueForm::kRaw}}};
  static const std::map<int, FieldInfo> vote = {
      {1, {"assertion_hash", ValueForm::kRaw}},
      {2, {"agent_id", ValueForm::kRaw}},
      {3, {"weight", ValueForm::kF64}},
      {4, {"timestamp", ValueForm::kU64}},
      {129, {"vote signature (stored form)", ValueForm::kRaw}}};
  static const std::map<int, FieldInfo> epoch = {
      {1, {"name", ValueForm::kText}},
      {2, {"description", ValueForm::kText}},
      {3, {"started_at", ValueForm::kU64}},
      {4, {"supersedes", ValueForm::kRaw}},
      {5, {"supersession_type", ValueForm::kText}},
      {128, {"signature entry (stored form)", ValueForm::kRaw}}};
  static const std::map<int, FieldInfo> source = {
      {1, {"uri", ValueForm::kText}},
      {2, {"title", ValueForm::kText}},
      {3, {"source_class", ValueForm::kText}},
      {130, {"content (stored form)", ValueForm::kText}}};
  switch (kind) {
    case RecordKind::kVote:
      return vote;
    case RecordKind::kEpoch:
      return epoch;
    case RecordKind::kSource:
      return source;
    default:
      return assertion;
  }
}

// Hex wrapped at kHexPerLine, each line prefixed by `indent`.
std::string Wrapped(std::string_view bytes, const std::string& indent) {
  const std::string hex = HexEncode(bytes);
  std::string out;
  for (size_t at = 0; at < hex.size(); at += kHexPerLine) {
    out += indent + hex.substr(at, kHexPerLine) + "\n";
  }
  return out;
}

std::string Describe(const FieldInfo& info, std::string_view value, RecordKind kind, int number) {
  // The object value's form depends on the object type; the dump shows it as the reader would.
  ValueForm form = info.form;
  if (kind == RecordKind::kAssertion && number == core::kAssertionObjectValue) {
    form = value.size() == 8   ? ValueForm::kF64
           : value.size() == 1 ? ValueForm::kBool
                               : ValueForm::kText;
  }
  switch (form) {
    case ValueForm::kText:
      return nlohmann::json(std::string(value)).dump();
    case ValueForm::kU64:
      return std::to_string(core::LoadU64le(value.data()));
    case ValueForm::kF64:
      return core::NumberForMessage(std::bit_cast<double>(core::LoadU64le(value.data())));
    case ValueForm::kBool:
      return value[0] ? "true" : "false";
    case ValueForm::kRaw:
      return "raw bytes";
  }
  return "";
}

// The bytes field by field: header hex, then the value wrapped, then what it means.
std::string Annotated(std::string_view bytes, RecordKind kind) {
  std::string out;
  const uint32_t tag_length = core::LoadU32le(bytes.data());
  out += HexEncode(bytes.substr(0, 4)) + "  domain tag, " + std::to_string(tag_length) +
         " bytes: " + std::string(bytes.substr(4, tag_length)) + "\n";
  out += Wrapped(bytes.substr(4, tag_length), "    ");
  size_t at = 4 + tag_length;
  while (at < bytes.size()) {
    const int number = static_cast<unsigned char>(bytes[at]);
    const uint32_t length = core::LoadU32le(bytes.data() + at + 1);
    const std::string_view value = bytes.substr(at + 5, length);
    const FieldInfo& info = FieldsOf(kind).at(number);
    out += HexEncode(bytes.substr(at, 1)) + " " + HexEncode(bytes.substr(at + 1, 4)) + "  field " +
           std::to_string(number) + " " + info.name + ", " + std::to_string(length) +
           " bytes: " + Describe(info, value, kind, number) + "\n";
    out += Wrapped(value, "    ");
    at += 5 + length;
  }
  return out;
}

std::string Code(const std::string& lang, const std::string& body) {
  return "```" + lang + "\n" + body + (body.ends_with("\n") ? "" : "\n") + "```\n\n";
}

std::string RenderOne(const Vector& v) {
  std::string out = "### `" + v.name + "` (" + std::string(core::RecordKindName(v.kind)) + ")\n\n" +
                    v.description + "\n\nRequest body:\n\n" +
                    Code("json", v.body.dump(2, ' ', false));
  out += "Canonical encoding, " + std::to_string(v.canonical.size()) +
         " bytes, field by field:\n\n" + Code("", Annotated(v.canonical, v.kind));
  out +=
      "Canonical encoding in one piece (32 bytes a line):\n\n" + Code("", Wrapped(v.canonical, ""));
  out += std::string("id = SHA-256(") + (v.id_is_content_hash ? "content" : "canonical") +
         "):\n\n" + Code("", core::IdHex(v.id));
  if (!v.signers.empty()) {
    out += "Signing message (`u32le(15) || \"stemedb.sign.v1\" || id`):\n\n" +
           Code("", Wrapped(v.signing_message, ""));
    out += "| signer seed | public key (agent_id) |\n|---|---|\n";
    for (const SignerVector& s : v.signers) {
      out += "| `" + HexEncode(s.seed) + "` | `" + HexEncode(s.public_key) + "` |\n";
    }
    std::string signatures;
    for (const SignerVector& s : v.signers) signatures += HexEncode(s.signature) + "\n";
    out += "\nSignatures, in signer order:\n\n" + Code("", signatures);
  }
  if (v.show_stored_form) {
    out += "Stored form (server-internal, see \"Stored form\"), " +
           std::to_string(v.stored.size()) + " bytes:\n\n" + Code("", Annotated(v.stored, v.kind));
  }
  return out;
}

}  // namespace

std::string VectorsToMarkdown(const std::vector<Vector>& vectors) {
  std::string out = std::string(kMarkdownBegin) + "\n\n";
  out += "Seeds (32-byte Ed25519 private seeds; A is RFC 8032's TEST 1 key):\n\n";
  out += "| name | seed | public key |\n|---|---|---|\n";
  for (const NamedSeed& s : VectorSeeds()) {
    const core::Ed25519KeyPair key(s.seed);
    out += "| " + s.name + " | `" + HexEncode(s.seed) + "` | `" + HexEncode(key.public_key()) +
           "` |\n";
  }
  out += "\n";
  for (const Vector& v : vectors) out += RenderOne(v);
  out += std::string(kMarkdownEnd) + "\n";
  return out;
}

}  // namespace stemedb::tools

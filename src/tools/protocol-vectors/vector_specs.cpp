#include "vector_specs.h"

#include "stemedb/ground/check.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/sha256.h"

namespace stemedb::tools {
namespace {

using ojson = nlohmann::ordered_json;
using core::RecordKind;

core::Seed SeedFromHex(std::string_view hex) {
  auto seed = core::HexDecodeArray<core::kSeedBytes>(hex);
  STEMEDB_CHECK(seed.ok());
  return *seed;
}

// Agent A's seed is the secret key of RFC 8032's first Ed25519 test, so a client author can
// check their key derivation against the RFC too. B and C are SHA-256 of a label.
const core::Seed& AgentA() {
  static const core::Seed seed =
      SeedFromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  return seed;
}
const core::Seed& AgentB() {
  static const core::Seed seed = core::Sha256("stemedb protocol vectors: agent B");
  return seed;
}
const core::Seed& AgentC() {
  static const core::Seed seed = core::Sha256("stemedb protocol vectors: agent C");
  return seed;
}

constexpr int64_t kClaimTime = 1700000000;  // 2023-11-14T22:13:20Z

ojson TextAssertion() {
  return ojson{{"subject", "drugs/semaglutide"},
               {"predicate", "gastroparesis_risk"},
               {"object", {{"type", "text"}, {"value", "rare"}}},
               {"confidence", 0.9},
               {"timestamp", kClaimTime}};
}

ojson WithObject(ojson body, ojson object) {
  body["object"] = std::move(object);
  return body;
}

// Assertions with one object type each, and the defaults rule.
void AddAssertionSpecs(std::vector<VectorSpec>& specs) {
  specs.push_back({"assertion_minimal",
                   RecordKind::kAssertion,
                   "Only the required fields: source_class and lifecycle take their defaults "
                   "(community, proposed), which are encoded all the same.",
                   [](const IdsByName&) { return TextAssertion(); },
                   {AgentA()},
                   true});
  specs.push_back({"assertion_defaults_explicit",
                   RecordKind::kAssertion,
                   "The minimal assertion with its defaults sent explicitly: the same canonical "
                   "bytes and the same id as assertion_minimal.",
                   [](const IdsByName&) {
                     ojson body = TextAssertion();
                     body["source_class"] = "community";
                     body["lifecycle"] = "proposed";
                     return body;
                   },
                   {AgentA()}});
  specs.push_back({"assertion_number",
                   RecordKind::kAssertion,
                   "A number object: the value is the IEEE-754 bits of the double, little-endian.",
                   [](const IdsByName&) {
                     ojson body{{"subject", "drugs/semaglutide"},
                                {"predicate", "hba1c_reduction_pct"},
                                {"object", {{"type", "number"}, {"value", 96.7}}},
                                {"confidence", 0.75},
                                {"timestamp", kClaimTime},
                                {"source_class", "clinical"}};
                     return body;
                   },
                   {AgentB()}});
  specs.push_back({"assertion_negative_zero",
                   RecordKind::kAssertion,
                   "A number object of -0.0: encoded as 0.0 (eight zero bytes).",
                   [](const IdsByName&) {
                     return WithObject(TextAssertion(), {{"type", "number"}, {"value", -0.0}});
                   },
                   {AgentA()}});
  specs.push_back(
      {"assertion_boolean",
       RecordKind::kAssertion,
       "A boolean object: one byte, 01 for true.",
       [](const IdsByName&) {
         ojson body = WithObject(TextAssertion(), {{"type", "boolean"}, {"value", true}});
         body["predicate"] = "requires_prescription";
         body["confidence"] = 1;
         return body;
       },
       {AgentA()}});
  specs.push_back({"assertion_reference",
                   RecordKind::kAssertion,
                   "A reference object: the value is another entity's id, encoded as its UTF-8.",
                   [](const IdsByName&) {
                     ojson body = WithObject(
                         TextAssertion(), {{"type", "reference"}, {"value", "drugs/tirzepatide"}});
                     body["predicate"] = "compared_with";
                     return body;
                   },
                   {AgentC()}});
}

// Records with no dependencies but on each other.
void AddSourceAndEpochSpecs(std::vector<VectorSpec>& specs) {
  specs.push_back({"source_without_content",
                   RecordKind::kSource,
                   "A source without content: its id is SHA-256 of its canonical encoding.",
                   [](const IdsByName&) {
                     return ojson{{"uri", "https://www.ema.europa.eu/en/medicines/ozempic"},
                                  {"title", "Ozempic: EPAR product information"},
                                  {"source_class", "regulatory"}};
                   },
                   {}});
  specs.push_back({"source_with_content",
                   RecordKind::kSource,
                   "A source with content: its id is SHA-256 of the content's UTF-8 bytes alone; "
                   "uri and title do not count. The canonical bytes are shown for completeness.",
                   [](const IdsByName&) {
                     return ojson{
                         {"uri", "https://example.org/trial-report.txt"},
                         {"content", "Trial report.\nGastroparesis: 3 of 1000 patients.\n"}};
                   },
                   {},
                   true});
  specs.push_back({"epoch_minimal",
                   RecordKind::kEpoch,
                   "An epoch with its required fields.",
                   [](const IdsByName&) {
                     return ojson{{"name", "covid-guidelines-2020"}, {"started_at", 1577836800}};
                   },
                   {AgentA()}});
  specs.push_back({"epoch_superseding",
                   RecordKind::kEpoch,
                   "An epoch with every optional field, superseding epoch_minimal, signed twice.",
                   [](const IdsByName& ids) {
                     return ojson{{"name", "covid-guidelines-2021"},
                                  {"description", "Guidance after the first vaccine trials."},
                                  {"started_at", 1609459200},
                                  {"supersedes", ids.at("epoch_minimal")},
                                  {"supersession_type", "replaces"}};
                   },
                   {AgentA(), AgentB()}});
}

// Records naming the ids of earlier vectors.
void AddDependentSpecs(std::vector<VectorSpec>& specs) {
  specs.push_back({"assertion_all_fields",
                   RecordKind::kAssertion,
                   "Every optional field, a non-ASCII narrative with a line break, upper-case "
                   "hex in the input (normalised), and three signers.",
                   [](const IdsByName& ids) {
                     std::string source = ids.at("source_with_content");
                     for (char& c : source) c = static_cast<char>(std::toupper(c));
                     return ojson{{"subject", "drugs/semaglutide"},
                                  {"predicate", "gastroparesis_risk"},
                                  {"object", {{"type", "text"}, {"value", "uncommon"}}},
                                  {"confidence", 0.65},
                                  {"timestamp", 1700003600},
                                  {"source_hash", source},
                                  {"source_class", "observational"},
                                  {"lifecycle", "under_review"},
                                  {"epoch", ids.at("epoch_superseding")},
                                  {"parent_hash", ids.at("assertion_minimal")},
                                  {"narrative", "Révision: 3 cas sur 1000.\nSee the trial report."},
                                  {"valid_from", 1672531200},
                                  {"valid_until", 1704067199}};
                   },
                   {AgentA(), AgentB(), AgentC()}});
  specs.push_back({"vote",
                   RecordKind::kVote,
                   "Agent B disputes assertion_minimal. A vote has one signer, its agent_id.",
                   [](const IdsByName& ids) {
                     return ojson{{"assertion_hash", ids.at("assertion_minimal")},
                                  {"agent_id", nullptr},  // the generator fills the signer's key
                                  {"weight", -0.5},
                                  {"timestamp", 1700007200}};
                   },
                   {AgentB()},
                   true});
}

std::vector<VectorSpec> BuildSpecs() {
  std::vector<VectorSpec> specs;
  AddAssertionSpecs(specs);
  AddSourceAndEpochSpecs(specs);
  AddDependentSpecs(specs);
  return specs;
}

}  // namespace

const std::vector<NamedSeed>& VectorSeeds() {
  static const std::vector<NamedSeed> seeds = {{"A", AgentA()}, {"B", AgentB()}, {"C", AgentC()}};
  return seeds;
}

const std::vector<VectorSpec>& VectorSpecs() {
  static const std::vector<VectorSpec> specs = BuildSpecs();
  return specs;
}

}  // namespace stemedb::tools

#pragma once
// The inputs of the protocol test vectors: for each, a JSON body (without signatures) and the
// seeds of its signers. The bodies may name earlier vectors' ids, so the list is in dependency
// order. Changing anything here changes docs/protocol_vectors.json and docs/protocol.md.

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "stemedb/core/record_kind.h"
#include "stemedb/core/types.h"

namespace stemedb::tools {

// Hex ids of the vectors generated so far, by vector name.
using IdsByName = std::map<std::string, std::string>;

struct VectorSpec {
  std::string name;
  core::RecordKind kind;
  std::string description;
  std::function<nlohmann::ordered_json(const IdsByName&)> body;
  std::vector<core::Seed> signers;  // none for sources
  bool show_stored_form = false;    // also document the stored form in protocol.md
};

// The fixed seeds, with their names as the document shows them.
struct NamedSeed {
  std::string name;
  core::Seed seed;
};
const std::vector<NamedSeed>& VectorSeeds();

const std::vector<VectorSpec>& VectorSpecs();

}  // namespace stemedb::tools

#pragma once
// Turns the vector specs into the published vectors: signs each body with its seeds and records
// the canonical bytes, id, signing message, signatures and stored form. Every vector is checked
// on the way (the signed body parses, validates and verifies) so a published vector is a
// correct one.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "stemedb/core/record_kind.h"
#include "stemedb/core/types.h"

namespace stemedb::tools {

struct SignerVector {
  core::Seed seed{};
  core::PublicKey public_key{};
  core::SignatureBytes signature{};
};

struct Vector {
  std::string name;
  core::RecordKind kind;
  std::string description;
  nlohmann::ordered_json body;  // the request body, signatures included
  std::string canonical;        // bytes
  core::Hash32 id{};
  bool id_is_content_hash = false;  // a source with content
  std::string signing_message;      // bytes; empty for sources
  std::vector<SignerVector> signers;
  std::string stored;  // bytes
  bool show_stored_form = false;
};

std::vector<Vector> GenerateVectors();

// The vectors file: {"format", "version", "signing_tag", "seeds", "vectors": [...]}.
nlohmann::ordered_json VectorsToJson(const std::vector<Vector>& vectors);

}  // namespace stemedb::tools

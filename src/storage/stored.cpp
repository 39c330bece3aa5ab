#include "stemedb/storage/stored.h"

#include <algorithm>

namespace stemedb::storage {

const char* WriteStatusName(WriteStatus s) {
  switch (s) {
    case WriteStatus::kCreated: return "created";
    case WriteStatus::kExists: return "exists";
    case WriteStatus::kCosigned: return "cosigned";
  }
  return "unknown";
}

bool HasSigner(const std::vector<core::SignatureEntry>& signatures, const core::PublicKey& agent) {
  return std::any_of(signatures.begin(), signatures.end(), [&](const auto& s) { return s.agent_id == agent; });
}

}  // namespace stemedb::storage

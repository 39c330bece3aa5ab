#pragma once
// The small state every read consults, held wholly in memory: retracted sources, trust
// overrides, API keys and the epoch supersession graph. Rebuilt from RocksDB at start and kept
// current by the apply step; read by any thread under a shared lock.
//
// Bounded: epochs and sources are expected to number in the thousands (they are paradigms and
// documents, not claims); kEpochsMax stops a runaway client from turning this into the
// unbounded structure it must not be.

#include <array>
#include <cstring>
#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "stemedb/core/types.h"
#include "stemedb/storage/server_records.h"

namespace stemedb::storage {

inline constexpr size_t kEpochsMax = 1'000'000;

struct IdHasher {
  size_t operator()(const core::Hash32& id) const {
    size_t h;
    std::memcpy(&h, id.data(), sizeof h);  // ids and keys are uniformly distributed bytes
    return h;
  }
};

struct EpochNode {
  std::optional<core::Hash32> supersedes;
  std::vector<core::Hash32> superseded_by;
};

struct ApiKey {
  ApiKeyCreated created;
  bool revoked = false;
};

class Catalog {
 public:
  // ---- apply step (single writer) ----
  void RetractSource(const core::Hash32& source, std::string reason);
  void SetTrustOverride(const TrustOverride& change);
  void AddEpoch(const core::Hash32& id, const std::optional<core::Hash32>& supersedes);
  void AddApiKey(const ApiKeyCreated& key);
  void RevokeApiKey(const std::string& key_id);

  // ---- any thread ----
  std::optional<std::string> SourceRetraction(const core::Hash32& source) const;
  bool IsRetracted(const core::Hash32& source) const { return SourceRetraction(source).has_value(); }
  std::optional<double> TrustOverrideOf(const core::PublicKey& agent) const;
  bool EpochKnown(const core::Hash32& id) const;
  std::optional<EpochNode> Epoch(const core::Hash32& id) const;
  // True when some epoch supersedes `id`, directly or through a chain of supersessions.
  bool EpochSuperseded(const core::Hash32& id) const;
  // True when `candidate` supersedes `target` through supersedes links (the cycle check).
  bool EpochReaches(const core::Hash32& candidate, const core::Hash32& target) const;
  size_t epochs() const;
  std::optional<ApiKey> FindApiKey(const std::string& key_id) const;
  std::vector<ApiKey> ApiKeys() const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<core::Hash32, std::string, IdHasher> retracted_;
  std::unordered_map<core::PublicKey, double, IdHasher> trust_overrides_;
  std::unordered_map<core::Hash32, EpochNode, IdHasher> epochs_;
  std::map<std::string, ApiKey> api_keys_;
};

}  // namespace stemedb::storage

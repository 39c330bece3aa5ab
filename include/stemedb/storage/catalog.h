#pragma once
// The small state every read consults, held wholly in memory: retracted sources, trust
// overrides, API keys and the epoch supersession graph. Rebuilt from RocksDB at start and kept
// current by the apply step; read by any thread under a shared lock.
//
// Epochs: every stored epoch is here, with no cap (a cap at load made epochs past it unknown
// after a restart: writes naming them refused, lenses treating them as unknown). Epochs are
// paradigms, expected in the thousands, and each costs little: its id in a flat set, plus, for
// an epoch in a supersession, the link to the epoch it supersedes and a count of those
// superseding it (measured: 1,000,000 epochs, a tenth of them superseding another, take 83 MB of
// RSS, 10,000,000 take 730 MB; the node-based map this replaced took 145 MB per million). The ids of the superseding
// epochs are not held here: they are in RocksDB (the superseded_by index), read a page at a
// time (Store::SupersededBy), so an epoch superseded a million times costs one counter.

#include <array>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
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

struct IdHasher {
  size_t operator()(const core::Hash32& id) const {
    size_t h;
    std::memcpy(&h, id.data(), sizeof h);  // ids and keys are uniformly distributed bytes
    return h;
  }
};

struct EpochNode {
  std::optional<core::Hash32> supersedes;
  uint64_t superseded_by_count = 0;  // epochs whose `supersedes` names this one
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
  // Idempotent and order-independent: loading ids and links separately, or applying an epoch
  // already loaded, builds the same graph as applying each epoch once in log order.
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
  // What the epoch graph holds in memory, roughly (the containers' slots, not the allocator's
  // overhead): for the bound documented above and its test.
  size_t EpochBytes() const;
  std::optional<ApiKey> FindApiKey(const std::string& key_id) const;
  std::vector<ApiKey> ApiKeys() const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<core::Hash32, std::string, IdHasher> retracted_;
  std::unordered_map<core::PublicKey, double, IdHasher> trust_overrides_;
  boost::unordered_flat_set<core::Hash32, IdHasher> epochs_;
  boost::unordered_flat_map<core::Hash32, core::Hash32, IdHasher> supersedes_;  // only epochs that supersede
  boost::unordered_flat_map<core::Hash32, uint64_t, IdHasher> superseded_by_count_;  // only superseded epochs
  std::map<std::string, ApiKey> api_keys_;
};

}  // namespace stemedb::storage

#include "stemedb/storage/catalog.h"

#include <algorithm>
#include <mutex>

namespace stemedb::storage {

void Catalog::RetractSource(const core::Hash32& source, std::string reason) {
  std::unique_lock lock(mu_);
  retracted_.emplace(source, std::move(reason));
}

void Catalog::SetTrustOverride(const TrustOverride& change) {
  std::unique_lock lock(mu_);
  if (change.score) trust_overrides_[change.agent] = *change.score;
  else trust_overrides_.erase(change.agent);
}

void Catalog::AddEpoch(const core::Hash32& id, const std::optional<core::Hash32>& supersedes) {
  std::unique_lock lock(mu_);
  epochs_.insert(id);
  // An epoch's id is its content hash, so it supersedes one epoch for good: a link seen twice
  // (loaded, then replayed) is counted once.
  if (supersedes && supersedes_.emplace(id, *supersedes).second) ++superseded_by_count_[*supersedes];
}

void Catalog::AddApiKey(const ApiKeyCreated& key) {
  std::unique_lock lock(mu_);
  api_keys_.try_emplace(key.key_id, ApiKey{key, false});
}

void Catalog::RevokeApiKey(const std::string& key_id) {
  std::unique_lock lock(mu_);
  if (auto it = api_keys_.find(key_id); it != api_keys_.end()) it->second.revoked = true;
}

std::optional<std::string> Catalog::SourceRetraction(const core::Hash32& source) const {
  std::shared_lock lock(mu_);
  auto it = retracted_.find(source);
  if (it == retracted_.end()) return std::nullopt;
  return it->second;
}

std::optional<double> Catalog::TrustOverrideOf(const core::PublicKey& agent) const {
  std::shared_lock lock(mu_);
  auto it = trust_overrides_.find(agent);
  if (it == trust_overrides_.end()) return std::nullopt;
  return it->second;
}

bool Catalog::EpochKnown(const core::Hash32& id) const {
  std::shared_lock lock(mu_);
  return epochs_.count(id) > 0;
}

std::optional<EpochNode> Catalog::Epoch(const core::Hash32& id) const {
  std::shared_lock lock(mu_);
  if (!epochs_.contains(id)) return std::nullopt;
  EpochNode node;
  if (auto it = supersedes_.find(id); it != supersedes_.end()) node.supersedes = it->second;
  if (auto it = superseded_by_count_.find(id); it != superseded_by_count_.end()) node.superseded_by_count = it->second;
  return node;
}

bool Catalog::EpochSuperseded(const core::Hash32& id) const {
  std::shared_lock lock(mu_);
  return superseded_by_count_.contains(id);
}

bool Catalog::EpochReaches(const core::Hash32& candidate, const core::Hash32& target) const {
  std::shared_lock lock(mu_);
  // A chain has at most one step per superseding epoch; the bound ends the walk even if the
  // graph were cyclic (CheckEpoch keeps it acyclic).
  core::Hash32 cur = candidate;
  for (size_t steps = 0; steps <= supersedes_.size(); ++steps) {
    if (cur == target) return true;
    auto it = supersedes_.find(cur);
    if (it == supersedes_.end()) return false;
    cur = it->second;
  }
  return false;
}

size_t Catalog::epochs() const {
  std::shared_lock lock(mu_);
  return epochs_.size();
}

size_t Catalog::EpochBytes() const {
  std::shared_lock lock(mu_);
  // One metadata byte per slot besides the slot itself (boost's flat containers).
  auto bytes = [](const auto& c, size_t slot_bytes) { return c.bucket_count() * (slot_bytes + 1); };
  return bytes(epochs_, sizeof(core::Hash32)) +
         bytes(supersedes_, sizeof(std::pair<core::Hash32, core::Hash32>)) +
         bytes(superseded_by_count_, sizeof(std::pair<core::Hash32, uint64_t>));
}

std::optional<ApiKey> Catalog::FindApiKey(const std::string& key_id) const {
  std::shared_lock lock(mu_);
  auto it = api_keys_.find(key_id);
  if (it == api_keys_.end()) return std::nullopt;
  return it->second;
}

std::vector<ApiKey> Catalog::ApiKeys() const {
  std::shared_lock lock(mu_);
  std::vector<ApiKey> out;
  for (const auto& [id, key] : api_keys_) out.push_back(key);
  return out;
}

}  // namespace stemedb::storage

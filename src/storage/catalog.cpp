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
  // Order-independent, so loading epochs from RocksDB in id order builds the same graph as
  // applying them in log order.
  std::unique_lock lock(mu_);
  EpochNode& node = epochs_[id];
  if (supersedes) node.supersedes = supersedes;
  if (supersedes) {
    auto& by = epochs_[*supersedes].superseded_by;
    if (std::find(by.begin(), by.end(), id) == by.end()) by.push_back(id);
  }
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
  auto it = epochs_.find(id);
  if (it == epochs_.end()) return std::nullopt;
  return it->second;
}

bool Catalog::EpochSuperseded(const core::Hash32& id) const {
  std::shared_lock lock(mu_);
  auto it = epochs_.find(id);
  return it != epochs_.end() && !it->second.superseded_by.empty();
}

bool Catalog::EpochReaches(const core::Hash32& candidate, const core::Hash32& target) const {
  std::shared_lock lock(mu_);
  std::optional<core::Hash32> cur = candidate;
  for (size_t steps = 0; cur && steps <= epochs_.size(); ++steps) {
    if (*cur == target) return true;
    auto it = epochs_.find(*cur);
    if (it == epochs_.end()) return false;
    cur = it->second.supersedes;
  }
  return false;
}

size_t Catalog::epochs() const {
  std::shared_lock lock(mu_);
  return epochs_.size();
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

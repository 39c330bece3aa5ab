#include "stemedb/query/store_candidates.h"

#include <map>
#include <memory>

namespace stemedb::query {
namespace {

ObjectKey KeyOf(const core::ObjectValue& object) {
  return std::visit(
      [](const auto& o) -> ObjectKey {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, core::TextObject>) return ObjectKey::Text(o.value);
        else if constexpr (std::is_same_v<T, core::NumberObject>) return ObjectKey::Number(o.value);
        else if constexpr (std::is_same_v<T, core::BooleanObject>) return ObjectKey::Boolean(o.value);
        else return ObjectKey::Reference(o.value);
      },
      object);
}

}  // namespace

Candidate ToCandidate(const storage::Store& store, const storage::CachedCandidate& cached) {
  const storage::StoredAssertion& s = cached.assertion;
  const core::Assertion& a = s.record;
  Candidate c;
  c.id = s.id;
  c.seq = s.meta.seq;
  c.timestamp_s = a.timestamp;
  c.ingested_at_ms = s.meta.ingested_at_ms;
  c.object = KeyOf(a.object);
  c.confidence = a.confidence;
  c.tier = static_cast<Tier>(a.source_class);
  c.lifecycle = static_cast<Lifecycle>(a.lifecycle);
  c.signers.reserve(std::min(a.signatures.size(), kSignersMax));
  for (const auto& sig : a.signatures) {
    if (c.signers.size() == kSignersMax) break;  // the multisig factor saturates long before
    c.signers.push_back(sig.agent_id);
  }
  c.epoch = a.epoch;
  c.parent = a.parent_hash;
  c.source_hash = a.source_hash;
  c.valid_from_s = a.valid_from;
  c.valid_until_s = a.valid_until;
  // Retraction is read live from the catalog, never cached: a retraction shows at once.
  c.source_retracted = a.source_hash && store.catalog().IsRetracted(*a.source_hash);
  c.net_votes = cached.votes.net_weight;
  return c;
}

Result<LoadedCandidates> LoadCandidates(storage::Store& store, std::string_view subject, std::string_view predicate) {
  auto set = store.CandidatesFor(subject, predicate, kCandidatesLoadedMax);
  if (!set.ok()) return set.status();
  LoadedCandidates out;
  out.truncated = set->truncated;
  out.candidates.reserve(set->list->size());
  for (const auto& cached : *set->list) out.candidates.push_back(ToCandidate(store, cached));
  return out;
}

StoreContext::StoreContext(storage::Store& store, int64_t now_s, bool decay)
    : read_failure_(std::make_shared<Status>()) {
  context_.now_s = now_s;
  context_.decay = decay;
  auto memo = std::make_shared<std::map<AgentId, double>>();
  auto failure = read_failure_;
  context_.trust = [&store, memo, failure](const AgentId& agent) {
    if (auto it = memo->find(agent); it != memo->end()) return it->second;
    auto t = store.Trust(agent);
    if (!t.ok()) {
      // The engine cannot fail from here; the handler checks failure() after resolving and
      // answers 503 instead of a result computed with a made-up trust.
      if (failure->ok()) *failure = t.status();
      return 0.5;
    }
    memo->emplace(agent, *t);
    return *t;
  };
  context_.epoch_state = [&store](const EpochId& epoch) {
    const auto& catalog = store.catalog();
    if (!catalog.EpochKnown(epoch)) return EpochState::kUnknown;
    return catalog.EpochSuperseded(epoch) ? EpochState::kSuperseded : EpochState::kCurrent;
  };
}

}  // namespace stemedb::query

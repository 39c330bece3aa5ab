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

Result<Candidate> ToCandidate(storage::Store& store, const storage::StoredAssertion& s) {
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
  c.signers.reserve(a.signatures.size());
  for (const auto& sig : a.signatures) {
    if (c.signers.size() == kSignersMax) break;
    c.signers.push_back(sig.agent_id);
  }
  c.epoch = a.epoch;
  c.parent = a.parent_hash;
  c.source_hash = a.source_hash;
  c.valid_from_s = a.valid_from;
  c.valid_until_s = a.valid_until;
  c.source_retracted = a.source_hash && store.catalog().IsRetracted(*a.source_hash);
  auto votes = store.VoteSummary(s.id);
  if (!votes.ok()) return votes.status();
  c.net_votes = votes->net_weight;
  return c;
}

Result<LoadedCandidates> LoadCandidates(storage::Store& store, std::string_view subject, std::string_view predicate) {
  auto ids = store.AssertionsFor(subject, predicate, kCandidatesLoadedMax + 1);
  if (!ids.ok()) return ids.status();
  LoadedCandidates out;
  out.truncated = ids->size() > kCandidatesLoadedMax;
  if (out.truncated) ids->resize(kCandidatesLoadedMax);
  out.candidates.reserve(ids->size());
  for (const auto& id : *ids) {
    auto stored = store.GetAssertion(id);
    if (!stored.ok()) return stored.status();
    // An index entry without its record breaks an invariant of the apply step (both go in one
    // memtable and one RocksDB batch).
    if (!stored->has_value()) return Status::Corruption("index names assertion " + core::IdHex(id) + " which is not stored");
    auto c = ToCandidate(store, **stored);
    if (!c.ok()) return c.status();
    out.candidates.push_back(std::move(*c));
  }
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

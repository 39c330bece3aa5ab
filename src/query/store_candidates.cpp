#include "stemedb/query/store_candidates.h"

#include <algorithm>
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

Candidate ToCandidate(const storage::Store& store, const storage::Store::CandidateRecord& record) {
  const storage::StoredAssertion& s = record.assertion;
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
  c.source_retracted = a.source_hash && store.catalog().IsRetracted(*a.source_hash);
  c.net_votes = record.votes.net_weight;
  return c;
}

namespace {

// What a candidate holds beyond its struct, for the cache's byte budget.
size_t ApproximateBytes(const std::vector<Candidate>& list) {
  size_t n = sizeof(list) + list.capacity() * sizeof(Candidate);
  for (const auto& c : list) {
    n += c.signers.capacity() * sizeof(AgentId);
    if (c.object.value.size() >= sizeof(std::string)) n += c.object.value.capacity();
  }
  return n;
}

// The address that tells the candidate cache its values are std::vector<Candidate>.
const char kCandidatesKind = 0;

}  // namespace

Result<LoadedCandidates> LoadCandidates(storage::Store& store, std::string_view subject, std::string_view predicate) {
  const storage::Store::CandidateBuilder builder{
      &kCandidatesKind, [&store](std::vector<storage::Store::CandidateRecord>&& records) {
        auto list = std::make_shared<std::vector<Candidate>>();
        list->reserve(records.size());
        for (const auto& r : records) list->push_back(ToCandidate(store, r));
        const size_t bytes = ApproximateBytes(*list);
        return storage::Store::BuiltCandidates{std::move(list), bytes};
      }};
  auto set = store.CandidatesFor(subject, predicate, kCandidatesLoadedMax, builder);
  if (!set.ok()) return set.status();
  return LoadedCandidates{std::static_pointer_cast<const std::vector<Candidate>>(set->value), set->truncated};
}

bool CandidatesCachedWithin(storage::Store& store, std::string_view subject, std::string_view predicate,
                            size_t candidates_max) {
  const size_t cached = store.CachedCandidates(subject, predicate, &kCandidatesKind);
  return cached > 0 && cached <= candidates_max;
}

std::span<const Candidate> LoadedCandidates::UpTo(uint64_t seq_max) const {
  auto end = std::partition_point(list->begin(), list->end(), [&](const Candidate& c) { return c.seq <= seq_max; });
  return {list->data(), static_cast<size_t>(end - list->begin())};
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

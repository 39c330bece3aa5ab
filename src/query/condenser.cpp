#include "condenser.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "epoch_lens.h"
#include "stemedb/ground/check.h"
#include "stemedb/query/tie_order.h"

namespace stemedb::query {
namespace {

// Key prefixes: the three kinds of key share one map.
constexpr char kAuthorKey = 'a';  // (tier, author, object): the heaviest
constexpr char kObjectKey = 'o';  // (object): the newest
constexpr char kSignerKey = 's';  // (object, signer): any one

void AppendObject(std::string& key, const ObjectKey& object) {
  key.push_back(static_cast<char>(object.type));
  key.append(object.value);
}

void AppendId(std::string& key, const Id32& id) {
  key.append(reinterpret_cast<const char*>(id.data()), id.size());
}

}  // namespace

CondensePlan PlanForLens(const LensRequest& request) {
  const LensKind ranking = request.lens == LensKind::kEpoch ? request.inner : request.lens;
  CondensePlan plan;
  if (HasAssertionWeights(ranking)) plan.weight_lens = ranking;
  plan.keep_every_signer = ranking == LensKind::kRecency || ranking == LensKind::kConsensus;
  plan.drop_superseded_epochs = request.lens == LensKind::kEpoch;
  return plan;
}

CondensePlan PlanForViews() { return CondensePlan{.weight_lens = LensKind::kAuthority}; }

ChunkScorer::ChunkScorer(const Filter& filter, const CondensePlan& plan, const Context& context)
    : filter_(filter), plan_(plan), context_(context) {}

Result<std::vector<Scored>> ChunkScorer::Score(std::span<const Candidate> chunk) {
  auto filtered = ApplyFilter(chunk, filter_, context_.now_s);
  if (!filtered.ok()) return filtered.status();
  // Merged as the engine would have added them over the whole pair: the first kWarningsMax in
  // log order are named, the rest counted.
  for (const Warning& warning : filtered->warnings.items) retractions_.Add(warning);
  retractions_.omitted += filtered->warnings.omitted;
  std::vector<uint32_t> kept = std::move(filtered->kept);
  if (plan_.drop_superseded_epochs) {
    std::vector<UnknownEpoch> unknown;
    kept = KeepCurrentEpochs(chunk, kept, context_, unknown);
    for (const UnknownEpoch& epoch : unknown) {
      auto at = std::find_if(unknown_epochs_.begin(), unknown_epochs_.end(),
                             [&](const auto& entry) { return entry.first == epoch.id; });
      if (at == unknown_epochs_.end()) unknown_epochs_.emplace_back(epoch.id, epoch.kept_count);
      else at->second += epoch.kept_count;
    }
  }
  std::vector<Scored> rows = ScoreCandidates(chunk, kept, filtered->now_s, context_.decay);
  if (plan_.weight_lens == LensKind::kConfidence) SetConfidenceWeights(rows);
  if (plan_.weight_lens == LensKind::kVote) SetVoteWeights(chunk, rows);
  if (plan_.weight_lens == LensKind::kAuthority) {
    STEMEDB_RETURN_IF_ERROR(SetAuthorityWeights(chunk, rows, context_));
  }
  rows_count_ += rows.size();
  return rows;
}

Warnings ChunkScorer::TakeWarnings() {
  Warnings out = std::move(retractions_);
  std::sort(unknown_epochs_.begin(), unknown_epochs_.end(),
            [](const auto& a, const auto& b) { return IdSortsBefore(a.first, b.first); });
  for (const auto& [id, kept_count] : unknown_epochs_) out.Add(UnknownEpochWarning({id, kept_count}));
  unknown_epochs_.clear();
  return out;
}

size_t Condenser::IdHash::operator()(const AssertionId& id) const {
  size_t h;
  std::memcpy(&h, id.data(), sizeof(h));  // content hashes: any eight bytes are uniform
  return h;
}

template <typename Better>
void Condenser::Claim(std::string key, const Candidate& candidate, double weight, Better better) {
  auto [named, fresh_key] = holder_of_.try_emplace(std::move(key), candidate.id);
  if (!fresh_key) {
    if (named->second == candidate.id || !better(held_.at(named->second))) return;
    Release(named->second);
    named->second = candidate.id;
  }
  auto [held, fresh] = held_.try_emplace(candidate.id);
  if (fresh) {
    held->second.candidate = candidate;
    held->second.weight = weight;
  }
  ++held->second.keys;
}

void Condenser::Release(const AssertionId& id) {
  auto held = held_.find(id);
  STEMEDB_CHECK(held != held_.end() && held->second.keys > 0);
  if (--held->second.keys == 0) held_.erase(held);
}

void Condenser::Offer(const Candidate& c, const Scored& row) {
  const double weight = row.weight;
  auto newer = [&](const Held& held) { return Newer(c, held.candidate); };
  // The engine's "heaviest, then newest" (grouping.h RanksAhead with Pick::kHeaviest).
  auto heavier = [&](const Held& held) {
    return weight != held.weight ? weight > held.weight : Newer(c, held.candidate);
  };
  std::string key(1, kAuthorKey);
  key.push_back(static_cast<char>(c.tier));
  AppendId(key, c.author());
  AppendObject(key, c.object);
  // Without a weight (recency, consensus) no author counts once: the signer keys below cover
  // what those lenses read.
  if (plan_.weight_lens) Claim(std::move(key), c, weight, heavier);

  std::string object_key(1, kObjectKey);
  AppendObject(object_key, c.object);
  Claim(object_key, c, weight, newer);

  if (!plan_.keep_every_signer) return;
  for (const AgentId& signer : c.signers) {
    std::string signer_key = object_key;
    signer_key[0] = kSignerKey;
    AppendId(signer_key, signer);
    Claim(std::move(signer_key), c, weight, [](const Held&) { return false; });
  }
}

std::vector<Candidate> Condenser::Take() {
  std::vector<Candidate> out;
  out.reserve(held_.size());
  for (auto& [id, held] : held_) out.push_back(std::move(held.candidate));
  held_.clear();
  holder_of_.clear();
  std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.seq < b.seq; });
  return out;
}

}  // namespace stemedb::query

#include "condenser.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "epoch_lens.h"
#include "stemedb/ground/check.h"
#include "stemedb/query/tie_order.h"

namespace stemedb::query {
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

size_t Condenser::IdHash::operator()(const Id32& id) const {
  size_t h;
  std::memcpy(&h, id.data(), sizeof(h));  // content hashes and public keys: any eight bytes are uniform
  return h;
}

uint32_t Condenser::ObjectIndex(const ObjectKey& object) {
  std::string bytes(1, static_cast<char>(object.type));
  bytes += object.value;
  auto [at, fresh] = objects_.try_emplace(std::move(bytes), static_cast<uint32_t>(objects_.size()));
  if (fresh) newest_.push_back(kNoSlot);
  return at->second;
}

uint32_t Condenser::AgentIndex(const AgentId& agent) {
  return agents_.try_emplace(agent, static_cast<uint32_t>(agents_.size())).first->second;
}

template <typename Better>
void Condenser::Claim(uint32_t& slot, const Candidate& candidate, double weight, Better better) {
  if (slot != kNoSlot) {
    if (slots_[slot].candidate.id == candidate.id || !better(slots_[slot])) return;
    Release(slot);
  }
  // One row may be named by several keys: its later keys share the slot its first one took.
  if (last_claimed_ != kNoSlot && slots_[last_claimed_].candidate.id == candidate.id) {
    slot = last_claimed_;
  } else if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
    slots_[slot] = Held{candidate, weight, 0};
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.push_back(Held{candidate, weight, 0});
  }
  ++slots_[slot].keys;
  last_claimed_ = slot;
}

void Condenser::Release(uint32_t slot) {
  STEMEDB_CHECK(slot < slots_.size() && slots_[slot].keys > 0);
  if (--slots_[slot].keys > 0) return;
  slots_[slot].candidate = Candidate{};  // frees its signers and object bytes now
  free_.push_back(slot);
}

void Condenser::Offer(const Candidate& c, const Scored& row) {
  last_claimed_ = kNoSlot;  // slots are shared only among one row's keys
  const double weight = row.weight;
  auto newer = [&](const Held& held) { return Newer(c, held.candidate); };
  // The engine's "heaviest, then newest" (grouping.h RanksAhead with Pick::kHeaviest).
  auto heavier = [&](const Held& held) {
    return weight != held.weight ? weight > held.weight : Newer(c, held.candidate);
  };
  const uint64_t object = ObjectIndex(c.object);
  // Without a weight (recency, consensus) no author counts once: the signer keys below cover
  // what those lenses read.
  if (plan_.weight_lens) {
    const uint64_t author = AgentIndex(c.author());
    const uint64_t key = (static_cast<uint64_t>(c.tier) << 60) | (author << 30) | object;
    Claim(heaviest_.try_emplace(key, kNoSlot).first->second, c, weight, heavier);
  }
  Claim(newest_[object], c, weight, newer);
  if (!plan_.keep_every_signer) return;
  for (const AgentId& signer : c.signers) {
    const uint64_t key = (object << 30) | AgentIndex(signer);
    Claim(signed_.try_emplace(key, kNoSlot).first->second, c, weight, [](const Held&) { return false; });
  }
}

std::vector<Candidate> Condenser::Take() {
  std::vector<Candidate> out;
  out.reserve(held());
  for (Held& held : slots_) {
    if (held.keys > 0) out.push_back(std::move(held.candidate));
  }
  *this = Condenser(plan_);
  std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.seq < b.seq; });
  return out;
}

}  // namespace stemedb::query

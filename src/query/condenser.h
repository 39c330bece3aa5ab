#pragma once
// The streamed resolution's two working parts (streamed.h), internal to the query module:
//
// ChunkScorer: one chunk of a pair filtered and scored exactly as the engine does the whole pair
// (filter.h, the epoch lens's drop, scored.h), with the warnings merged across chunks in the
// order the engine would emit them for the whole pair.
//
// Condenser: of every row the scorer passes, keeps only the candidates that can still decide
// the answer. Every group-based figure of the engine is a function of
//   - each (object, author)'s heaviest assertion under the lens's weight (author once per group),
//   - each object's newest assertion (representatives of consensus and vote, recency's runner-up),
//   - for recency and consensus, which agents signed each object (distinct signing agents);
// the skeptic view also names each object's tiers, and the layered view runs the authority lens
// per tier. So the condenser keeps, per (tier, object, author), the heaviest assertion (the
// newest when the lens has no weight), per object the newest, and for the signing-agent lenses
// one assertion per (object, agent). The engine run over that set gives the whole pair's winner,
// resolution confidence, conflict score, claims and tiers; what it holds grows with the number
// of distinct (tier, object, author) triples, not with the number of claims: an agent repeating
// itself a million times costs one entry.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "scored.h"
#include "stemedb/query/candidate.h"
#include "stemedb/query/context.h"
#include "stemedb/query/filter.h"
#include "stemedb/query/lens.h"
#include "stemedb/query/warning.h"

namespace stemedb::query {

// What a streamed resolution computes, reduced to what condensing needs.
struct CondensePlan {
  // The per-assertion weight that picks a (tier, object, author)'s heaviest assertion:
  // kConfidence, kVote or kAuthority. Empty: the lens has none, the newest is kept.
  std::optional<LensKind> weight_lens{};
  bool keep_every_signer = false;       // recency and consensus count signing agents
  bool drop_superseded_epochs = false;  // the epoch lens
};

// The plan of a lens query (the epoch lens ranks with `request.inner`).
CondensePlan PlanForLens(const LensRequest& request);
// The skeptic and layered views: authority weights.
CondensePlan PlanForViews();

class ChunkScorer {
 public:
  ChunkScorer(const Filter& filter, const CondensePlan& plan, const Context& context);

  // The rows of `chunk` that pass every filter, with effective confidence and the plan's weight
  // set. The chunk must hold no lifecycle lineage edge (streamed.cpp removes replaced claims
  // before chunks are scored): lineage is a property of the whole pair.
  Result<std::vector<Scored>> Score(std::span<const Candidate> chunk);

  // Retraction warnings in log order, then one per unknown epoch (by id) with the number of
  // candidates it kept over every chunk: what the engine reports for the whole pair.
  Warnings TakeWarnings();
  size_t rows_count() const { return rows_count_; }

 private:
  Filter filter_;
  CondensePlan plan_;
  const Context& context_;
  Warnings retractions_;
  std::vector<std::pair<EpochId, uint32_t>> unknown_epochs_;  // epoch -> candidates kept
  size_t rows_count_ = 0;
};

class Condenser {
 public:
  explicit Condenser(const CondensePlan& plan) : plan_(plan) {}

  // A row the scorer passed, with its candidate.
  void Offer(const Candidate& candidate, const Scored& row);
  // The candidates kept, in log order. Leaves the condenser empty.
  std::vector<Candidate> Take();
  // What the condenser holds: candidates, and distinct objects and agents it names.
  size_t held() const { return slots_.size() - free_.size(); }
  size_t distinct() const { return std::max(objects_.size(), agents_.size()); }

 private:
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  struct Held {
    Candidate candidate;
    double weight = 0;
    uint32_t keys = 0;  // how many keys name it; the slot is freed at 0
  };
  struct IdHash {
    size_t operator()(const Id32& id) const;
  };
  struct BytesHash {
    using is_transparent = void;
    size_t operator()(std::string_view bytes) const { return std::hash<std::string_view>{}(bytes); }
  };
  uint32_t ObjectIndex(const ObjectKey& object);
  uint32_t AgentIndex(const AgentId& agent);
  // `slot` names `candidate` from now on when it names nothing yet, or when `better` says the
  // candidate beats the one it names.
  template <typename Better>
  void Claim(uint32_t& slot, const Candidate& candidate, double weight, Better better);
  void Release(uint32_t slot);

  CondensePlan plan_;
  // Objects (type byte + canonical bytes) and agents, numbered as first seen: the keys below are
  // integers, so a row costs no allocation once its object and author are known.
  std::unordered_map<std::string, uint32_t, BytesHash, std::equal_to<>> objects_;
  std::unordered_map<AgentId, uint32_t, IdHash> agents_;
  std::unordered_map<uint64_t, uint32_t> heaviest_;  // (tier, author, object) -> slot
  std::vector<uint32_t> newest_;                     // object -> slot
  std::unordered_map<uint64_t, uint32_t> signed_;    // (object, signing agent) -> slot
  std::vector<Held> slots_;
  std::vector<uint32_t> free_;
  uint32_t last_claimed_ = kNoSlot;  // the slot the current row took, if any
};

}  // namespace stemedb::query

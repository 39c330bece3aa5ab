#include "stemedb/query/streamed.h"

#include <cstring>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "condenser.h"
#include "lineage.h"
#include "ranked_page.h"
#include "stemedb/ground/check.h"
#include "stemedb/query/store_candidates.h"
#include "stemedb/query/tie_order.h"

namespace stemedb::query {
namespace {

struct IdHash {
  size_t operator()(const AssertionId& id) const {
    size_t h;
    std::memcpy(&h, id.data(), sizeof(h));  // content hashes: any eight bytes are uniform
    return h;
  }
};
using IdSet = std::unordered_set<AssertionId, IdHash>;

Status TooLarge(const PairRead& pair, std::string_view what) {
  return Status::Overloaded("query_too_large: " + std::string(pair.subject) + " / " + std::string(pair.predicate) +
                            " holds more than " + std::to_string(pair.condensed_max) + " " + std::string(what) +
                            " a resolution must keep apart; narrow it with source_class, epoch, as_of or valid_at");
}

bool KnownAt(const Candidate& c, const Filter& filter) {
  return !filter.as_of_ms || c.ingested_at_ms <= *filter.as_of_ms;
}

using ChunkFn = std::function<Status(std::span<const Candidate>)>;

// Calls `fn` with the pair's candidates up to pair.seq_max, in log order, a chunk at a time,
// leaving out those in `replaced`.
Status ForEachChunk(storage::Store& store, const PairRead& pair, const IdSet& replaced, const ChunkFn& fn) {
  std::vector<Candidate> chunk;
  chunk.reserve(pair.chunk_candidates);
  for (uint64_t after = 0;;) {
    auto records = store.CandidateRecordsAfter(pair.subject, pair.predicate, after, pair.chunk_candidates);
    if (!records.ok()) return records.status();
    bool last = records->size() < pair.chunk_candidates;
    chunk.clear();
    for (const auto& record : *records) {
      STEMEDB_CHECK(record.assertion.meta.seq > after);  // log order, no repeats
      after = record.assertion.meta.seq;
      if (after > pair.seq_max) {
        last = true;
        break;
      }
      if (!replaced.empty() && replaced.count(record.assertion.id)) continue;
      chunk.push_back(ToCandidate(store, record));
    }
    if (!chunk.empty()) STEMEDB_RETURN_IF_ERROR(fn(chunk));
    if (last) return Status::OK();
  }
}

// The claims lineage replaces (lenses.md: a claim moved to a later stage is replaced by its
// newest descendant), given every known candidate of the pair that has a parent. Parents that
// have none themselves are looked up by id; the engine's own rule (lineage.h) decides.
Result<IdSet> ReplacedByLineage(storage::Store& store, const PairRead& pair, const Filter& filter,
                                std::vector<Candidate> involved) {
  IdSet present;
  for (const Candidate& c : involved) present.insert(c.id);
  const size_t children = involved.size();
  for (size_t i = 0; i < children; ++i) {
    const AssertionId parent = *involved[i].parent;
    if (present.count(parent)) continue;
    auto stored = store.GetAssertion(parent);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) continue;
    const storage::StoredAssertion& p = **stored;
    if (p.record.subject != pair.subject || p.record.predicate != pair.predicate || p.meta.seq > pair.seq_max) continue;
    Candidate candidate = ToCandidate(store, storage::Store::CandidateRecord{p, {}});
    if (!KnownAt(candidate, filter)) continue;
    present.insert(parent);
    involved.push_back(std::move(candidate));
  }
  std::vector<uint32_t> all(involved.size());
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  auto survivors = KeepNewestDescendants(involved, all);
  if (!survivors.ok()) return survivors.status();
  IdSet replaced = std::move(present);
  for (uint32_t index : *survivors) replaced.erase(involved[index].id);
  return replaced;
}

using RowSink = std::function<void(const Candidate&, const Scored&)>;

// Calls `on_row` with every row of the pair (less `replaced`) the filters keep, scored under
// `plan`: a pass that reads again what the condensing pass read, once the group order is known.
Status ForEachScoredRow(storage::Store& store, const PairRead& pair, const IdSet& replaced, const Filter& filter,
                        const CondensePlan& plan, const Context& context, const RowSink& on_row) {
  ChunkScorer scorer(filter, plan, context);
  return ForEachChunk(store, pair, replaced, [&](std::span<const Candidate> chunk) -> Status {
    auto rows = scorer.Score(chunk);
    if (!rows.ok()) return rows.status();
    for (const Scored& row : *rows) on_row(chunk[row.index], row);
    return Status::OK();
  });
}

struct Condensed {
  IdSet replaced;  // the claims lineage replaces: later passes leave them out too
  std::vector<Candidate> candidates;
  size_t rows_count = 0;
  std::array<size_t, kTierCount> rows_by_tier{};
  Warnings warnings;
};

// One pass: the condensed set of the pair without `replaced`. With `children`, collects the
// known candidates that have a parent (the input of ReplacedByLineage).
Result<Condensed> CondensePass(storage::Store& store, const PairRead& pair, const IdSet& replaced,
                               const Filter& filter, const CondensePlan& plan, const Context& context,
                               const RowSink& sink, std::vector<Candidate>* children) {
  ChunkScorer scorer(filter, plan, context);
  Condenser condenser(plan);
  Condensed out;
  Status s = ForEachChunk(store, pair, replaced, [&](std::span<const Candidate> chunk) -> Status {
    if (children) {
      for (const Candidate& c : chunk) {
        if (c.parent && KnownAt(c, filter)) children->push_back(c);
      }
      if (children->size() > pair.condensed_max) return TooLarge(pair, "lifecycle descendants");
    }
    auto rows = scorer.Score(chunk);
    if (!rows.ok()) return rows.status();
    for (const Scored& row : *rows) {
      const Candidate& c = chunk[row.index];
      condenser.Offer(c, row);
      ++out.rows_by_tier[static_cast<size_t>(c.tier)];
      if (sink) sink(c, row);
    }
    if (condenser.held() > pair.condensed_max || condenser.distinct() > pair.condensed_max) {
      return TooLarge(pair, "distinct claims");
    }
    return Status::OK();
  });
  if (!s.ok()) return s;
  out.candidates = condenser.Take();
  out.rows_count = scorer.rows_count();
  out.warnings = scorer.TakeWarnings();
  return out;
}

// The condensed set with lineage applied: one pass when no known claim has a parent in the pair
// that it replaces, two otherwise. `reset` empties what `sink` gathered before a second pass.
Result<Condensed> Condense(storage::Store& store, const PairRead& pair, const Filter& filter,
                           const CondensePlan& plan, const Context& context, const RowSink& sink,
                           const std::function<void()>& reset) {
  std::vector<Candidate> children;
  auto first = CondensePass(store, pair, IdSet{}, filter, plan, context, sink, &children);
  if (!first.ok() || children.empty()) return first;
  auto replaced = ReplacedByLineage(store, pair, filter, std::move(children));
  if (!replaced.ok()) return replaced.status();
  // No replacement: the chunks held no lineage edge either, so the first pass stands.
  if (replaced->empty()) return first;
  if (reset) reset();
  auto second = CondensePass(store, pair, *replaced, filter, plan, context, sink, nullptr);
  if (second.ok()) second->replaced = std::move(*replaced);
  return second;
}

std::string ObjectBytes(const ObjectKey& object) {
  std::string key(1, static_cast<char>(object.type));
  key += object.value;
  return key;
}

// ---- a page of a lens's ranking ----

// A view resolved over the condensed set, counting every row read (not the condensed few) and
// carrying the pass's warnings.
template <typename View>
Result<View> ViewOfCondensed(Condensed& condensed, const Filter& filter, const Context& context,
                             Result<View> (*resolve)(std::span<const Candidate>, const Filter&, const Context&)) {
  Result<View> view = resolve(condensed.candidates, filter, context);
  if (!view.ok()) return view;
  view->candidates_count = condensed.rows_count;
  view->warnings = std::move(condensed.warnings);
  return view;
}

struct PageEntry {
  Candidate candidate;
  RankedCandidate ranked;  // index unset until the page is assembled
  uint32_t place = 0;      // the group's rank (group lenses); 0 for recency and confidence
};

// The engine's ranking order (lens.h "ranked"): group lenses by group rank, then within a group
// newest first (consensus, vote) or heaviest first (authority); recency newest first, confidence
// heaviest first.
struct PageOrder {
  bool heaviest_first = false;
  bool operator()(const PageEntry& a, const PageEntry& b) const {
    if (a.place != b.place) return a.place < b.place;
    if (heaviest_first && a.ranked.weight != b.ranked.weight) return a.ranked.weight > b.ranked.weight;
    return Newer(a.candidate, b.candidate);
  }
};
using Page = RankedPage<PageEntry, PageOrder>;

// What the per-group pages of one resolution may hold at once (GroupPages).
constexpr size_t kGroupPagesEntriesMax = 1u << 16;

bool RanksByGroup(LensKind ranking) {
  return ranking == LensKind::kConsensus || ranking == LensKind::kVote || ranking == LensKind::kAuthority;
}

void OfferRow(Page& page, const Candidate& c, const Scored& row, uint32_t place) {
  // Most rows of a large pair miss the page: compare before copying the candidate.
  PageEntry probe{.candidate = {}, .ranked = {0, row.effective_confidence, row.weight, false}, .place = place};
  probe.candidate.timestamp_s = c.timestamp_s;
  probe.candidate.seq = c.seq;
  probe.candidate.id = c.id;
  if (!page.WouldKeep(probe)) return;
  probe.candidate = c;
  page.Offer(std::move(probe));
}

}  // namespace

Result<StreamedLens> ResolveStreamed(storage::Store& store, const PairRead& pair, const LensRequest& request,
                                     const Context& context, size_t offset, size_t limit) {
  const LensKind ranking = request.lens == LensKind::kEpoch ? request.inner : request.lens;
  const CondensePlan plan = PlanForLens(request);
  const size_t depth = std::min(offset + limit, kStreamedRankingDepthMax);
  const PageOrder order{.heaviest_first = ranking == LensKind::kConfidence || ranking == LensKind::kAuthority};
  // Recency and confidence rank rows on their own: one page fills during the condensing pass.
  // The group lenses rank by group first, known only at the end: each group keeps its best rows
  // (GroupPages), or, over too many groups, the rows are read again once the order is known.
  const bool by_group = RanksByGroup(ranking);
  Page page(depth, order);
  GroupPages<PageEntry, PageOrder> group_pages(depth, order, kGroupPagesEntriesMax);
  RowSink sink = [&](const Candidate& c, const Scored& row) {
    if (!by_group) return OfferRow(page, c, row, 0);
    if (Page* own = group_pages.PageOf(ObjectBytes(c.object))) OfferRow(*own, c, row, 0);
  };
  auto reset = [&] {
    page = Page(depth, order);
    group_pages = GroupPages<PageEntry, PageOrder>(depth, order, kGroupPagesEntriesMax);
  };
  auto condensed = Condense(store, pair, request.filter, plan, context, sink, reset);
  if (!condensed.ok()) return condensed.status();
  auto resolved = Resolve(condensed->candidates, request, context);
  if (!resolved.ok()) return resolved.status();

  // Which rows count (their author's heaviest in the group) and each group's rank, from the
  // condensed ranking: the condensed set holds every counted row and every group.
  IdSet counted;
  std::unordered_map<std::string, uint32_t> place_of_object;
  for (const RankedCandidate& r : resolved->ranked) {
    const Candidate& c = condensed->candidates[r.index];
    if (r.counted) counted.insert(c.id);
    place_of_object.try_emplace(ObjectBytes(c.object), static_cast<uint32_t>(place_of_object.size()));
  }
  if (by_group && !group_pages.overflowed()) {
    for (auto& [object, own] : group_pages.pages()) {
      const uint32_t place = place_of_object.at(object);
      for (PageEntry& entry : own.TakeRanked()) {
        entry.place = place;
        page.Offer(std::move(entry));
      }
    }
  } else if (by_group) {
    Status s = ForEachScoredRow(store, pair, condensed->replaced, request.filter, plan, context,
                                [&](const Candidate& c, const Scored& row) {
                                  OfferRow(page, c, row, place_of_object.at(ObjectBytes(c.object)));
                                });
    if (!s.ok()) return s;
  }

  StreamedLens out;
  out.result = std::move(*resolved);
  out.result.candidates_count = condensed->rows_count;
  out.result.warnings = std::move(condensed->warnings);
  out.result.ranked.clear();
  out.condensed_count = condensed->candidates.size();
  std::vector<PageEntry> ranked = page.TakeRanked();
  for (size_t position = offset; position < ranked.size(); ++position) {
    RankedCandidate r = ranked[position].ranked;
    r.index = static_cast<uint32_t>(out.candidates.size());
    r.counted = HasAssertionWeights(ranking) && counted.count(ranked[position].candidate.id) > 0;
    out.candidates.push_back(std::move(ranked[position].candidate));
    out.result.ranked.push_back(r);
  }
  if (out.result.winner) {
    out.candidates.push_back(condensed->candidates[out.result.winner->index]);
    out.result.winner->index = static_cast<uint32_t>(out.candidates.size() - 1);
  }
  out.more = offset + limit < std::min(condensed->rows_count, kStreamedRankingDepthMax);
  out.depth_reached = condensed->rows_count > kStreamedRankingDepthMax;
  return out;
}

namespace {

// A skeptic claim's assertion as listed: heaviest first, then newest.
struct Listed {
  double weight = 0;
  Candidate tie;  // timestamp, seq and id only: what the order reads
};
struct ListedOrder {
  bool operator()(const Listed& a, const Listed& b) const {
    return a.weight != b.weight ? a.weight > b.weight : Newer(a.tie, b.tie);
  }
};
using ClaimPages = GroupPages<Listed, ListedOrder>;

Listed ListedOf(const Candidate& c, const Scored& row) {
  Listed listed{row.weight, {}};
  listed.tie.timestamp_s = c.timestamp_s;
  listed.tie.seq = c.seq;
  listed.tie.id = c.id;
  return listed;
}

}  // namespace

Result<StreamedSkeptic> ResolveSkepticStreamed(storage::Store& store, const PairRead& pair, const Filter& filter,
                                               const Context& context) {
  const CondensePlan plan = PlanForViews();
  // Each claim's assertion count, and its heaviest assertions while the claims are few enough.
  std::unordered_map<std::string, size_t> count_of_object;
  ClaimPages pages(kStreamedClaimAssertionsListedMax, ListedOrder{}, kGroupPagesEntriesMax);
  RowSink sink = [&](const Candidate& c, const Scored& row) {
    std::string object = ObjectBytes(c.object);
    if (auto* own = pages.PageOf(object)) own->Offer(ListedOf(c, row));
    ++count_of_object[std::move(object)];
  };
  auto reset = [&] {
    count_of_object.clear();
    pages = ClaimPages(kStreamedClaimAssertionsListedMax, ListedOrder{}, kGroupPagesEntriesMax);
  };
  auto condensed = Condense(store, pair, filter, plan, context, sink, reset);
  if (!condensed.ok()) return condensed.status();
  auto view = ViewOfCondensed(*condensed, filter, context, &ResolveSkeptic);
  if (!view.ok()) return view.status();
  StreamedSkeptic out;
  out.view = std::move(*view);
  if (out.view.claims.size() > kStreamedClaimsListedMax) out.view.claims.resize(kStreamedClaimsListedMax);
  out.candidates = std::move(condensed->candidates);

  std::unordered_map<std::string, size_t> claim_of_object;
  for (size_t i = 0; i < out.view.claims.size(); ++i) {
    SkepticClaim& claim = out.view.claims[i];
    std::string object = ObjectBytes(out.candidates[claim.representative].object);
    claim.assertions.clear();
    claim.assertions_count = count_of_object.at(object);
    claim_of_object.emplace(std::move(object), i);
  }
  if (pages.overflowed()) {
    // Too many claims to keep each one's heaviest on the way: the listed claims', read again.
    pages = ClaimPages(kStreamedClaimAssertionsListedMax, ListedOrder{}, SIZE_MAX);
    Status s = ForEachScoredRow(store, pair, condensed->replaced, filter, plan, context,
                                [&](const Candidate& c, const Scored& row) {
                                  std::string object = ObjectBytes(c.object);
                                  if (claim_of_object.count(object)) pages.PageOf(object)->Offer(ListedOf(c, row));
                                });
    if (!s.ok()) return s;
  }
  // The JSON names a claim's assertions by id: they join the candidates as ids alone.
  for (auto& [object, own] : pages.pages()) {
    auto claim = claim_of_object.find(object);
    if (claim == claim_of_object.end()) continue;
    for (Listed& listed : own.TakeRanked()) {
      out.view.claims[claim->second].assertions.push_back(static_cast<uint32_t>(out.candidates.size()));
      Candidate named;
      named.id = listed.tie.id;
      out.candidates.push_back(std::move(named));
    }
  }
  return out;
}

Result<StreamedLayered> ResolveLayeredStreamed(storage::Store& store, const PairRead& pair, const Filter& filter,
                                               const Context& context) {
  auto condensed = Condense(store, pair, filter, PlanForViews(), context, nullptr, nullptr);
  if (!condensed.ok()) return condensed.status();
  auto view = ViewOfCondensed(*condensed, filter, context, &ResolveLayered);
  if (!view.ok()) return view.status();
  StreamedLayered out;
  out.view = std::move(*view);
  for (LayeredTier& tier : out.view.tiers) tier.candidates_count = condensed->rows_by_tier[static_cast<size_t>(tier.tier)];
  out.candidates = std::move(condensed->candidates);
  return out;
}

}  // namespace stemedb::query

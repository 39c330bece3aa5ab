#include "feed_read.h"

#include <limits>

#include "record_json.h"
#include "stemedb/core/limits.h"

namespace stemedb::http {
namespace {

using nlohmann::json;

bool AssertionMatches(const core::Assertion& a, const FeedFilter& f) {
  return a.subject.rfind(f.subject_prefix, 0) == 0 && (f.predicate.empty() || a.predicate == f.predicate);
}

bool Wanted(core::RecordKind kind, const FeedFilter& f) {
  switch (kind) {
    case core::RecordKind::kAssertion: return f.assertions;
    case core::RecordKind::kVote: return f.votes;
    case core::RecordKind::kEpoch: return f.epochs && !f.by_claim();
    case core::RecordKind::kSource: return f.sources && !f.by_claim();
    default: return false;
  }
}

// The item of log entry `e` if its record passes `filter`; nullopt for one that does not, or
// for an entry that does not introduce its record (a co-signing write).
Result<std::optional<FeedItem>> ItemOf(storage::Store& store, const storage::LogEntry& e, const FeedFilter& filter) {
  using Item = std::optional<FeedItem>;
  switch (e.kind) {
    case core::RecordKind::kAssertion: {
      auto a = store.GetAssertion(e.id);
      if (!a.ok()) return a.status();
      if (!a->has_value() || (*a)->meta.seq != e.seq || !AssertionMatches((*a)->record, filter)) return Item{};
      auto body = AssertionJson(store, **a);
      if (!body.ok()) return body.status();
      return Item{FeedItem{e.kind, e.seq, std::move(*body)}};
    }
    case core::RecordKind::kVote: {
      auto v = store.GetVote(e.id);
      if (!v.ok()) return v.status();
      if (!v->has_value() || (*v)->meta.seq != e.seq) return Item{};
      if (filter.by_claim()) {
        auto target = store.GetAssertion((*v)->record.assertion_hash);
        if (!target.ok()) return target.status();
        if (!target->has_value() || !AssertionMatches((*target)->record, filter)) return Item{};
      }
      return Item{FeedItem{e.kind, e.seq, VoteJson(**v, e.id)}};
    }
    case core::RecordKind::kEpoch: {
      auto ep = store.GetEpoch(e.id);
      if (!ep.ok()) return ep.status();
      if (!ep->has_value() || (*ep)->meta.seq != e.seq) return Item{};
      auto body = EpochJson(store, **ep, {kSupersededByInListMax, std::nullopt});
      if (!body.ok()) return body.status();
      return Item{FeedItem{e.kind, e.seq, std::move(*body)}};
    }
    case core::RecordKind::kSource: {
      auto s = store.GetSource(e.id);
      if (!s.ok()) return s.status();
      if (!s->has_value() || (*s)->meta.seq != e.seq) return Item{};
      return Item{FeedItem{e.kind, e.seq, SourceJson(store, **s, false)}};
    }
    default:
      return Item{};
  }
}

}  // namespace

std::optional<FeedFilter> ParseFeedFilter(const QueryParams& p, ApiError* error) {
  FeedFilter f;
  f.subject_prefix = p.Get("subject_prefix").value_or("");
  f.predicate = p.Get("predicate").value_or("");
  if (f.subject_prefix.size() > core::kSubjectBytesMax) {
    *error = BadParam("subject_prefix", "longer than a subject (" + std::to_string(core::kSubjectBytesMax) + " bytes)");
    return std::nullopt;
  }
  if (f.predicate.size() > core::kPredicateBytesMax) {
    *error = BadParam("predicate", "longer than a predicate (" + std::to_string(core::kPredicateBytesMax) + " bytes)");
    return std::nullopt;
  }
  const auto kinds = p.Get("kind");
  if (!kinds) return f;
  f.assertions = false;
  size_t start = 0;
  while (start <= kinds->size()) {
    const size_t comma = std::min(kinds->find(',', start), kinds->size());
    const std::string kind = kinds->substr(start, comma - start);
    start = comma + 1;
    if (kind == "assertion") f.assertions = true;
    else if (kind == "vote") f.votes = true;
    else if (kind == "epoch") f.epochs = true;
    else if (kind == "source") f.sources = true;
    else {
      *error = BadParam("kind", "'" + kind.substr(0, 64) + "' is not one of assertion, vote, epoch, source (comma-separated)");
      return std::nullopt;
    }
  }
  return f;
}

// Not every WAL record has a log entry (a co-signature, an API key, a revocation, a trust
// override write none), so the last entry can lie below the last applied seq. When the scan
// reaches the end, scanned_to is therefore raised to the last seq applied before the scan
// started: the reader has seen everything up to it, and a follower's `after` meets the hub's
// last seq (it used to stay below it, and the hub spun on that follower without end).
Result<FeedRead> ReadFeed(storage::Store& store, uint64_t after, size_t limit, const FeedFilter& filter) {
  FeedRead out;
  out.scanned_to = after;
  // No seq follows the largest one (after + 1 would wrap to 0 and restart the log).
  if (after == std::numeric_limits<uint64_t>::max()) {
    out.reached_end = true;
    return out;
  }
  const uint64_t applied = store.last_applied_seq();  // before the scan: every entry up to it is visible
  auto entries = store.LogAfter(after, kFeedScanEntriesMax);
  if (!entries.ok()) return entries.status();
  bool stopped_at_limit = false;
  for (const auto& e : *entries) {
    if (out.items.size() >= limit) {
      stopped_at_limit = true;
      break;
    }
    out.scanned_to = e.seq;
    if (!Wanted(e.kind, filter)) continue;
    auto item = ItemOf(store, e, filter);
    if (!item.ok()) return item.status();
    if (*item) out.items.push_back(std::move(**item));
  }
  out.reached_end = !stopped_at_limit && entries->size() < kFeedScanEntriesMax;
  if (out.reached_end) out.scanned_to = std::max(out.scanned_to, applied);
  return out;
}

std::string EventsChunk(const std::vector<FeedItem>& items) {
  std::string chunk;
  for (const auto& item : items) {
    chunk += "id: " + std::to_string(item.seq) + "\nevent: " + std::string(core::RecordKindName(item.kind)) +
             "\ndata: " + item.body.dump() + "\n\n";
  }
  return chunk;
}

}  // namespace stemedb::http

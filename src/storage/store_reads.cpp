// Store reads: records by id, index scans, aggregates. Any thread; memory tier first.

#include "applier.h"
#include "stemedb/core/stored_record.h"
#include "stemedb/index/candidate_entry.h"
#include "stemedb/index/column_families.h"
#include "stemedb/index/keys.h"
#include "stemedb/storage/store.h"

namespace stemedb::storage {

namespace ix = stemedb::index;

template <typename R>
Result<std::optional<Stored<R>>> Store::GetRecord(core::RecordKind kind, const core::Hash32& id) {
  auto value = kv_->Get(ix::kRecords, ix::RecordKey(kind, id));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::optional<Stored<R>>();
  auto rv = DecodeRecordValue(**value);
  if (!rv.ok()) return rv.status();
  auto record = core::DecodeStored(kind, rv->stored);
  if (!record.ok()) return record.status();
  return std::optional<Stored<R>>(Stored<R>{id, rv->meta, std::get<R>(std::move(record).value())});
}

template <typename R>
Result<std::optional<WriteOutcome>> Store::Unchanged(core::RecordKind kind, const R& incoming, const core::Hash32& id) {
  auto stored = GetRecord<R>(kind, id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<WriteOutcome>();
  if constexpr (requires { incoming.signatures; }) {
    for (const auto& s : incoming.signatures) {
      if (!HasSigner((*stored)->record.signatures, s.agent_id)) return std::optional<WriteOutcome>();
    }
  }
  const StoredMeta& meta = (*stored)->meta;
  return std::optional(WriteOutcome{id, WriteStatus::kExists, meta.seq, meta.ingested_at_ms});
}

Result<std::optional<WriteOutcome>> Store::StoredUnchanged(const PendingWrite& w) {
  using core::RecordKind;
  if (const auto* a = std::get_if<core::Assertion>(&w.record)) return Unchanged(RecordKind::kAssertion, *a, w.id);
  if (const auto* v = std::get_if<core::Vote>(&w.record)) return Unchanged(RecordKind::kVote, *v, w.id);
  if (const auto* e = std::get_if<core::Epoch>(&w.record)) return Unchanged(RecordKind::kEpoch, *e, w.id);
  if (const auto* s = std::get_if<core::Source>(&w.record)) return Unchanged(RecordKind::kSource, *s, w.id);
  return std::optional<WriteOutcome>();  // retractions and the server's records: the apply step decides
}

Result<std::optional<StoredAssertion>> Store::GetAssertion(const core::Hash32& id) {
  return GetRecord<core::Assertion>(core::RecordKind::kAssertion, id);
}
Result<std::optional<StoredVote>> Store::GetVote(const core::Hash32& id) {
  return GetRecord<core::Vote>(core::RecordKind::kVote, id);
}
Result<std::optional<StoredEpoch>> Store::GetEpoch(const core::Hash32& id) {
  return GetRecord<core::Epoch>(core::RecordKind::kEpoch, id);
}
Result<std::optional<StoredSource>> Store::GetSource(const core::Hash32& id) {
  return GetRecord<core::Source>(core::RecordKind::kSource, id);
}

namespace {

Result<core::Hash32> CandidateEntryId(std::string_view value) {
  auto entry = ix::DecodeCandidateEntry(value);
  if (!entry.ok()) return entry.status();
  return entry->id;
}

// A by_subject_predicate entry as the candidate cache holds it; the seq in its key must be the
// record's own (both are written by one apply step).
Result<Store::CandidateRecord> DecodeCandidate(std::string_view key, std::string_view value) {
  auto entry = ix::DecodeCandidateEntry(value);
  if (!entry.ok()) return entry.status();
  auto rv = DecodeRecordValue(entry->record_value);
  if (!rv.ok()) return rv.status();
  if (rv->meta.seq != ix::SeqOfKey(key)) {
    return Status::Corruption("by_subject_predicate entry at seq " + std::to_string(ix::SeqOfKey(key)) +
                              " holds assertion " + core::IdHex(entry->id) + " of seq " + std::to_string(rv->meta.seq));
  }
  auto record = core::DecodeStored(core::RecordKind::kAssertion, rv->stored);
  if (!record.ok()) return record.status();
  return Store::CandidateRecord{StoredAssertion{entry->id, rv->meta, std::get<core::Assertion>(std::move(record).value())},
                         entry->votes};
}

// Ids stored as index values over [start, end), at most limit.
Result<std::vector<core::Hash32>> IdsInRange(TieredKv& kv, ix::Cf cf, const std::string& start, const std::string& end,
                                             size_t limit,
                                             Result<core::Hash32> (*decode_id)(std::string_view) = &ix::DecodeIdValue) {
  std::vector<core::Hash32> ids;
  Status decode;
  Status s = kv.Scan(cf, start, end, limit, [&](std::string_view, std::string_view value) {
    auto id = decode_id(value);
    if (!id.ok()) {
      decode = id.status();
      return false;
    }
    ids.push_back(*id);
    return true;
  });
  if (!s.ok()) return s;
  if (!decode.ok()) return decode;
  return ids;
}

}  // namespace

Result<std::vector<core::Hash32>> Store::AssertionsFor(std::string_view subject, std::string_view predicate,
                                                       size_t limit, uint64_t after_seq) {
  const std::string prefix = ix::SubjectPredicatePrefix(subject, predicate);
  return IdsInRange(*kv_, ix::kBySubjectPredicate, ix::SubjectPredicateKey(subject, predicate, after_seq + 1),
                    ix::PrefixEnd(prefix), limit, &CandidateEntryId);
}

Result<std::vector<std::string>> Store::PredicatesOf(std::string_view subject, size_t limit, std::string_view after) {
  const std::string prefix = ix::SubjectPrefix(subject);
  std::string start = prefix + std::string(after);
  if (!after.empty()) start.push_back('\0');  // the first key after `after`
  std::vector<std::string> out;
  Status s = kv_->Scan(ix::kSubjectPredicates, start, ix::PrefixEnd(prefix), limit,
                       [&](std::string_view key, std::string_view) {
                         out.emplace_back(ix::PredicateOfKey(key, prefix.size()));
                         return true;
                       });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<std::string>> Store::SubjectsWithPrefix(std::string_view prefix, size_t limit, std::string_view after) {
  // Keys are subject NUL predicate, and no subject holds NUL: every key of subject S lies in
  // [S NUL, S \x01), so the first key at or past S \x01 belongs to the next subject.
  std::string start = after.empty() || after < prefix ? std::string(prefix) : std::string(after) + '\x01';
  const std::string end = ix::PrefixEnd(prefix);
  std::vector<std::string> out;
  while (out.size() < limit) {
    std::optional<std::string> subject;
    Status s = kv_->Scan(ix::kSubjectPredicates, start, end, 1, [&](std::string_view key, std::string_view) {
      subject.emplace(key.substr(0, key.find('\0')));
      return false;
    });
    if (!s.ok()) return s;
    if (!subject) break;
    start = *subject + '\x01';
    out.push_back(std::move(*subject));
  }
  return out;
}

Result<size_t> Store::CountAssertionsFor(std::string_view subject, std::string_view predicate, size_t count_max) {
  const std::string prefix = ix::SubjectPredicatePrefix(subject, predicate);
  size_t n = 0;
  Status s = kv_->Scan(ix::kBySubjectPredicate, prefix, ix::PrefixEnd(prefix), count_max,
                       [&](std::string_view, std::string_view) {
                         ++n;
                         return true;
                       });
  if (!s.ok()) return s;
  return n;
}

Result<std::vector<core::Hash32>> Store::ChildrenOf(const core::Hash32& parent, size_t limit) {
  std::vector<core::Hash32> out;
  const std::string prefix = ix::IdPrefix(parent);
  Status s = kv_->Scan(ix::kChildren, prefix, ix::PrefixEnd(prefix), limit, [&](std::string_view key, std::string_view) {
    out.push_back(ix::TrailingId(key));
    return true;
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<core::Hash32>> Store::SupersededBy(const core::Hash32& epoch, size_t limit,
                                                      const std::optional<core::Hash32>& after) {
  const std::string prefix = ix::IdPrefix(epoch);
  const std::string start = after ? ix::IdPairKey(epoch, *after) + std::string(1, '\0') : prefix;
  std::vector<core::Hash32> out;
  Status s = kv_->Scan(ix::kSupersededBy, start, ix::PrefixEnd(prefix), limit, [&](std::string_view key, std::string_view) {
    out.push_back(ix::TrailingId(key));
    return true;
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<core::Hash32>> Store::VotesOn(const core::Hash32& assertion, size_t limit) {
  const std::string prefix = ix::IdPrefix(assertion);
  return IdsInRange(*kv_, ix::kVotesByAssertion, prefix, ix::PrefixEnd(prefix), limit);
}

Result<std::vector<LogEntry>> Store::LogAfter(uint64_t after_seq, size_t limit) {
  std::vector<LogEntry> out;
  Status decode;
  Status s = kv_->Scan(ix::kBySeq, ix::SeqKey(after_seq + 1), "", limit, [&](std::string_view key, std::string_view value) {
    auto v = ix::DecodeKindIdValue(value);
    if (!v.ok()) {
      decode = v.status();
      return false;
    }
    out.push_back({ix::SeqOfKey(key), v->kind, v->id});
    return true;
  });
  if (!s.ok()) return s;
  if (!decode.ok()) return decode;
  return out;
}

Result<std::vector<core::Hash32>> Store::ListIds(core::RecordKind kind, size_t limit,
                                                 const std::optional<core::Hash32>& after) {
  const std::string prefix(1, static_cast<char>(kind));
  std::string start = after ? ix::RecordKey(kind, *after) + std::string(1, '\0') : prefix;
  std::vector<core::Hash32> out;
  Status s = kv_->Scan(ix::kRecords, start, ix::PrefixEnd(prefix), limit, [&](std::string_view key, std::string_view) {
    out.push_back(ix::TrailingId(key));
    return true;
  });
  if (!s.ok()) return s;
  return out;
}

Result<Store::Candidates> Store::CandidatesFor(std::string_view subject, std::string_view predicate, size_t limit,
                                               const CandidateBuilder& builder) {
  const std::string key = ix::SubjectPredicatePrefix(subject, predicate);
  CandidateCache::Lookup cached = cache_->Get(key, builder.kind);
  if (cached.value && cached.items <= limit) return Candidates{std::move(cached.value), false};
  // One prefix scan: each entry carries its record and votes (index/candidate_entry.h). Entries
  // are decoded only once the pair is known to fit: a pair over the limit costs its caller a
  // scan of limit + 1 entries, not their decoding.
  std::vector<std::pair<std::string, std::string>> entries;
  Status s = kv_->Scan(ix::kBySubjectPredicate, key, ix::PrefixEnd(key), limit + 1,
                       [&](std::string_view entry_key, std::string_view value) {
                         entries.emplace_back(entry_key, value);
                         return true;
                       });
  if (!s.ok()) return s;
  if (entries.size() > limit) return Candidates{nullptr, true};
  std::vector<CandidateRecord> records;
  records.reserve(entries.size());
  for (const auto& [entry_key, value] : entries) {
    auto c = DecodeCandidate(entry_key, value);
    if (!c.ok()) return c.status();
    records.push_back(std::move(*c));
  }
  const size_t items = records.size();
  BuiltCandidates built = builder.build(std::move(records));
  cache_->Insert(key, builder.kind, built.value, items, built.bytes, cached.generation);
  return Candidates{std::move(built.value), false};
}

size_t Store::CachedCandidates(std::string_view subject, std::string_view predicate, const void* kind) {
  return cache_->CachedItems(ix::SubjectPredicatePrefix(subject, predicate), kind);
}

Result<std::vector<Store::CandidateRecord>> Store::CandidateRecordsAfter(std::string_view subject,
                                                                        std::string_view predicate,
                                                                        uint64_t after_seq, size_t limit) {
  std::vector<CandidateRecord> records;
  if (after_seq == UINT64_MAX) return records;  // nothing follows the last possible seq
  const std::string prefix = ix::SubjectPredicatePrefix(subject, predicate);
  Status decode;
  Status s = kv_->Scan(ix::kBySubjectPredicate, ix::SubjectPredicateKey(subject, predicate, after_seq + 1),
                       ix::PrefixEnd(prefix), limit, [&](std::string_view entry_key, std::string_view value) {
                         auto c = DecodeCandidate(entry_key, value);
                         if (!c.ok()) {
                           decode = c.status();
                           return false;
                         }
                         records.push_back(std::move(*c));
                         return true;
                       });
  if (!s.ok()) return s;
  if (!decode.ok()) return decode;
  return records;
}

Result<index::VoteAggregate> Store::VoteSummary(const core::Hash32& assertion) {
  auto v = kv_->Get(ix::kAggregates, ix::VoteAggregateKey(assertion));
  if (!v.ok()) return v.status();
  if (!v->has_value()) return index::VoteAggregate{};
  return ix::DecodeVoteAggregate(**v);
}

Result<AgentSummary> Store::Agent(const core::PublicKey& agent) {
  AgentSummary out;
  auto v = kv_->Get(ix::kAggregates, ix::AgentAggregateKey(agent));
  if (!v.ok()) return v.status();
  if (v->has_value()) {
    auto agg = ix::DecodeAgentAggregate(**v);
    if (!agg.ok()) return agg.status();
    out.votes_on_its_work = *agg;
  }
  if (auto o = catalog_.TrustOverrideOf(agent)) {
    out.trust = *o;
    out.trust_overridden = true;
  } else {
    out.trust = ix::TrustFromVotes(out.votes_on_its_work);
  }
  return out;
}

Result<double> Store::Trust(const core::PublicKey& agent) {
  if (auto o = catalog_.TrustOverrideOf(agent)) return *o;
  const TrustCache::Lookup cached = trust_cache_->Get(agent);
  if (cached.trust) return *cached.trust;
  auto a = Agent(agent);
  if (!a.ok()) return a.status();
  if (!a->trust_overridden) trust_cache_->Insert(agent, a->trust, cached.generation);
  return a->trust;
}

Result<index::GlobalCounts> Store::Counts() {
  auto v = kv_->Get(ix::kAggregates, ix::GlobalCountsKey());
  if (!v.ok()) return v.status();
  if (!v->has_value()) return index::GlobalCounts{};
  return ix::DecodeGlobalCounts(**v);
}

}  // namespace stemedb::storage

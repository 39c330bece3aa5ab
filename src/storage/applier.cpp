#include "applier.h"

#include <cstring>

#include "stemedb/ground/check.h"
#include "stemedb/core/stored_record.h"
#include "stemedb/index/aggregates.h"
#include "stemedb/index/candidate_entry.h"
#include "stemedb/index/column_families.h"
#include "stemedb/index/keys.h"

namespace stemedb::storage {

using core::RecordKind;
namespace ix = stemedb::index;

std::string EncodeRecordValue(const StoredMeta& meta, std::string_view stored) {
  std::string out(16, '\0');
  std::memcpy(out.data(), &meta.seq, 8);
  std::memcpy(out.data() + 8, &meta.ingested_at_ms, 8);
  out.append(stored);
  return out;
}

Result<RecordValue> DecodeRecordValue(std::string_view value) {
  if (value.size() < 16) return Status::Corruption("record value of " + std::to_string(value.size()) + " bytes");
  RecordValue r;
  std::memcpy(&r.meta.seq, value.data(), 8);
  std::memcpy(&r.meta.ingested_at_ms, value.data() + 8, 8);
  r.stored = value.substr(16);
  return r;
}

namespace {

template <typename T>
Result<T> LoadOr(TieredKv& kv, ix::Cf cf, const std::string& key, Result<T> (*decode)(std::string_view)) {
  auto v = kv.Get(cf, key);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return T{};
  return decode(**v);
}

WriteOutcome Outcome(const core::Hash32& id, WriteStatus status, const StoredMeta& meta) {
  return {id, status, meta.seq, meta.ingested_at_ms};
}

}  // namespace

Result<WriteOutcome> Applier::Apply(TieredKv::WriteScope& scope, const AnyRecord& record, const core::Hash32& id,
                                    const StoredMeta& meta, std::string_view body) {
  // The stored value is the WAL's body, not a second encoding of the record (the encoding is
  // canonical: stored_record.h), so what the store holds is byte for byte what the log holds.
  STEMEDB_CHECK(!body.empty());
  if (const auto* a = std::get_if<core::Assertion>(&record)) return ApplyAssertion(scope, *a, id, meta, body);
  if (const auto* v = std::get_if<core::Vote>(&record)) return ApplyVote(scope, *v, id, meta, body);
  if (const auto* e = std::get_if<core::Epoch>(&record)) return ApplyEpoch(scope, *e, id, meta, body);
  if (const auto* s = std::get_if<core::Source>(&record)) return ApplySource(scope, *s, id, meta, body);
  if (const auto* r = std::get_if<core::SourceRetraction>(&record)) return ApplyRetraction(scope, *r, id, meta, body);
  return ApplyServerRecord(scope, record, id, meta);
}

void Applier::InvalidateCandidates(const core::Assertion& a) {
  // After the record's entries are in the memtable: see candidate_cache.h for why the order matters.
  if (cache_) cache_->Invalidate(ix::SubjectPredicatePrefix(a.subject, a.predicate));
}

void Applier::PutRecord(TieredKv::WriteScope& w, RecordKind kind, const core::Hash32& id, const StoredMeta& meta,
                        std::string_view stored) {
  PutRecordValue(w, kind, id, meta.seq, EncodeRecordValue(meta, stored));
}

void Applier::PutRecordValue(TieredKv::WriteScope& w, RecordKind kind, const core::Hash32& id, uint64_t seq,
                             std::string_view record_value) {
  w.Put(ix::kRecords, ix::RecordKey(kind, id), record_value);
  w.Put(ix::kBySeq, ix::SeqKey(seq), ix::KindIdValue(kind, id));
}

void Applier::PutCandidateEntry(TieredKv::WriteScope& w, const core::Assertion& a, const core::Hash32& id,
                                uint64_t seq, std::string_view record_value, const ix::VoteAggregate& votes) {
  w.Put(ix::kBySubjectPredicate, ix::SubjectPredicateKey(a.subject, a.predicate, seq),
        ix::EncodeCandidateEntry(id, votes, record_value));
}

Status Applier::BumpGlobal(TieredKv::WriteScope& w, uint64_t assertions, uint64_t votes, uint64_t epochs,
                           uint64_t sources) {
  // Read once, then kept: the apply step is the counts' only writer, and every record bumps them.
  if (!global_) {
    auto g = LoadOr<ix::GlobalCounts>(kv_, ix::kAggregates, ix::GlobalCountsKey(), &ix::DecodeGlobalCounts);
    if (!g.ok()) return g.status();
    global_ = *g;
  }
  global_->assertions += assertions;
  global_->votes += votes;
  global_->epochs += epochs;
  global_->sources += sources;
  w.Put(ix::kAggregates, ix::GlobalCountsKey(), ix::Encode(*global_));
  return Status::OK();
}

template <typename R>
Result<WriteOutcome> Applier::MergeSigners(TieredKv::WriteScope& w, RecordKind kind, const R& incoming,
                                           const core::Hash32& id, const StoredMeta& meta,
                                           std::string_view stored_value) {
  auto value = DecodeRecordValue(stored_value);
  if (!value.ok()) return value.status();
  auto decoded = core::DecodeStored(kind, value->stored);
  if (!decoded.ok()) return decoded.status();
  R existing = std::get<R>(std::move(decoded).value());
  std::vector<core::PublicKey> added;
  for (const auto& sig : incoming.signatures) {
    if (existing.signatures.size() >= kStoredSignersMax) break;
    if (HasSigner(existing.signatures, sig.agent_id)) continue;
    existing.signatures.push_back(sig);
    added.push_back(sig.agent_id);
  }
  if (added.empty()) return Outcome(id, WriteStatus::kExists, value->meta);
  // The record keeps its first seq; the new signers are indexed at this write's seq.
  const std::string record_value = EncodeRecordValue(value->meta, core::EncodeStored(existing));
  w.Put(ix::kRecords, ix::RecordKey(kind, id), record_value);
  for (const auto& agent : added) w.Put(ix::kByAgent, ix::IdSeqKey(agent, meta.seq), ix::KindIdValue(kind, id));
  if constexpr (std::is_same_v<R, core::Assertion>) {
    auto votes = LoadOr<ix::VoteAggregate>(kv_, ix::kAggregates, ix::VoteAggregateKey(id), &ix::DecodeVoteAggregate);
    if (!votes.ok()) return votes.status();
    PutCandidateEntry(w, existing, id, value->meta.seq, record_value, *votes);
    InvalidateCandidates(existing);
  }
  return Outcome(id, WriteStatus::kCosigned, value->meta);
}

Result<WriteOutcome> Applier::ApplyAssertion(TieredKv::WriteScope& w, const core::Assertion& a,
                                             const core::Hash32& id, const StoredMeta& meta, std::string_view body) {
  if (!ids_ || ids_->MayContain(id)) {
    auto existing = kv_.Get(ix::kRecords, ix::RecordKey(RecordKind::kAssertion, id));
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) return MergeSigners(w, RecordKind::kAssertion, a, id, meta, **existing);
  }

  STEMEDB_CHECK(!a.signatures.empty());
  // Before the entries: a reader that finds them must never be told the id is not stored.
  if (ids_) ids_->Add(id);
  const std::string record_value = EncodeRecordValue(meta, body);
  PutRecordValue(w, RecordKind::kAssertion, id, meta.seq, record_value);
  // No votes yet: the write path refuses votes on unknown assertions, and the apply step stores
  // any that slip through uncounted (see ApplyVote).
  PutCandidateEntry(w, a, id, meta.seq, record_value, ix::VoteAggregate{});
  const std::string id_value = ix::IdPrefix(id);
  w.Put(ix::kSubjectPredicates, ix::SubjectPredicatesKey(a.subject, a.predicate), "");
  for (const auto& sig : a.signatures) {
    w.Put(ix::kByAgent, ix::IdSeqKey(sig.agent_id, meta.seq), ix::KindIdValue(RecordKind::kAssertion, id));
  }
  if (a.parent_hash) w.Put(ix::kChildren, ix::IdPairKey(*a.parent_hash, id), "");
  if (a.source_hash) w.Put(ix::kBySource, ix::IdSeqKey(*a.source_hash, meta.seq), id_value);

  const core::PublicKey& author = a.signatures.front().agent_id;
  auto agg = LoadOr<ix::AgentAggregate>(kv_, ix::kAggregates, ix::AgentAggregateKey(author), &ix::DecodeAgentAggregate);
  if (!agg.ok()) return agg.status();
  ++agg->assertions;
  w.Put(ix::kAggregates, ix::AgentAggregateKey(author), ix::Encode(*agg));
  InvalidateTrust(author);
  STEMEDB_RETURN_IF_ERROR(BumpGlobal(w, 1, 0, 0, 0));
  InvalidateCandidates(a);
  return Outcome(id, WriteStatus::kCreated, meta);
}

Result<WriteOutcome> Applier::ApplyVote(TieredKv::WriteScope& w, const core::Vote& v, const core::Hash32& id,
                                        const StoredMeta& meta, std::string_view body) {
  auto existing = kv_.Get(ix::kRecords, ix::RecordKey(RecordKind::kVote, id));
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    auto value = DecodeRecordValue(**existing);
    if (!value.ok()) return value.status();
    return Outcome(id, WriteStatus::kExists, value->meta);
  }
  PutRecord(w, RecordKind::kVote, id, meta, body);
  w.Put(ix::kVotesByAssertion, ix::IdSeqKey(v.assertion_hash, meta.seq), ix::IdPrefix(id));
  w.Put(ix::kByAgent, ix::IdSeqKey(v.agent_id, meta.seq), ix::KindIdValue(RecordKind::kVote, id));

  // Who the vote is about: the assertion's author, unless the voter signed it (then it is
  // stored and never counted). The write path refuses votes on unknown assertions; one missing
  // here would be an invariant broken, so it is stored uncounted rather than guessed at.
  auto target = kv_.Get(ix::kRecords, ix::RecordKey(RecordKind::kAssertion, v.assertion_hash));
  if (!target.ok()) return target.status();
  std::optional<core::PublicKey> author;
  std::optional<core::Assertion> voted_on;
  uint64_t voted_on_seq = 0;
  bool counted = false;
  if (target->has_value()) {
    auto value = DecodeRecordValue(**target);
    if (!value.ok()) return value.status();
    auto decoded = core::DecodeStored(RecordKind::kAssertion, value->stored);
    if (!decoded.ok()) return decoded.status();
    voted_on = std::get<core::Assertion>(std::move(decoded).value());
    voted_on_seq = value->meta.seq;
    author = voted_on->signatures.front().agent_id;
    counted = !HasSigner(voted_on->signatures, v.agent_id);
  }

  const std::string voter_key = ix::AgentAggregateKey(v.agent_id);
  auto voter = LoadOr<ix::AgentAggregate>(kv_, ix::kAggregates, voter_key, &ix::DecodeAgentAggregate);
  if (!voter.ok()) return voter.status();
  ++voter->votes;

  const std::string effective_key = ix::IdPairKey(v.agent_id, v.assertion_hash);
  auto previous_value = kv_.Get(ix::kEffectiveVote, effective_key);
  if (!previous_value.ok()) return previous_value.status();
  std::optional<ix::EffectiveVote> previous;
  if (previous_value->has_value()) {
    auto decoded = ix::DecodeEffectiveVote(**previous_value);
    if (!decoded.ok()) return decoded.status();
    previous = *decoded;
  }
  if (!previous || ix::ReplacesEffectiveVote(*previous, v.timestamp, id)) {
    ix::EffectiveVote next{id, v.weight, v.timestamp, counted};
    w.Put(ix::kEffectiveVote, effective_key, ix::Encode(next));
    if (author) {
      const std::string author_key = ix::AgentAggregateKey(*author);
      auto assertion_agg = LoadOr<ix::VoteAggregate>(kv_, ix::kAggregates, ix::VoteAggregateKey(v.assertion_hash),
                                                     &ix::DecodeVoteAggregate);
      if (!assertion_agg.ok()) return assertion_agg.status();
      // The voter and the author share one aggregate when an agent votes on its own work.
      ix::AgentAggregate author_agg;
      if (author_key != voter_key) {
        auto loaded = LoadOr<ix::AgentAggregate>(kv_, ix::kAggregates, author_key, &ix::DecodeAgentAggregate);
        if (!loaded.ok()) return loaded.status();
        author_agg = *loaded;
      }
      ix::AgentAggregate& author_ref = author_key == voter_key ? *voter : author_agg;
      ix::ApplyEffectiveVoteChange(previous, next, *assertion_agg, author_ref);
      w.Put(ix::kAggregates, ix::VoteAggregateKey(v.assertion_hash), ix::Encode(*assertion_agg));
      PutCandidateEntry(w, *voted_on, v.assertion_hash, voted_on_seq, **target, *assertion_agg);
      if (author_key != voter_key) {
        w.Put(ix::kAggregates, author_key, ix::Encode(author_agg));
        InvalidateTrust(*author);
      }
    }
  }
  w.Put(ix::kAggregates, voter_key, ix::Encode(*voter));
  InvalidateTrust(v.agent_id);
  STEMEDB_RETURN_IF_ERROR(BumpGlobal(w, 0, 1, 0, 0));
  if (voted_on) InvalidateCandidates(*voted_on);
  return Outcome(id, WriteStatus::kCreated, meta);
}

Result<WriteOutcome> Applier::ApplyEpoch(TieredKv::WriteScope& w, const core::Epoch& e, const core::Hash32& id,
                                         const StoredMeta& meta, std::string_view body) {
  auto existing = kv_.Get(ix::kRecords, ix::RecordKey(RecordKind::kEpoch, id));
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return MergeSigners(w, RecordKind::kEpoch, e, id, meta, **existing);
  PutRecord(w, RecordKind::kEpoch, id, meta, body);
  for (const auto& sig : e.signatures) {
    w.Put(ix::kByAgent, ix::IdSeqKey(sig.agent_id, meta.seq), ix::KindIdValue(RecordKind::kEpoch, id));
  }
  if (e.supersedes) {
    w.Put(ix::kSupersededBy, ix::IdPairKey(*e.supersedes, id),
          std::string(core::SupersessionTypeName(e.supersession_type.value_or(core::SupersessionType::kReplaces))));
  }
  catalog_.AddEpoch(id, e.supersedes);
  STEMEDB_RETURN_IF_ERROR(BumpGlobal(w, 0, 0, 1, 0));
  return Outcome(id, WriteStatus::kCreated, meta);
}

Result<WriteOutcome> Applier::ApplySource(TieredKv::WriteScope& w, const core::Source& /*source: stored as its body*/, const core::Hash32& id,
                                          const StoredMeta& meta, std::string_view body) {
  auto existing = kv_.Get(ix::kRecords, ix::RecordKey(RecordKind::kSource, id));
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    auto value = DecodeRecordValue(**existing);
    if (!value.ok()) return value.status();
    return Outcome(id, WriteStatus::kExists, value->meta);
  }
  PutRecord(w, RecordKind::kSource, id, meta, body);
  STEMEDB_RETURN_IF_ERROR(BumpGlobal(w, 0, 0, 0, 1));
  return Outcome(id, WriteStatus::kCreated, meta);
}

Result<WriteOutcome> Applier::ApplyRetraction(TieredKv::WriteScope& w, const core::SourceRetraction& r,
                                              const core::Hash32& id, const StoredMeta& meta, std::string_view body) {
  if (catalog_.IsRetracted(r.source_hash)) return Outcome(id, WriteStatus::kExists, meta);
  PutRecord(w, RecordKind::kSourceRetraction, id, meta, body);
  w.Put(ix::kState, "r" + ix::IdPrefix(r.source_hash), r.reason);
  catalog_.RetractSource(r.source_hash, r.reason);
  // Readers may keep the retraction flag in their cached candidates; a retraction can touch any
  // list, and is rare enough that starting the cache over costs nothing that matters.
  if (cache_) cache_->Clear();
  return Outcome(id, WriteStatus::kCreated, meta);
}

Result<WriteOutcome> Applier::ApplyServerRecord(TieredKv::WriteScope& w, const AnyRecord& record,
                                                const core::Hash32& id, const StoredMeta& meta) {
  const std::string body = EncodeBody(record);
  if (const auto* k = std::get_if<ApiKeyCreated>(&record)) {
    w.Put(ix::kState, "k" + k->key_id, body);
    catalog_.AddApiKey(*k);
  } else if (const auto* r = std::get_if<ApiKeyRevoked>(&record)) {
    auto key = catalog_.FindApiKey(r->key_id);
    if (key) {
      w.Put(ix::kState, "x" + r->key_id, body);
      catalog_.RevokeApiKey(r->key_id);
    }
  } else if (const auto* t = std::get_if<TrustOverride>(&record)) {
    w.Put(ix::kState, "t" + ix::IdPrefix(t->agent), body);
    catalog_.SetTrustOverride(*t);
  }
  return Outcome(id, WriteStatus::kCreated, meta);
}

}  // namespace stemedb::storage

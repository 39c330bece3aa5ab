#pragma once
// The apply step: turns one durable record into the key/value entries of every index and
// aggregate (index/column_families.h), in log order, on the journal's writer thread. Replay at
// start-up runs the same code, so the store after a crash is the store before it.
//
// Reads it needs (does the record exist, the previous effective vote, aggregates) go through
// the same TieredKv, so they see every earlier record, including ones earlier in this batch.

#include <optional>

#include "stemedb/core/record_kind.h"
#include "stemedb/ground/status.h"
#include "stemedb/index/aggregates.h"
#include "stemedb/storage/candidate_cache.h"
#include "stemedb/storage/catalog.h"
#include "stemedb/storage/id_filter.h"
#include "stemedb/storage/server_records.h"
#include "stemedb/storage/stored.h"
#include "stemedb/storage/tiered_kv.h"
#include "stemedb/storage/trust_cache.h"

namespace stemedb::storage {

class Applier {
 public:
  // `cache` (may be null) is told of every record that changes a candidate list, `trust` (may be
  // null) of every agent whose aggregate changes, `ids` (may be null) of every new assertion
  // and asked before the store is searched for one.
  Applier(TieredKv& kv, Catalog& catalog, CandidateCache* cache, TrustCache* trust, IdFilter* ids)
      : kv_(kv), catalog_(catalog), cache_(cache), trust_(trust), ids_(ids) {}

  // Applies `record` (id precomputed) at `meta`; the caller holds `scope` and advances it.
  // `body` is the record's encoding as the WAL holds it (EncodeBody), stored as it is.
  Result<WriteOutcome> Apply(TieredKv::WriteScope& scope, const AnyRecord& record, const core::Hash32& id,
                             const StoredMeta& meta, std::string_view body);

 private:
  Result<WriteOutcome> ApplyAssertion(TieredKv::WriteScope& w, const core::Assertion& a, const core::Hash32& id,
                                      const StoredMeta& meta, std::string_view body);
  Result<WriteOutcome> ApplyVote(TieredKv::WriteScope& w, const core::Vote& v, const core::Hash32& id,
                                 const StoredMeta& meta, std::string_view body);
  Result<WriteOutcome> ApplyEpoch(TieredKv::WriteScope& w, const core::Epoch& e, const core::Hash32& id,
                                  const StoredMeta& meta, std::string_view body);
  Result<WriteOutcome> ApplySource(TieredKv::WriteScope& w, const core::Source& s, const core::Hash32& id,
                                   const StoredMeta& meta, std::string_view body);
  Result<WriteOutcome> ApplyRetraction(TieredKv::WriteScope& w, const core::SourceRetraction& r,
                                       const core::Hash32& id, const StoredMeta& meta, std::string_view body);
  Result<WriteOutcome> ApplyServerRecord(TieredKv::WriteScope& w, const AnyRecord& r, const core::Hash32& id,
                                         const StoredMeta& meta);

  // Co-signing: signers not yet on the stored record are added (up to kStoredSignersMax).
  template <typename R>
  Result<WriteOutcome> MergeSigners(TieredKv::WriteScope& w, core::RecordKind kind, const R& incoming,
                                    const core::Hash32& id, const StoredMeta& meta, std::string_view stored_value);

  void PutRecord(TieredKv::WriteScope& w, core::RecordKind kind, const core::Hash32& id, const StoredMeta& meta,
                 std::string_view stored);
  void PutRecordValue(TieredKv::WriteScope& w, core::RecordKind kind, const core::Hash32& id, uint64_t seq,
                      std::string_view record_value);
  // The assertion's by_subject_predicate entry (index/candidate_entry.h), written again whenever
  // its record value or its vote aggregate changes.
  void PutCandidateEntry(TieredKv::WriteScope& w, const core::Assertion& a, const core::Hash32& id, uint64_t seq,
                         std::string_view record_value, const index::VoteAggregate& votes);
  Status BumpGlobal(TieredKv::WriteScope& w, uint64_t assertions, uint64_t votes, uint64_t epochs, uint64_t sources);

  void InvalidateCandidates(const core::Assertion& a);
  // After the agent's aggregate is written (trust_cache.h says why the order matters).
  void InvalidateTrust(const core::PublicKey& agent) {
    if (trust_) trust_->Invalidate(agent);
  }

  TieredKv& kv_;
  Catalog& catalog_;
  CandidateCache* cache_;
  TrustCache* trust_;
  IdFilter* ids_;
  std::optional<index::GlobalCounts> global_;  // the stored counts, once read (BumpGlobal)
};

// records column family values: u64le seq | u64le ingested_at_ms | stored record.
std::string EncodeRecordValue(const StoredMeta& meta, std::string_view stored);
struct RecordValue {
  StoredMeta meta;
  std::string_view stored;
};
Result<RecordValue> DecodeRecordValue(std::string_view value);

}  // namespace stemedb::storage

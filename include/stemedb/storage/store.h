#pragma once
// The store: the WAL journal (the truth), the tiered key/value layer (memory tier + RocksDB)
// with its indexes, and the in-memory catalog, behind one object.
//
// Write path: Write() answers records that are stored already, unchanged, from the store;
// it encodes the others and appends them to the journal; once the batch is durable, the
// journal's writer thread applies each record in log order (Applier) and only then calls back,
// so a reader that starts after the callback sees the write.
// Start-up: open the journal (recovery), open RocksDB, load the catalog, replay the WAL from
// the RocksDB tier's applied offset, start the journal.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "stemedb/ground/env.h"
#include "stemedb/ground/status.h"
#include "stemedb/index/aggregates.h"
#include "stemedb/ops/metrics.h"
#include "stemedb/storage/candidate_cache.h"
#include "stemedb/storage/catalog.h"
#include "stemedb/storage/term_history.h"
#include "stemedb/storage/id_filter.h"
#include "stemedb/storage/server_records.h"
#include "stemedb/storage/stored.h"
#include "stemedb/storage/tier.h"
#include "stemedb/storage/tiered_kv.h"
#include "stemedb/storage/trust_cache.h"
#include "stemedb/wal/journal.h"

namespace stemedb::storage {

struct StoreOptions {
  std::string data_dir;  // RocksDB lives in <data_dir>/rocksdb
  wal::JournalOptions journal;
  TieredKvOptions kv;
  size_t block_cache_bytes = 128u << 20;
  size_t candidate_cache_bytes = 384u << 20;
  // Agents whose trust is kept in memory (trust_cache.h): about 80 bytes each.
  size_t trust_cache_entries = 256u << 10;
  // Tests wrap the RocksDB tier (fault injection); nullptr: the tier as opened.
  std::function<std::unique_ptr<Tier>(std::unique_ptr<Tier>)> wrap_tier;
};

// A record to write with its id, computed by the caller (who verified its signatures).
struct PendingWrite {
  AnyRecord record;
  core::Hash32 id{};
  // The write check found no stored record with this id (CheckAssertion's `absent`), so Write
  // does not look it up again before the append; a copy that lands in between is still caught
  // by the apply step, as one in flight from another request is.
  bool checked_absent = false;
};

// Called on the journal's writer thread once the records are durable and applied (or the write
// failed); keep it short: post the reply and return.
using WriteCallback = std::function<void(const Status&, std::vector<WriteOutcome>)>;

// What a feed entry and a log position look like.
struct LogEntry {
  uint64_t seq;
  core::RecordKind kind;
  core::Hash32 id;
};

struct AgentSummary {
  index::AgentAggregate votes_on_its_work;
  double trust = 0.5;
  bool trust_overridden = false;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(StoreOptions options, ops::Registry& metrics);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Flushes the memory tier into RocksDB, closes the journal. Idempotent.
  Status Close();

  // ---- writes ----
  // Never blocks on the disk. Refused at once (callback before return) when the journal is
  // failed or full, RocksDB's disk is full (kDiskFull), or the memory tier is over its bound
  // (kOverloaded, "storage_degraded").
  void Write(std::vector<PendingWrite> writes, WriteCallback callback);
  // A standby's write: the primary's records, appended to the WAL verbatim
  // (Journal::AppendReplicated) and, once durable, applied in log order as Replay applies them.
  // The callback runs on the journal's writer thread, after the apply.
  void WriteReplicated(std::shared_ptr<const wal::ReplicatedRecords> records,
                       std::function<void(const Status&)> callback);
  // Called after every applied batch (on the writer thread) with the last seq applied; the
  // feed's followers wake on it. One listener; set before serving.
  void SetApplyListener(std::function<void(uint64_t last_seq)> listener);

  // ---- reads (any thread) ----
  Result<std::optional<StoredAssertion>> GetAssertion(const core::Hash32& id);
  // False only when no assertion with this id is stored (id_filter.h): a look-up of it would
  // find nothing, so the caller may skip it.
  bool MayHoldAssertion(const core::Hash32& id) const { return id_filter_->MayContain(id); }
  // The id filter's start-up scan has finished: from now on it answers for every stored id.
  bool id_filter_complete() const { return id_filter_->complete(); }
  Result<std::optional<StoredVote>> GetVote(const core::Hash32& id);
  Result<std::optional<StoredEpoch>> GetEpoch(const core::Hash32& id);
  Result<std::optional<StoredSource>> GetSource(const core::Hash32& id);
  // Assertion ids for subject+predicate in log order, at most `limit`, from seq > after_seq.
  Result<std::vector<core::Hash32>> AssertionsFor(std::string_view subject, std::string_view predicate,
                                                  size_t limit, uint64_t after_seq = 0);
  // The predicates a subject has, in byte order, at most `limit`, after `after` (exclusive).
  Result<std::vector<std::string>> PredicatesOf(std::string_view subject, size_t limit, std::string_view after = "");
  // The subjects starting with `prefix`, in byte order, at most `limit`, after `after`
  // (exclusive). One seek per subject, whatever its number of predicates.
  Result<std::vector<std::string>> SubjectsWithPrefix(std::string_view prefix, size_t limit, std::string_view after = "");
  // How many assertions subject+predicate has, counting at most `count_max` (a bound on the
  // entries read: the caller says "at least" when the answer is count_max).
  Result<size_t> CountAssertionsFor(std::string_view subject, std::string_view predicate, size_t count_max);
  Result<std::vector<core::Hash32>> ChildrenOf(const core::Hash32& parent, size_t limit);
  // The epochs that supersede `epoch`, in id order after `after` (exclusive), at most `limit`
  // (Catalog::Epoch says how many there are).
  Result<std::vector<core::Hash32>> SupersededBy(const core::Hash32& epoch, size_t limit,
                                                 const std::optional<core::Hash32>& after);
  Result<std::vector<core::Hash32>> VotesOn(const core::Hash32& assertion, size_t limit);
  // Log entries with seq > after_seq, at most limit.
  Result<std::vector<LogEntry>> LogAfter(uint64_t after_seq, size_t limit);
  // Record ids of a kind in id order after `after` (exclusive): listing epochs and sources.
  Result<std::vector<core::Hash32>> ListIds(core::RecordKind kind, size_t limit, const std::optional<core::Hash32>& after);
  // Every assertion of subject+predicate (log order) with its votes, turned into the reader's
  // own form by `builder` on a cache miss, from the candidate cache on a hit; when more than
  // `limit` exist, only that fact (the reader streams them: CandidateRecordsAfter).
  struct CandidateRecord {
    StoredAssertion assertion;
    index::VoteAggregate votes;
  };
  struct BuiltCandidates {
    std::shared_ptr<const void> value;
    size_t bytes = 0;  // what `value` holds in memory, roughly: the cache's budget counts it
  };
  struct CandidateBuilder {
    // One address per kind of value: a cached value is handed only to a builder of its kind.
    const void* kind;
    std::function<BuiltCandidates(std::vector<CandidateRecord>&&)> build;
  };
  struct Candidates {
    std::shared_ptr<const void> value;  // of builder.kind's type; null when truncated
    bool truncated = false;             // more than `limit` exist: nothing built, nothing cached
  };
  Result<Candidates> CandidatesFor(std::string_view subject, std::string_view predicate, size_t limit,
                                   const CandidateBuilder& builder);
  // How many candidates a cached value of `kind` holds for subject+predicate, 0 when none is
  // cached: lets a reader tell a cheap resolution from one that must scan the store first.
  size_t CachedCandidates(std::string_view subject, std::string_view predicate, const void* kind);
  // The candidate records of subject+predicate with seq > after_seq, in log order, at most
  // `limit`, never cached: how a pair too large for the candidate cache is read, one chunk at
  // a time, so a reader never holds more than a chunk of decoded records.
  Result<std::vector<CandidateRecord>> CandidateRecordsAfter(std::string_view subject, std::string_view predicate,
                                                             uint64_t after_seq, size_t limit);
  Result<index::VoteAggregate> VoteSummary(const core::Hash32& assertion);
  Result<AgentSummary> Agent(const core::PublicKey& agent);
  Result<double> Trust(const core::PublicKey& agent);
  Result<index::GlobalCounts> Counts();

  const Catalog& catalog() const { return catalog_; }
  // Where each leadership term begins in this node's log (replication's fork check).
  const TermHistory& terms() const { return terms_; }
  // The file-system seam every file of this store goes through (options.journal.env, or the
  // default PosixEnv): the daemon writes its other files (root.key, checkpoints) through it too.
  Env& env() const { return *env_; }
  wal::Journal& journal() { return *journal_; }
  TieredKv& kv() { return *kv_; }
  uint64_t last_applied_seq() const;
  // The tier fails and the memory tier is full, or the apply step failed: not taking writes.
  bool degraded() const { return apply_failed_.load() || kv_->degraded(); }
  // The WAL's disk or RocksDB's is full: writes are refused (kDiskFull) until space is freed;
  // they resume by themselves (the journal's space probe, the flusher's retried flush).
  bool disk_full() const;

 private:
  Store() = default;
  Status LoadCatalog();
  Status Replay(uint64_t from_offset);
  // One record of the log, decoded and applied at its own seq and offset (replay, and a
  // standby's replicated records).
  Status ApplyLogRecord(TieredKv::WriteScope& scope, const wal::RecordView& v);
  // A term_started record at `start_offset`: remembered (the history) and kept in the state
  // column family, so the history survives a restart without reading the WAL from its start.
  void NoteTerm(TieredKv::WriteScope& scope, const AnyRecord& record, uint64_t start_offset);
  // A durable record could not be applied: the store refuses writes from now on (until a
  // restart replays the WAL). Returns the 503 storage_unavailable to answer with.
  Status FailApply(uint64_t seq, const Status& cause);
  // The id filter's start-up scan: every stored assertion's id, from the by_seq index, on its
  // own thread; Close stops it.
  void StartIdFilterScan();
  Status ScanStoredAssertionIds();
  Status ApplyDurable(const std::vector<PendingWrite>& writes, const wal::AppendResult& r,
                      std::vector<WriteOutcome>& outcomes);
  template <typename R>
  Result<std::optional<Stored<R>>> GetRecord(core::RecordKind kind, const core::Hash32& id);
  // `exists` with the stored record's seq and time when `w` is stored already with every signer
  // it brings (so applying it would change nothing); nullopt when it must be appended.
  Result<std::optional<WriteOutcome>> StoredUnchanged(const PendingWrite& w);
  template <typename R>
  Result<std::optional<WriteOutcome>> Unchanged(core::RecordKind kind, const R& incoming, const core::Hash32& id);

  Env* env_ = nullptr;
  std::unique_ptr<wal::Journal> journal_;
  std::unique_ptr<TieredKv> kv_;
  Catalog catalog_;
  TermHistory terms_;
  std::unique_ptr<CandidateCache> cache_;
  std::unique_ptr<TrustCache> trust_cache_;
  std::unique_ptr<IdFilter> id_filter_;
  std::thread id_filter_scan_;
  std::atomic<bool> stopping_{false};  // tells the id filter's scan to stop
  std::unique_ptr<class Applier> applier_;
  std::function<void(uint64_t)> apply_listener_;
  std::atomic<bool> closed_{false};
  std::atomic<bool> apply_failed_{false};
  struct Metrics;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace stemedb::storage

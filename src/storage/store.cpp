#include "stemedb/storage/store.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>

#include "applier.h"
#include "stemedb/core/stored_record.h"
#include "stemedb/index/column_families.h"
#include "stemedb/index/keys.h"
#include "stemedb/storage/rocks_tier.h"

namespace stemedb::storage {

namespace ix = stemedb::index;

struct Store::Metrics {
  explicit Metrics(ops::Registry& r)
      : apply_errors(r.AddCounter("stemedb_storage_apply_errors_total",
                                  "Durable records the apply step could not apply (the store refuses writes until restart).")),
        replayed(r.AddCounter("stemedb_storage_replayed_records_total", "WAL records replayed into the store at start-up.")),
        replay_seconds(r.AddGauge("stemedb_storage_replay_duration_seconds", "Time the last start-up spent replaying the WAL.")) {}
  ops::Counter& apply_errors;
  ops::Counter& replayed;
  ops::Gauge& replay_seconds;
};

namespace {

std::vector<std::string> CfNames() {
  return {ix::kCfNames.begin(), ix::kCfNames.end()};
}

// The outcomes in request order: `known` where set, the gaps filled from `applied` in order.
std::vector<WriteOutcome> InOrder(const std::vector<std::optional<WriteOutcome>>& known,
                                  const std::vector<WriteOutcome>& applied) {
  std::vector<WriteOutcome> out;
  out.reserve(known.size());
  size_t next = 0;
  for (const auto& k : known) out.push_back(k ? *k : applied[next++]);
  return out;
}

// Every key of [start, end) of a column family in order, in pages of kScanPageKeys: a
// TieredKv scan holds what it returns in memory, so an unbounded set is read a page at a time.
// `fn` returns false to stop.
Status ForEachKey(TieredKv& kv, ix::Cf cf, std::string start, const std::string& end,
                  const std::function<bool(std::string_view key)>& fn) {
  constexpr size_t kScanPageKeys = 4096;
  for (;;) {
    size_t keys = 0;
    bool stopped = false;
    std::string last;
    STEMEDB_RETURN_IF_ERROR(kv.Scan(cf, start, end, kScanPageKeys, [&](std::string_view key, std::string_view) {
      ++keys;
      last.assign(key);
      stopped = !fn(key);
      return !stopped;
    }));
    if (stopped || keys < kScanPageKeys) return Status::OK();
    start = last + std::string(1, '\0');  // the first key after `last`
  }
}

}  // namespace

Store::~Store() { (void)Close(); }

Result<std::unique_ptr<Store>> Store::Open(StoreOptions options, ops::Registry& metrics) {
  std::unique_ptr<Store> store(new Store());
  store->metrics_ = std::make_unique<Metrics>(metrics);
  store->env_ = options.journal.env != nullptr ? options.journal.env : Env::Default();
  STEMEDB_RETURN_IF_ERROR(store->env_->CreateDirs(options.data_dir));

  auto journal = wal::Journal::Open(options.journal, metrics);
  if (!journal.ok()) return journal.status();
  store->journal_ = std::move(journal).value();

  auto tier = OpenRocksTier({.dir = options.data_dir + "/rocksdb",
                             .column_families = CfNames(),
                             .block_cache_bytes = options.block_cache_bytes,
                             .pair_scanned_families = {std::string(ix::kCfNames[ix::kBySubjectPredicate])}});
  if (!tier.ok()) return tier.status();
  std::unique_ptr<Tier> t = std::move(tier).value();
  if (options.wrap_tier) t = options.wrap_tier(std::move(t));
  store->kv_ = std::make_unique<TieredKv>(std::move(t), options.kv, metrics);
  auto position = store->kv_->Open();
  if (!position.ok()) return position.status();

  // The WAL must reach at least as far as RocksDB: otherwise segments are missing (a restore
  // without its WAL range, a wiped WAL dir) and new records would reuse offsets and seqs.
  const auto& j = *store->journal_;
  if (j.head_offset() < position->offset || j.last_seq() < position->seq) {
    return Status::FailedPrecondition(
        "WAL in " + options.journal.dir + " ends at offset " + std::to_string(j.head_offset()) + " (seq " +
        std::to_string(j.last_seq()) + ") but RocksDB in " + options.data_dir + "/rocksdb has applied up to offset " +
        std::to_string(position->offset) + " (seq " + std::to_string(position->seq) +
        "): WAL segments are missing; restore them (see docs/operations/runbooks/server-wont-start.md)");
  }
  store->cache_ = std::make_unique<CandidateCache>(options.candidate_cache_bytes, metrics);
  store->trust_cache_ = std::make_unique<TrustCache>(options.trust_cache_entries, metrics);
  store->id_filter_ = std::make_unique<IdFilter>();
  store->applier_ = std::make_unique<Applier>(*store->kv_, store->catalog_, store->cache_.get(),
                                              store->trust_cache_.get(), store->id_filter_.get());
  STEMEDB_RETURN_IF_ERROR(store->LoadCatalog());
  // Before replay, so the scan's snapshot and the replayed records' own additions together
  // cover every stored id (the apply step adds each new one).
  store->StartIdFilterScan();
  STEMEDB_RETURN_IF_ERROR(store->Replay(position->offset));
  store->journal_->Start();

  metrics.AddCollector([s = store.get()](ops::ExpositionWriter& w) {
    auto counts = s->Counts();
    if (!counts.ok()) return;
    auto emit = [&w](const char* name, const char* help, uint64_t v) {
      w.Header(name, ops::MetricType::kCounter, help);
      w.Sample(name, static_cast<double>(v));
    };
    emit("stemedb_assertions_total", "Assertions stored.", counts->assertions);
    emit("stemedb_votes_total", "Votes stored.", counts->votes);
    emit("stemedb_epochs_total", "Epochs stored.", counts->epochs);
    emit("stemedb_sources_total", "Sources registered.", counts->sources);
  });
  return store;
}

Status Store::LoadCatalog() {
  Status decode_error;
  auto state_fn = [&](std::string_view key, std::string_view value) {
    if (key.empty()) return true;
    const char tag = key[0];
    if (tag == 'r' && key.size() == 33) {
      catalog_.RetractSource(ix::TrailingId(key), std::string(value));
      return true;
    }
    if (tag == 'T' && key.size() == 9 && value.size() > 8) {
      uint64_t offset = 0;
      std::memcpy(&offset, value.data(), 8);
      auto term = DecodeBody(kTermStartedWalType, value.substr(8));
      if (!term.ok() || !std::holds_alternative<TermStarted>(*term)) {
        decode_error = Status::Corruption("term_started state entry: " + term.status().ToString());
        return false;
      }
      const auto& t = std::get<TermStarted>(*term);
      terms_.Add({t.term, offset, t.leader});
      return true;
    }
    uint8_t type = tag == 'k' ? 6 : tag == 'x' ? 7 : tag == 't' ? 8 : 0;
    if (type == 0) return true;
    auto record = DecodeBody(type, value);
    if (!record.ok()) {
      decode_error = record.status();
      return false;
    }
    if (auto* k = std::get_if<ApiKeyCreated>(&*record)) catalog_.AddApiKey(*k);
    if (auto* r = std::get_if<ApiKeyRevoked>(&*record)) catalog_.RevokeApiKey(r->key_id);
    if (auto* t = std::get_if<TrustOverride>(&*record)) catalog_.SetTrustOverride(*t);
    return true;
  };
  // Keys created ('k') sort before revocations ('x'), so a revocation finds its key.
  STEMEDB_RETURN_IF_ERROR(kv_->Scan(ix::kState, "", "", SIZE_MAX, state_fn));
  STEMEDB_RETURN_IF_ERROR(decode_error);

  // Every epoch, however many (catalog.h says what each costs in memory). Keys only: the links
  // from the superseded_by index (superseded epoch, superseding epoch), then the ids from the
  // records, so no epoch record is decoded at start-up.
  STEMEDB_RETURN_IF_ERROR(ForEachKey(*kv_, ix::kSupersededBy, "", "", [&](std::string_view key) {
    if (key.size() != 2 * sizeof(core::Hash32)) {
      decode_error = Status::Corruption("superseded_by key of " + std::to_string(key.size()) + " bytes");
      return false;
    }
    catalog_.AddEpoch(ix::TrailingId(key), ix::TrailingId(key.substr(0, sizeof(core::Hash32))));
    return true;
  }));
  STEMEDB_RETURN_IF_ERROR(decode_error);
  const std::string epoch_prefix(1, static_cast<char>(core::RecordKind::kEpoch));
  STEMEDB_RETURN_IF_ERROR(ForEachKey(*kv_, ix::kRecords, epoch_prefix, ix::PrefixEnd(epoch_prefix), [&](std::string_view key) {
    catalog_.AddEpoch(ix::TrailingId(key), std::nullopt);
    return true;
  }));
  spdlog::info("catalog: {} epochs loaded ({} bytes in memory)", catalog_.epochs(), catalog_.EpochBytes());
  return Status::OK();
}

Status Store::Replay(uint64_t from_offset) {
  const auto start = std::chrono::steady_clock::now();
  uint64_t records = 0;
  Status s = journal_->Replay(from_offset, [&](const wal::RecordView& v) -> Status {
    TieredKv::WriteScope scope(*kv_);
    STEMEDB_RETURN_IF_ERROR(ApplyLogRecord(scope, v));
    ++records;
    return Status::OK();
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_->replayed.Inc(static_cast<double>(records));
  metrics_->replay_seconds.Set(seconds);
  if (!s.ok()) return s;
  spdlog::info("replayed {} WAL records from offset {} in {:.3f} s", records, from_offset, seconds);
  return Status::OK();
}

Status Store::ApplyLogRecord(TieredKv::WriteScope& scope, const wal::RecordView& v) {
  auto record = DecodeBody(v.type, v.body);
  if (!record.ok()) {
    return Status::Corruption("WAL record at offset " + std::to_string(v.offset) + " (seq " + std::to_string(v.seq) +
                              "): " + record.status().message());
  }
  auto outcome = applier_->Apply(scope, *record, RecordId(*record), {v.seq, v.ingested_at_ms}, v.body);
  if (!outcome.ok()) return outcome.status();
  NoteTerm(scope, *record, v.offset);
  scope.Advance({v.end_offset, v.seq});
  return Status::OK();
}

void Store::StartIdFilterScan() {
  id_filter_scan_ = std::thread([this] {
    const auto start = std::chrono::steady_clock::now();
    Status s = ScanStoredAssertionIds();
    if (!s.ok()) {
      // The filter stays incomplete: every look-up goes to the store, as before it existed.
      if (!stopping_.load()) spdlog::error("id filter: start-up scan failed, writes look ids up in the store: {}", s.ToString());
      return;
    }
    id_filter_->MarkComplete();
    spdlog::info("id filter: {} assertion ids in {:.3f} s ({} bytes)", id_filter_->ids(),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), id_filter_->bytes());
  });
}

Status Store::ScanStoredAssertionIds() {
  // by_seq holds a record's kind and id in 41 bytes, where the records themselves take ~600.
  constexpr size_t kPageEntries = 4096;
  std::string start;
  for (;;) {
    if (stopping_.load()) return Status::Unavailable("the store is closing");
    size_t entries = 0;
    std::string last;
    Status decode;
    STEMEDB_RETURN_IF_ERROR(kv_->Scan(ix::kBySeq, start, "", kPageEntries, [&](std::string_view key, std::string_view value) {
      ++entries;
      last.assign(key);
      auto kind_id = ix::DecodeKindIdValue(value);
      if (!kind_id.ok()) {
        decode = kind_id.status();
        return false;
      }
      if (kind_id->kind == core::RecordKind::kAssertion) id_filter_->Add(kind_id->id);
      return true;
    }));
    STEMEDB_RETURN_IF_ERROR(decode);
    if (entries < kPageEntries) return Status::OK();
    start = last + std::string(1, '\0');  // the first key after `last`
  }
}

Status Store::Close() {
  if (closed_.exchange(true)) return Status::OK();
  stopping_.store(true);
  if (id_filter_scan_.joinable()) id_filter_scan_.join();
  if (journal_) journal_->Close();  // finishes queued batches: their callbacks apply them
  Status s = kv_ ? kv_->Close() : Status::OK();
  if (!s.ok()) spdlog::error("closing the store: {}", s.ToString());
  return s;
}

void Store::SetApplyListener(std::function<void(uint64_t)> listener) { apply_listener_ = std::move(listener); }

bool Store::disk_full() const {
  return journal_->state() == wal::JournalState::kDiskFull || kv_->disk_full();
}

uint64_t Store::last_applied_seq() const { return kv_->applied_position().seq; }

void Store::Write(std::vector<PendingWrite> writes, WriteCallback callback) {
  if (apply_failed_.load()) {
    return callback(Status::Unavailable("storage_unavailable: the apply step failed; restart the node to replay the WAL"), {});
  }
  if (Status full = kv_->disk_full_error(); !full.ok()) {
    return callback(Status::DiskFull("disk_full: the RocksDB disk is full (" + full.message() +
                                     "); writes resume once a flush succeeds", full.sys_errno()), {});
  }
  if (kv_->degraded() || kv_->over_memory_bound()) {
    return callback(Status::Overloaded("storage_degraded: the memory tier is full while RocksDB catches up"), {});
  }
  // A record stored already with all its signers changes nothing: it is answered from the store
  // and not appended (architecture.md: duplicates are found before the append). Being applied,
  // it is durable. A duplicate still in flight from another request is caught by the apply step.
  std::vector<std::optional<WriteOutcome>> known(writes.size());
  auto pending = std::make_shared<std::vector<PendingWrite>>();
  for (size_t i = 0; i < writes.size(); ++i) {
    if (writes[i].checked_absent) {
      pending->push_back(std::move(writes[i]));
      continue;
    }
    auto unchanged = StoredUnchanged(writes[i]);
    if (!unchanged.ok()) return callback(unchanged.status(), {});
    known[i] = *unchanged;
    if (known[i]) known[i]->position = kv_->applied_position().offset;
    if (!known[i]) pending->push_back(std::move(writes[i]));
  }
  if (pending->empty()) return callback(Status::OK(), InOrder(known, {}));
  std::vector<wal::Entry> entries;
  entries.reserve(pending->size());
  for (const auto& w : *pending) entries.push_back({WalType(w.record), EncodeBody(w.record)});
  journal_->Append(std::move(entries), [this, pending, known = std::move(known), callback](
                                           const Status& status, const wal::AppendResult& r) {
    if (!status.ok()) return callback(status, {});
    std::vector<WriteOutcome> applied;
    applied.reserve(pending->size());
    Status apply_status = ApplyDurable(*pending, r, applied);
    if (!apply_status.ok()) return callback(apply_status, {});
    if (apply_listener_) apply_listener_(r.first_seq + pending->size() - 1);
    callback(Status::OK(), InOrder(known, applied));
  });
}

void Store::WriteReplicated(std::shared_ptr<const wal::ReplicatedRecords> records,
                            std::function<void(const Status&)> callback) {
  if (apply_failed_.load()) {
    return callback(Status::Unavailable("storage_unavailable: the apply step failed; restart the node to replay the WAL"));
  }
  journal_->AppendReplicated(records, [this, records, callback](const Status& status, const wal::AppendResult&) {
    if (!status.ok()) return callback(status);
    if (apply_failed_.load()) return callback(Status::Unavailable("storage_unavailable: the apply step failed earlier"));
    {
      TieredKv::WriteScope scope(*kv_);
      for (const wal::RecordView& v : records->records) {
        Status applied = ApplyLogRecord(scope, v);
        if (!applied.ok()) return callback(FailApply(v.seq, applied));
      }
    }
    if (apply_listener_) apply_listener_(records->last_seq());
    callback(Status::OK());
  });
}

Status Store::FailApply(uint64_t seq, const Status& cause) {
  // Durable but not applied: reads would miss it. Refuse every later write so nothing is
  // applied out of order; a restart replays from the applied offset and repairs the store.
  apply_failed_.store(true);
  metrics_->apply_errors.Inc();
  spdlog::critical("apply failed at seq {}: {}; refusing writes until restart", seq, cause.ToString());
  return Status::Unavailable("storage_unavailable: " + cause.ToString());
}

void Store::NoteTerm(TieredKv::WriteScope& scope, const AnyRecord& record, uint64_t start_offset) {
  const auto* t = std::get_if<TermStarted>(&record);
  if (t == nullptr) return;
  std::string key = "T";
  for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>((t->term >> shift) & 0xff));
  std::string value(8, '\0');
  std::memcpy(value.data(), &start_offset, 8);
  value += EncodeBody(record);
  scope.Put(ix::kState, key, value);
  terms_.Add({t->term, start_offset, t->leader});
}

Status Store::ApplyDurable(const std::vector<PendingWrite>& writes, const wal::AppendResult& r,
                           std::vector<WriteOutcome>& outcomes) {
  if (apply_failed_.load()) return Status::Unavailable("storage_unavailable: the apply step failed earlier");
  TieredKv::WriteScope scope(*kv_);
  for (size_t i = 0; i < writes.size(); ++i) {
    const StoredMeta meta{r.first_seq + i, r.ingested_at_ms};
    auto outcome = applier_->Apply(scope, writes[i].record, writes[i].id, meta, r.bodies[i]);
    if (!outcome.ok()) return FailApply(meta.seq, outcome.status());
    NoteTerm(scope, writes[i].record, r.offsets[i]);
    const uint64_t end = i + 1 < writes.size() ? r.offsets[i + 1] : r.end_offset;
    outcomes.push_back(*outcome);
    outcomes.back().position = end;
    scope.Advance({end, meta.seq});
  }
  return Status::OK();
}

}  // namespace stemedb::storage

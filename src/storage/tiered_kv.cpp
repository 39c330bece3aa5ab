#include "stemedb/storage/tiered_kv.h"

#include <spdlog/spdlog.h>

#include <map>

namespace stemedb::storage {

struct TieredKv::Metrics {
  explicit Metrics(ops::Registry& r)
      : duration(r.HistogramFamily("stemedb_storage_operation_duration_seconds",
                                   "Storage operation latency by operation and tier.", {"operation", "tier"},
                                   ops::LatencyBucketsSeconds())),
        errors(r.CounterFamily("stemedb_storage_operation_errors_total",
                               "Storage operations that failed, by operation and tier.", {"operation", "tier"})),
        get_memory(duration.WithLabels({"get", "memory"})),
        get_rocksdb(duration.WithLabels({"get", "rocksdb"})),
        scan_rocksdb(duration.WithLabels({"scan", "rocksdb"})),
        write_rocksdb(duration.WithLabels({"write", "rocksdb"})),
        persist_rocksdb(duration.WithLabels({"persist", "rocksdb"})),
        flushes(r.AddCounter("stemedb_storage_flushes_total", "Memory tier flushes into RocksDB.")),
        applied_offset(r.AddGauge("stemedb_wal_applied_offset_bytes",
                                  "WAL offset durably applied to the RocksDB tier; replay after a crash starts here.")),
        degraded(r.AddGauge("stemedb_storage_degraded", "1 while the RocksDB tier fails and the memory tier is over its bound.")) {
    for (const char* op : {"get", "scan", "write", "persist"}) errors.WithLabels({op, "rocksdb"});
  }
  ops::Family<ops::Histogram>& duration;
  ops::Family<ops::Counter>& errors;
  ops::Histogram& get_memory;
  ops::Histogram& get_rocksdb;
  ops::Histogram& scan_rocksdb;
  ops::Histogram& write_rocksdb;
  ops::Histogram& persist_rocksdb;
  ops::Counter& flushes;
  ops::Gauge& applied_offset;
  ops::Gauge& degraded;
};

namespace {

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// The durable tier's figures (Tier::Stats) exported as gauges named stemedb_storage_<stat>, for
// the questions a full disk or a slow write path raises: how much is on disk, how much compaction
// is owed, how full the block cache is. A figure the tier does not report is left out.
const std::map<std::string, const char*, std::less<>> kTierGaugeHelp = {
    {"rocksdb_live_sst_bytes", "Bytes of RocksDB's live SST files, every column family."},
    {"rocksdb_memtable_bytes", "Bytes in RocksDB's memtables, every column family."},
    {"rocksdb_pending_compaction_bytes",
     "RocksDB's estimate of the bytes compaction must rewrite to bring every level within its target."},
    {"rocksdb_estimated_keys", "RocksDB's estimate of its keys, every column family."},
    {"block_cache_usage_bytes", "Bytes in RocksDB's block cache (pinned index and filter blocks included)."},
    {"block_cache_capacity_bytes", "The block cache's configured size (a quarter of storage.cache_mb)."},
};

void CollectTierGauges(const std::vector<std::pair<std::string, double>>& stats, ops::ExpositionWriter& w) {
  for (const auto& [stat, value] : stats) {
    auto help = kTierGaugeHelp.find(stat);
    if (help == kTierGaugeHelp.end()) continue;
    const std::string metric = "stemedb_storage_" + stat;
    w.Header(metric, ops::MetricType::kGauge, help->second);
    w.Sample(metric, value);
  }
}

}  // namespace

TieredKv::TieredKv(std::unique_ptr<Tier> tier, TieredKvOptions options, ops::Registry& metrics)
    : tier_(std::move(tier)),
      options_(options),
      active_(std::make_shared<MemTable>()),
      active_since_(std::chrono::steady_clock::now()),
      metrics_(std::make_unique<Metrics>(metrics)) {
  metrics.AddCollector([this](ops::ExpositionWriter& w) {
    w.Header("stemedb_storage_memory_tier_bytes", ops::MetricType::kGauge,
             "Bytes held by the memory tier (records not yet in RocksDB).");
    w.Sample("stemedb_storage_memory_tier_bytes", static_cast<double>(memory_bytes()));
    // The daemon stops its server before it closes the store, so no scrape reaches a closed tier.
    CollectTierGauges(tier_->Stats(), w);
  });
}

TieredKv::~TieredKv() {
  {
    std::lock_guard lock(flusher_mu_);
    stop_ = true;
  }
  flusher_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
}

Result<AppliedPosition> TieredKv::Open() {
  auto p = tier_->ReadAppliedPosition();
  if (!p.ok()) return p;
  {
    std::lock_guard lock(writer_mu_);
    position_ = *p;
    applied_offset_.store(p->offset);
    applied_seq_.store(p->seq);
  }
  {
    std::lock_guard lock(version_mu_);
    flushed_position_ = persisted_position_ = *p;
  }
  metrics_->applied_offset.Set(static_cast<double>(p->offset));
  flusher_ = std::thread([this] { FlusherLoop(); });
  return p;
}

Status TieredKv::Close() {
  Status s = FlushAndPersist();
  {
    std::lock_guard lock(flusher_mu_);
    stop_ = true;
  }
  flusher_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  tier_->Close();
  return s;
}

TieredKv::Snapshot TieredKv::Current() const {
  std::lock_guard lock(version_mu_);
  return {active_, imm_};
}

void TieredKv::AfterWrite() {
  if (active_->ApproximateBytes() < options_.memtable_bytes_flush) return;
  {
    std::lock_guard lock(flusher_mu_);
    flush_requested_ = true;
  }
  flusher_cv_.notify_one();
}

Result<std::optional<std::string>> TieredKv::Get(CfId cf, std::string_view key) {
  const auto start = std::chrono::steady_clock::now();
  Snapshot snap = Current();
  for (const auto& table : {snap.active, snap.imm}) {
    if (!table) continue;
    if (auto v = table->Get(cf, key)) {
      metrics_->get_memory.Observe(SecondsSince(start));
      return std::optional<std::string>(std::string(*v));
    }
  }
  auto r = tier_->Get(cf, key);
  metrics_->get_rocksdb.Observe(SecondsSince(start));
  if (!r.ok()) {
    metrics_->errors.WithLabels({"get", "rocksdb"}).Inc();
    return Status::Unavailable("storage_unavailable: " + r.status().ToString());
  }
  return r;
}

Status TieredKv::Scan(CfId cf, std::string_view start, std::string_view end, size_t limit, const ScanFn& fn) {
  // Each layer contributes at most `limit` keys from `start`; the first `limit` of their union
  // are the true first `limit`. Newer layers overwrite older values of the same key.
  Snapshot snap = Current();
  const auto t0 = std::chrono::steady_clock::now();
  // Most of a large range lives in RocksDB alone (the memory tier holds only what was written
  // since the last flush): then RocksDB's entries go to `fn` as they are read, with no copy.
  bool in_memory = false;
  for (const auto& table : {snap.imm, snap.active}) {
    if (table) table->Scan(cf, start, end, [&](std::string_view, std::string_view) { return !(in_memory = true); });
  }
  if (!in_memory) {
    size_t emitted = 0;
    Status s = tier_->Scan(cf, start, end, [&](std::string_view k, std::string_view v) {
      return emitted++ < limit && fn(k, v);
    });
    metrics_->scan_rocksdb.Observe(SecondsSince(t0));
    if (!s.ok()) {
      metrics_->errors.WithLabels({"scan", "rocksdb"}).Inc();
      return Status::Unavailable("storage_unavailable: " + s.ToString());
    }
    return Status::OK();
  }
  std::map<std::string, std::string, std::less<>> merged;
  size_t taken = 0;
  Status s = tier_->Scan(cf, start, end, [&](std::string_view k, std::string_view v) {
    merged.emplace(std::string(k), std::string(v));
    return ++taken < limit;
  });
  metrics_->scan_rocksdb.Observe(SecondsSince(t0));
  if (!s.ok()) {
    metrics_->errors.WithLabels({"scan", "rocksdb"}).Inc();
    return Status::Unavailable("storage_unavailable: " + s.ToString());
  }
  for (const auto& table : {snap.imm, snap.active}) {
    if (!table) continue;
    size_t n = 0;
    table->Scan(cf, start, end, [&](std::string_view k, std::string_view v) {
      merged.insert_or_assign(std::string(k), std::string(v));
      return ++n < limit;
    });
  }
  size_t emitted = 0;
  for (const auto& [k, v] : merged) {
    if (emitted++ >= limit || !fn(k, v)) break;
  }
  return Status::OK();
}

bool TieredKv::FlushOnce() {
  // Held through the RocksDB write and the reset below: a second flusher that took the same
  // table, and finished first, would otherwise let this one write it after a newer table, and
  // then reset the newer one (a lost update, seen as a global count one short).
  std::lock_guard flushing(flush_mu_);
  {
    // Waits for the writer to finish its current record, so the swapped table holds whole
    // records and the position that goes with them.
    std::lock_guard writer(writer_mu_);
    std::lock_guard version(version_mu_);
    if (!imm_ && !active_->empty()) {
      imm_ = active_;
      imm_position_ = position_;
      active_ = std::make_shared<MemTable>();
      active_since_ = std::chrono::steady_clock::now();
    }
  }
  std::shared_ptr<MemTable> imm;
  AppliedPosition position;
  {
    std::lock_guard lock(version_mu_);
    imm = imm_;
    position = imm_position_;
  }
  if (!imm) return true;
  const auto t0 = std::chrono::steady_clock::now();
  Status s = tier_->Write(*imm, position);
  metrics_->write_rocksdb.Observe(SecondsSince(t0));
  if (!s.ok()) {
    metrics_->errors.WithLabels({"write", "rocksdb"}).Inc();
    bool degraded = over_memory_bound();
    if (degraded && !degraded_.exchange(true)) {
      spdlog::error("storage degraded: RocksDB writes fail and the memory tier holds {} bytes: {}", memory_bytes(),
                    s.ToString());
    }
    metrics_->degraded.Set(degraded ? 1 : 0);
    spdlog::warn("RocksDB write failed, will retry: {}", s.ToString());
    NoteTierError(s);
    return false;
  }
  {
    std::lock_guard lock(version_mu_);
    imm_.reset();
    flushed_position_ = position;
  }
  metrics_->flushes.Inc();
  if (degraded_.exchange(false)) spdlog::info("storage recovered: RocksDB writes succeed again");
  metrics_->degraded.Set(0);
  return true;
}

void TieredKv::NoteTierError(const Status& s) {
  if (s.code() != StatusCode::kDiskFull) return;
  {
    std::lock_guard lock(disk_full_mu_);
    disk_full_error_ = s;
  }
  if (!disk_full_.exchange(true)) {
    spdlog::error("RocksDB disk full: {}; writes are refused (507 disk_full) until a flush succeeds", s.ToString());
  }
}

Status TieredKv::disk_full_error() const {
  std::lock_guard lock(disk_full_mu_);
  return disk_full_.load() ? disk_full_error_ : Status::OK();
}

Status TieredKv::PersistOnce() {
  // Under the flush lock as well: two persists that overlap (the flusher's, a checkpoint's)
  // could otherwise publish their positions out of order and move persisted_position_ back.
  std::lock_guard flushing(flush_mu_);
  const auto t0 = std::chrono::steady_clock::now();
  AppliedPosition flushed;
  {
    std::lock_guard lock(version_mu_);
    flushed = flushed_position_;
  }
  Status s = tier_->Persist();
  metrics_->persist_rocksdb.Observe(SecondsSince(t0));
  if (!s.ok()) {
    metrics_->errors.WithLabels({"persist", "rocksdb"}).Inc();
    // Retried every second while the disk is full: the first failure is logged, not each retry.
    if (disk_full() && s.code() == StatusCode::kDiskFull) {
      spdlog::debug("RocksDB flush failed again, will retry: {}", s.ToString());
    } else {
      spdlog::warn("RocksDB flush failed, will retry: {}", s.ToString());
    }
    NoteTierError(s);
    return s;
  }
  {
    std::lock_guard lock(version_mu_);
    persisted_position_ = flushed;
  }
  metrics_->applied_offset.Set(static_cast<double>(flushed.offset));
  if (disk_full_.exchange(false)) spdlog::info("RocksDB disk space is back: a flush succeeded, writes are accepted again");
  return Status::OK();
}

void TieredKv::FlusherLoop() {
  auto backoff = std::chrono::milliseconds(0);
  auto last_persist = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::unique_lock lock(flusher_mu_);
      auto wait = backoff.count() > 0 ? backoff : options_.flush_interval;
      flusher_cv_.wait_for(lock, wait, [this] { return stop_ || flush_requested_; });
      if (stop_) return;
      flush_requested_ = false;
    }
    if (!FlushOnce()) {
      backoff = std::min(std::chrono::milliseconds(5000), std::max(std::chrono::milliseconds(50), backoff * 2));
      continue;
    }
    backoff = std::chrono::milliseconds(0);
    // On a full disk the flush is what tells that space is back: retry it at once.
    if (disk_full() || std::chrono::steady_clock::now() - last_persist >= options_.persist_interval) {
      last_persist = std::chrono::steady_clock::now();
      if (!PersistOnce().ok()) backoff = std::chrono::milliseconds(1000);
    }
  }
}

Status TieredKv::FlushAndPersist() {
  // Two rounds: the first may only write an already-swapped table.
  for (int round = 0; round < 2; ++round) {
    if (!FlushOnce()) return Status::Unavailable("storage_unavailable: RocksDB write failed");
  }
  return PersistOnce();
}

Result<AppliedPosition> TieredKv::Checkpoint(const std::string& dir) {
  STEMEDB_RETURN_IF_ERROR(FlushAndPersist());
  return tier_->Checkpoint(dir);
}

AppliedPosition TieredKv::applied_position() const {
  return {applied_offset_.load(std::memory_order_acquire), applied_seq_.load(std::memory_order_acquire)};
}

AppliedPosition TieredKv::persisted_position() const {
  std::lock_guard lock(version_mu_);
  return persisted_position_;
}

size_t TieredKv::memory_bytes() const {
  Snapshot snap = Current();
  return (snap.active ? snap.active->ApproximateBytes() : 0) + (snap.imm ? snap.imm->ApproximateBytes() : 0);
}

std::vector<std::pair<std::string, double>> TieredKv::Stats() {
  auto out = tier_->Stats();
  out.emplace_back("memory_tier_bytes", static_cast<double>(memory_bytes()));
  out.emplace_back("applied_offset", static_cast<double>(applied_position().offset));
  out.emplace_back("persisted_offset", static_cast<double>(persisted_position().offset));
  return out;
}

}  // namespace stemedb::storage

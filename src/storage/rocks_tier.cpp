#include "stemedb/storage/rocks_tier.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>

namespace stemedb::storage {
namespace {

// The applied position lives in the default column family under this key, written in the
// same batch as the data it describes.
constexpr const char* kAppliedKey = "stemedb.applied_position";

// A read that starts after a write returned sees that write's bytes: RocksDB orders them with
// atomics in its own code, which ThreadSanitizer cannot see (Debian's librocksdb is not built
// with it), so the TSan build says so; elsewhere these are nothing. Without them TSan reports our
// copy of a scanned key or value as racing with the flush that wrote it into RocksDB's memtable,
// a report no suppression can name (the writer's stack is RocksDB's, often not restorable).
//
// A scan that overlaps a flush is not covered by that: the iterator hands out views of memtable
// entries the flush published while it was still running (CI's TSan run caught our copy of one
// racing with MemTable::Add). So in the TSan build each scanned entry is copied while TSan
// ignores this thread's reads, and our code reads only the copy; writes to the copy, and every
// other access of ours, are still checked.
#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
void WriteReturned(rocksdb::DB* db) { __tsan_release(db); }
void ReadStarts(rocksdb::DB* db) { __tsan_acquire(db); }
#else
void WriteReturned(rocksdb::DB*) {}
void ReadStarts(rocksdb::DB*) {}
#endif

// What a scan hands our code: views of the iterator's entry, or in the TSan build of a copy.
class ScannedEntry {
 public:
  ScannedEntry(const rocksdb::Slice& key, const rocksdb::Slice& value) {
#if defined(__SANITIZE_THREAD__)
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    copy_.assign(key.data(), key.size()).append(value.data(), value.size());
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
    key_ = std::string_view(copy_).substr(0, key.size());
    value_ = std::string_view(copy_).substr(key.size());
#else
    key_ = std::string_view(key.data(), key.size());
    value_ = std::string_view(value.data(), value.size());
#endif
  }
  ScannedEntry(const ScannedEntry&) = delete;  // the views may point into copy_
  ScannedEntry& operator=(const ScannedEntry&) = delete;
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }

 private:
#if defined(__SANITIZE_THREAD__)
  std::string copy_;
#endif
  std::string_view key_;
  std::string_view value_;
};

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::OK();
  if (s.IsNoSpace()) return Status::DiskFull("rocksdb " + what + ": " + s.ToString());
  if (s.IsCorruption()) return Status::Corruption("rocksdb " + what + ": " + s.ToString());
  return Status::IOError("rocksdb " + what + ": " + s.ToString());
}

// RocksDB's messages (warnings and errors only) go to the daemon's log instead of a LOG file in
// its directory. On a full disk RocksDB's file logger fails one write and then, at its next line,
// aborts the whole process: Debian's librocksdb keeps its assertions, and
// WritableFileWriter::AssertFalseAndGetStatusForPrevError asserts on a writer that failed
// before (found by the disk-full drill, tests/integration/disk_full_drill_test.cpp).
class RocksLogToSpdlog final : public rocksdb::Logger {
 public:
  RocksLogToSpdlog() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    char line[1024];
    int n = std::vsnprintf(line, sizeof line, format, ap);  // longer lines are cut: a log line
    for (size_t end = std::min<size_t>(n < 0 ? 0 : n, sizeof line - 1); end > 0 && line[end - 1] == '\n';) line[--end] = '\0';
    // Null once spdlog has shut down: a RocksDB thread still running then must not crash the
    // process on its way out (RocksTier::Close stops them before; this is the second guard).
    spdlog::logger* logger = spdlog::default_logger_raw();
    if (logger == nullptr) return;
    logger->log(level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? spdlog::level::err : spdlog::level::warn,
                "rocksdb: {}", line);
  }
};

// RocksDB's own recovery from a full disk (SstFileManager) waits until the free space reaches
// the write buffer size (32 MiB here), which a small disk may never have again even when a flush
// would fit; the tier resumes RocksDB itself instead (RocksTier::ResumeAfterNoSpace).
class NoAutomaticRecoveryFromNoSpace final : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status bg_error, bool* auto_recovery) override {
    if (bg_error.IsNoSpace()) *auto_recovery = false;
  }
};

// A key's prefix up to and including its second NUL: "subject\0predicate\0" of a
// by_subject_predicate key (subjects and predicates hold no control characters). The name is
// stored in every file written with it; RocksDB uses a file's prefix filter only when the name
// matches, so files written before this extractor, or after a change to it, are read in full.
class PairPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "stemedb.PairPrefix.1"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override { return rocksdb::Slice(key.data(), End(key)); }
  bool InDomain(const rocksdb::Slice& key) const override { return End(key) != 0; }

 private:
  // The length of the prefix, or 0 when the key has fewer than two NULs.
  static size_t End(const rocksdb::Slice& key) {
    const char* first = static_cast<const char*>(std::memchr(key.data(), '\0', key.size()));
    if (first == nullptr) return 0;
    const size_t after_first = first - key.data() + 1;
    const char* second = static_cast<const char*>(std::memchr(first + 1, '\0', key.size() - after_first));
    return second == nullptr ? 0 : second - key.data() + 1;
  }
};

// True when every key in [start, end) has the pair prefix of `start`: a scan that RocksDB may
// answer from the files whose prefix filter holds that pair.
bool WithinOnePair(const rocksdb::SliceTransform& prefix, std::string_view start, std::string_view end) {
  const rocksdb::Slice from(start.data(), start.size());
  if (end.empty() || !prefix.InDomain(from)) return false;
  std::string after(prefix.Transform(from).ToStringView());  // the first key past the pair's keys
  after.back() = '\1';                                        // the prefix ends with its NUL
  return end <= std::string_view(after);
}

std::string EncodePosition(const AppliedPosition& p) {
  std::string out(16, '\0');
  std::memcpy(out.data(), &p.offset, 8);
  std::memcpy(out.data() + 8, &p.seq, 8);
  return out;
}

class RocksTier final : public Tier {
 public:
  RocksTier(rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
            std::shared_ptr<rocksdb::Cache> cache, std::vector<bool> pair_scanned)
      : db_(db), handles_(std::move(handles)), cache_(std::move(cache)), pair_scanned_(std::move(pair_scanned)) {}

  ~RocksTier() override { Close(); }

  // After Close: every call says so instead of touching a deleted DB.
  static Status Closed() { return Status::Unavailable("storage_unavailable: the RocksDB tier is closed"); }

  void Close() override {
    if (db_ == nullptr) return;
    // Waits for the flushes and compactions under way; DB::Close then ends error recovery.
    rocksdb::CancelAllBackgroundWork(db_, true);
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    handles_.clear();
    if (rocksdb::Status s = db_->Close(); !s.ok()) spdlog::warn("rocksdb: closing: {}", s.ToString());
    delete db_;
    db_ = nullptr;
  }

  Result<std::optional<std::string>> Get(CfId cf, std::string_view key) override {
    if (db_ == nullptr) return Closed();
    std::string value;
    ReadStarts(db_);
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Handle(cf), rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "get");
    return std::optional<std::string>(std::move(value));
  }

  Status Scan(CfId cf, std::string_view start, std::string_view end, const ScanFn& fn) override {
    if (db_ == nullptr) return Closed();
    rocksdb::ReadOptions ro;
    rocksdb::Slice upper(end.data(), end.size());
    if (!end.empty()) ro.iterate_upper_bound = &upper;
    if (pair_scanned_.at(cf)) {
      // A family with a prefix extractor seeks in prefix mode unless told otherwise, and prefix
      // mode is only right for a range inside one pair.
      const bool one_pair = WithinOnePair(kPairPrefix, start, end);
      ro.prefix_same_as_start = one_pair;
      ro.total_order_seek = !one_pair;
    }
    ReadStarts(db_);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, Handle(cf)));
    for (it->Seek(rocksdb::Slice(start.data(), start.size())); it->Valid(); it->Next()) {
      const ScannedEntry entry(it->key(), it->value());
      if (!fn(entry.key(), entry.value())) break;
    }
    return FromRocks(it->status(), "scan");
  }

  Status Write(const MemTable& table, const AppliedPosition& position) override {
    if (db_ == nullptr) return Closed();
    rocksdb::WriteBatch batch;
    rocksdb::Status s;
    table.ForEach([&](CfId cf, std::string_view key, std::string_view value) {
      if (!s.ok()) return;
      s = batch.Put(Handle(cf), rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size()));
    });
    if (!s.ok()) return FromRocks(s, "batch");
    s = batch.Put(db_->DefaultColumnFamily(), kAppliedKey, EncodePosition(position));
    if (!s.ok()) return FromRocks(s, "batch");
    STEMEDB_RETURN_IF_ERROR(ResumeAfterNoSpace());
    rocksdb::WriteOptions wo;
    wo.disableWAL = true;
    s = db_->Write(wo, &batch);
    WriteReturned(db_);
    return Checked(s, "write");
  }

  Status Persist() override {
    if (db_ == nullptr) return Closed();
    STEMEDB_RETURN_IF_ERROR(ResumeAfterNoSpace());
    rocksdb::FlushOptions fo;
    fo.wait = true;
    std::vector<rocksdb::ColumnFamilyHandle*> all = handles_;
    all.push_back(db_->DefaultColumnFamily());
    return Checked(db_->Flush(fo, all), "flush");
  }

  Result<AppliedPosition> ReadAppliedPosition() override {
    if (db_ == nullptr) return Closed();
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), kAppliedKey, &value);
    if (s.IsNotFound()) return AppliedPosition{};
    if (!s.ok()) return FromRocks(s, "read applied position");
    if (value.size() != 16) return Status::Corruption("rocksdb: applied position has " + std::to_string(value.size()) + " bytes, expected 16");
    AppliedPosition p;
    std::memcpy(&p.offset, value.data(), 8);
    std::memcpy(&p.seq, value.data() + 8, 8);
    return p;
  }

  Result<AppliedPosition> Checkpoint(const std::string& dir) override {
    if (db_ == nullptr) return Closed();
    // With the WAL off a checkpoint holds only flushed data: flush first, then read the
    // position the flushed data carries.
    STEMEDB_RETURN_IF_ERROR(Persist());
    rocksdb::Checkpoint* cp = nullptr;
    STEMEDB_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_, &cp), "checkpoint"));
    std::unique_ptr<rocksdb::Checkpoint> owned(cp);
    auto position = ReadAppliedPosition();
    if (!position.ok()) return position;
    STEMEDB_RETURN_IF_ERROR(FromRocks(cp->CreateCheckpoint(dir, 0), "checkpoint " + dir));
    return position;
  }

  std::vector<std::pair<std::string, double>> Stats() override {
    if (db_ == nullptr) return {};
    std::vector<std::pair<std::string, double>> out;
    // Summed over every column family: GetIntProperty alone reads the default family, which
    // holds nothing but the applied position.
    auto prop = [&](const char* name, const std::string& key) {
      uint64_t v = 0;
      if (db_->GetAggregatedIntProperty(key, &v)) out.emplace_back(name, static_cast<double>(v));
    };
    prop("rocksdb_live_sst_bytes", rocksdb::DB::Properties::kLiveSstFilesSize);
    prop("rocksdb_memtable_bytes", rocksdb::DB::Properties::kCurSizeAllMemTables);
    prop("rocksdb_estimated_keys", rocksdb::DB::Properties::kEstimateNumKeys);
    prop("rocksdb_pending_compaction_bytes", rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
    out.emplace_back("block_cache_usage_bytes", static_cast<double>(cache_->GetUsage()));
    out.emplace_back("block_cache_capacity_bytes", static_cast<double>(cache_->GetCapacity()));
    return out;
  }

 private:
  rocksdb::ColumnFamilyHandle* Handle(CfId cf) { return handles_.at(cf); }

  // A full disk stops RocksDB's writes until DB::Resume; the flusher's next write or flush
  // (retried every second) resumes it first, which fails with NoSpace again while it is full.
  Status Checked(const rocksdb::Status& s, const std::string& what) {
    if (s.IsNoSpace()) resume_needed_.store(true);
    return FromRocks(s, what);
  }
  Status ResumeAfterNoSpace() {
    if (!resume_needed_.load()) return Status::OK();
    rocksdb::Status s = db_->Resume();
    if (!s.ok()) return FromRocks(s, "resume after a full disk");
    resume_needed_.store(false);
    return Status::OK();
  }

  rocksdb::DB* db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::atomic<bool> resume_needed_{false};  // the flusher thread sets and clears it
  const std::vector<bool> pair_scanned_;     // by CfId: the family has the PairPrefix extractor
  static inline const PairPrefix kPairPrefix;
};

}  // namespace

namespace {

rocksdb::ColumnFamilyOptions FamilyOptions(const rocksdb::BlockBasedTableOptions& table, const RocksTierOptions& options) {
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_options.write_buffer_size = options.write_buffer_bytes;
  cf_options.compression = rocksdb::kLZ4Compression;
  cf_options.bottommost_compression = rocksdb::kZSTD;
  // The apply step asks "is this id stored yet?" for every new record, and the answer is almost
  // always no: a bloom filter on RocksDB's memtables answers that without a skip-list search.
  cf_options.memtable_prefix_bloom_size_ratio = 0.05;
  cf_options.memtable_whole_key_filtering = true;
  cf_options.level_compaction_dynamic_level_bytes = true;
  return cf_options;
}

// A family only ever scanned a pair at a time: its filters hold pairs, not whole keys (no read
// of it asks for one key). At 10M assertions a recency query that misses the candidate cache
// otherwise reads a data block from every level and every L0 file, though one level holds the
// pair (docs/operations/sizing.md, "Growth").
rocksdb::ColumnFamilyOptions PairScannedFamilyOptions(rocksdb::BlockBasedTableOptions table,
                                                      const RocksTierOptions& options) {
  table.whole_key_filtering = false;
  rocksdb::ColumnFamilyOptions cf_options = FamilyOptions(table, options);
  cf_options.prefix_extractor = std::make_shared<PairPrefix>();
  cf_options.memtable_whole_key_filtering = false;
  return cf_options;
}

}  // namespace

Result<std::unique_ptr<Tier>> OpenRocksTier(const RocksTierOptions& options) {
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  // Index and filter blocks stay in the cache once read: every read needs them, and when the data
  // outgrows the cache, data blocks pushed them out and each query read and decompressed them
  // again (1M assertions, 8 MiB of block cache: 3.6-5.0k recency queries/s unpinned, 10.7-12.5k
  // pinned; 10M with the default cache: 5.0k against 8.9-9.9k; docs/operations/sizing.md). They
  // are charged to the cache; resident memory at 10M was the same either way.
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.metadata_cache_options.unpartitioned_pinning = rocksdb::PinningTier::kAll;
  const rocksdb::ColumnFamilyOptions cf_options = FamilyOptions(table, options);
  const rocksdb::ColumnFamilyOptions pair_options = PairScannedFamilyOptions(table, options);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.atomic_flush = true;
  db_options.max_background_jobs = 2;
  db_options.info_log = std::make_shared<RocksLogToSpdlog>();
  db_options.listeners.push_back(std::make_shared<NoAutomaticRecoveryFromNoSpace>());
  db_options.max_open_files = 512;
  // One budget for the memtables of every column family, so fourteen families do not mean
  // fourteen times the write buffer in RSS.
  db_options.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(options.write_buffers_bytes_max);

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  std::vector<bool> pair_scanned;
  for (const auto& name : options.column_families) {
    const auto& pairs = options.pair_scanned_families;
    pair_scanned.push_back(std::find(pairs.begin(), pairs.end(), name) != pairs.end());
    descriptors.emplace_back(name, pair_scanned.back() ? pair_options : cf_options);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  // Made first, so RocksDB's open does not log an error for a directory that is not there yet.
  std::error_code made;
  std::filesystem::create_directories(options.dir, made);
  if (made) return Status::FromErrno("create directory " + options.dir, made.value());
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.dir, descriptors, &handles, &db);
  if (!s.ok()) return FromRocks(s, "open " + options.dir);
  // handles[0] is the default family; the store's CfId i is handles[i + 1].
  db->DestroyColumnFamilyHandle(handles[0]);
  handles.erase(handles.begin());
  return std::unique_ptr<Tier>(std::make_unique<RocksTier>(db, std::move(handles), std::move(cache), std::move(pair_scanned)));
}

}  // namespace stemedb::storage

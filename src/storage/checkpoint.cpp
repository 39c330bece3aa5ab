#include "stemedb/storage/checkpoint.h"

#include <chrono>
#include <future>

#include "stemedb/build_info.h"
#include "stemedb/ground/durable_file.h"

namespace stemedb::storage {

namespace {

// What the log holds at the instant of the rotation: taken in the rotation's callback, on the
// writer thread, before the next batch is applied, so the counts describe exactly the records
// at or below the sealed segment's end, however many writes arrive meanwhile.
struct SealedRange {
  std::string sealed_segment;
  uint64_t last_seq = 0;
  index::GlobalCounts counts;
};

Result<SealedRange> RotateAndCount(Store& store) {
  std::promise<Result<SealedRange>> promise;
  std::future<Result<SealedRange>> future = promise.get_future();
  store.journal().RotateAsync([&promise, &store](Result<std::string> sealed) {
    if (!sealed.ok()) return promise.set_value(sealed.status());
    auto counts = store.Counts();
    if (!counts.ok()) return promise.set_value(counts.status());
    promise.set_value(SealedRange{*sealed, store.journal().last_seq(), *counts});
  });
  return future.get();
}

}  // namespace

Result<nlohmann::json> CreateCheckpoint(Store& store, const std::string& dir) {
  if (dir.empty() || dir.front() != '/') return Status::InvalidArgument("dir must be an absolute path, got '" + dir + "'");
  // Every file written here goes through the store's Env (fault injection reaches it), and each
  // is fsynced with its directory: a backup that is only in the page cache is not a backup.
  Env& env = store.env();
  if (env.FileExists(dir)) return Status::AlreadyExists(dir + " already exists; a checkpoint goes into a new directory");
  const std::string parent = DirName(dir);
  if (!env.FileExists(parent)) return Status::InvalidArgument("parent directory " + parent + " does not exist");
  STEMEDB_RETURN_IF_ERROR(env.CreateDirs(dir));

  const auto started = std::chrono::steady_clock::now();
  auto position = store.kv().Checkpoint(dir + "/rocksdb");
  if (!position.ok()) return position.status();
  auto sealed = RotateAndCount(store);
  if (!sealed.ok()) return sealed.status();

  const std::string wal_dir = store.journal().options().dir;
  STEMEDB_RETURN_IF_ERROR(env.CreateDirs(dir + "/wal"));
  nlohmann::json segments = nlohmann::json::array();
  uint64_t wal_to = position->offset;
  uint64_t wal_from = position->offset;
  bool first = true;
  for (const auto& seg : store.journal().Segments()) {
    // From the segment holding the last applied record (its end is at or past the applied
    // offset, so the restored WAL knows its seq) to the last sealed one.
    if (!seg.sealed || seg.end_offset < position->offset) continue;
    STEMEDB_RETURN_IF_ERROR(CopyFileDurably(env, JoinPath(wal_dir, seg.name), dir + "/wal/" + seg.name));
    if (first) wal_from = seg.base_offset;
    first = false;
    wal_to = std::max(wal_to, seg.end_offset);
    segments.push_back({{"name", seg.name}, {"base_offset", seg.base_offset}, {"end_offset", seg.end_offset}});
  }
  STEMEDB_RETURN_IF_ERROR(env.SyncDir(dir + "/wal"));

  const index::GlobalCounts& counts = sealed->counts;
  nlohmann::json info = {
      {"format_version", 1},
      {"stemedb_version", build::kVersion},
      {"created_at_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count()},
      {"dir", dir},
      {"applied_offset", position->offset},
      {"applied_seq", position->seq},
      {"wal_from_offset", wal_from},
      {"wal_to_offset", wal_to},
      {"wal_to_seq", sealed->last_seq},
      {"sealed_segment", sealed->sealed_segment},
      {"segments", segments},
      {"assertions_count", counts.assertions},
      {"votes_count", counts.votes},
      {"epochs_count", counts.epochs},
      {"sources_count", counts.sources},
      {"duration_s", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()},
  };
  // Last, and atomically (temporary name, fsync, rename, fsync of dir): a checkpoint.json that
  // exists describes a complete checkpoint.
  STEMEDB_RETURN_IF_ERROR(WriteFileDurably(env, dir + "/checkpoint.json", info.dump(2) + "\n"));
  // The checkpoint directory's own entry, so the whole of it survives a power cut.
  STEMEDB_RETURN_IF_ERROR(env.SyncDir(parent));
  return info;
}

}  // namespace stemedb::storage

#include "stemedb/storage/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>

#include "stemedb/build_info.h"

namespace stemedb::storage {
namespace fs = std::filesystem;

namespace {

// Copies src to dst and fsyncs it: a backup that is only in the page cache is not a backup.
Status CopyDurably(const std::string& src, const std::string& dst) {
  std::error_code ec;
  fs::copy_file(src, dst, fs::copy_options::none, ec);
  if (ec) return Status::IOError("copy " + src + " to " + dst + ": " + ec.message(), ec.value());
  int fd = ::open(dst.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open " + dst, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::FromErrno("fsync " + dst, err);
  return Status::OK();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open " + dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? Status::OK() : Status::FromErrno("fsync " + dir, err);
}

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
  std::error_code ec;
  if (fs::exists(dir, ec)) return Status::AlreadyExists(dir + " already exists; a checkpoint goes into a new directory");
  const fs::path parent = fs::path(dir).parent_path();
  if (!fs::is_directory(parent, ec)) return Status::InvalidArgument("parent directory " + parent.string() + " does not exist");
  fs::create_directory(dir, ec);
  if (ec) return Status::IOError("create " + dir + ": " + ec.message(), ec.value());

  const auto started = std::chrono::steady_clock::now();
  auto position = store.kv().Checkpoint(dir + "/rocksdb");
  if (!position.ok()) return position.status();
  auto sealed = RotateAndCount(store);
  if (!sealed.ok()) return sealed.status();

  const std::string wal_dir = store.journal().options().dir;
  fs::create_directory(dir + "/wal", ec);
  if (ec) return Status::IOError("create " + dir + "/wal: " + ec.message(), ec.value());
  nlohmann::json segments = nlohmann::json::array();
  uint64_t wal_to = position->offset;
  uint64_t wal_from = position->offset;
  bool first = true;
  for (const auto& seg : store.journal().Segments()) {
    // From the segment holding the last applied record (its end is at or past the applied
    // offset, so the restored WAL knows its seq) to the last sealed one.
    if (!seg.sealed || seg.end_offset < position->offset) continue;
    STEMEDB_RETURN_IF_ERROR(CopyDurably(wal_dir + "/" + seg.name, dir + "/wal/" + seg.name));
    if (first) wal_from = seg.base_offset;
    first = false;
    wal_to = std::max(wal_to, seg.end_offset);
    segments.push_back({{"name", seg.name}, {"base_offset", seg.base_offset}, {"end_offset", seg.end_offset}});
  }
  STEMEDB_RETURN_IF_ERROR(SyncDir(dir + "/wal"));

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
  {
    std::ofstream out(dir + "/checkpoint.json");
    out << info.dump(2) << "\n";
    if (!out) return Status::IOError("write " + dir + "/checkpoint.json");
  }
  STEMEDB_RETURN_IF_ERROR(SyncDir(dir));
  return info;
}

}  // namespace stemedb::storage

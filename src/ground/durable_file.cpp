#include "stemedb/ground/durable_file.h"

#include <memory>

namespace stemedb {
namespace {

constexpr size_t kCopyChunkBytes = 1 << 20;

// The steps up to and including the file's fsync; the caller publishes it by renaming.
Status WriteAndSync(Env& env, const std::string& tmp, std::string_view data, FileAccess access) {
  const OpenMode mode =
      access == FileAccess::kOwnerOnly ? OpenMode::kCreateNewOwnerOnly : OpenMode::kCreateNew;
  Result<std::unique_ptr<File>> file = env.OpenFile(tmp, mode);
  if (!file.ok()) return file.status();
  STEMEDB_RETURN_IF_ERROR(WriteFully(**file, 0, data));
  // fsync, not fdatasync: the new file's size and its inode must be durable too.
  return (*file)->Sync();
}

Status CopyAndSync(File& in, File& out) {
  std::string chunk(kCopyChunkBytes, '\0');
  // Each round copies at least one byte or stops, so the loop ends at the end of `in`.
  for (uint64_t at = 0;;) {
    Result<size_t> got = ReadFully(in, at, chunk.data(), chunk.size());
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    STEMEDB_RETURN_IF_ERROR(WriteFully(out, at, std::string_view(chunk.data(), *got)));
    at += *got;
  }
  return out.Sync();
}

}  // namespace

std::string DurableTempPath(const std::string& path) { return path + ".tmp"; }

Status WriteFileDurably(Env& env, const std::string& path, std::string_view data,
                        FileAccess access) {
  const std::string tmp = DurableTempPath(path);
  // A crash between creating and renaming the temporary file leaves it behind; it holds
  // nothing anyone was told is stored, so it goes.
  if (env.FileExists(tmp)) STEMEDB_RETURN_IF_ERROR(env.RemoveFile(tmp));
  Status s = WriteAndSync(env, tmp, data, access);
  if (s.ok()) s = env.Rename(tmp, path);
  if (!s.ok()) {
    // Best effort: the first error is the one to report. The file may not exist (open failed).
    if (env.FileExists(tmp)) (void)env.RemoveFile(tmp);
    return s;
  }
  // The rename is in the directory: durable only once the directory is synced.
  return env.SyncDir(DirName(path));
}

Status CopyFileDurably(Env& env, const std::string& from, const std::string& to) {
  Result<std::unique_ptr<File>> in = env.OpenFile(from, OpenMode::kReadOnly);
  if (!in.ok()) return in.status();
  Result<std::unique_ptr<File>> out = env.OpenFile(to, OpenMode::kCreateNew);
  if (!out.ok()) return out.status();  // an existing `to` is refused and left alone
  Status s = CopyAndSync(**in, **out);
  if (!s.ok()) {
    out.value().reset();  // closed before it is removed
    (void)env.RemoveFile(to);  // best effort: the copy error is the one to report
  }
  return s;
}

}  // namespace stemedb

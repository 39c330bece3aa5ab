#include "stemedb/wal/dir_lock.h"

#include <unistd.h>

#include <string_view>

namespace stemedb::wal {
namespace {

constexpr size_t kPidTextBytesMax = 32;

// The pid text the holder wrote, or "unknown".
std::string ReadHolder(Env& env, const std::string& path) {
  Result<std::unique_ptr<File>> file = env.OpenFile(path, OpenMode::kReadOnly);
  if (!file.ok()) return "unknown";
  std::string text(kPidTextBytesMax, '\0');
  Result<size_t> got = ReadFully(**file, 0, text.data(), text.size());
  if (!got.ok() || *got == 0) return "unknown";
  text.resize(*got);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text.empty() ? "unknown" : text;
}

Status WritePid(Env& env, const std::string& path) {
  Result<std::unique_ptr<File>> file = env.OpenFile(path, OpenMode::kReadWrite);
  if (!file.ok()) return file.status();
  STEMEDB_RETURN_IF_ERROR((*file)->Truncate(0));
  return WriteFully(**file, 0, std::to_string(::getpid()) + "\n");
}

}  // namespace

Result<std::unique_ptr<DirLock>> DirLock::Acquire(Env& env, const std::string& dir) {
  std::string path = JoinPath(dir, kLockFileName);
  Result<std::unique_ptr<FileLock>> lock = env.LockFile(path);
  if (!lock.ok()) {
    if (lock.status().code() != StatusCode::kFailedPrecondition) return lock.status();
    return Status::FailedPrecondition(
        "WAL directory " + dir + " is locked by another process (pid " + ReadHolder(env, path) +
        ", " + path + "): is another stemedb-api running on it?");
  }
  // The pid is only a hint for the message above; failing to write it is not fatal.
  (void)WritePid(env, path);
  return std::unique_ptr<DirLock>(new DirLock(std::move(lock).value()));
}

}  // namespace stemedb::wal

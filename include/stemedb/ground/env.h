#pragma once
// The file-system seam of the WAL (LevelDB's Env, cut down to what the WAL needs). Every file
// operation of the WAL goes through it, so tests can swap in FaultInjectionEnv and fail exactly
// one write or fsync. Each method maps to one system call so a fault lands where the real one
// would, and so libfiu's POSIX wrappers (fiu-run) see the real libc calls of the PosixEnv.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stemedb/ground/status.h"

namespace stemedb {

// One open file. Closed by the destructor.
class File {
 public:
  virtual ~File() = default;
  // One pwrite(2): may write fewer bytes than asked (a short write), never more.
  virtual Result<size_t> WriteAt(uint64_t offset, std::string_view data) = 0;
  // One pread(2): returns fewer bytes than asked at end of file (0 past it).
  virtual Result<size_t> ReadAt(uint64_t offset, char* out, size_t n) = 0;
  virtual Status DataSync() = 0;  // fdatasync(2): data plus the size needed to read it back
  virtual Status Sync() = 0;      // fsync(2): data and all metadata
  virtual Status Truncate(uint64_t size_bytes) = 0;  // ftruncate(2)
  virtual Result<uint64_t> Size() = 0;               // fstat(2)
  virtual const std::string& path() const = 0;
};

// An exclusive advisory lock (flock) on a file, released by the destructor.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

enum class OpenMode {
  kReadOnly,   // O_RDONLY
  kReadWrite,  // O_RDWR on an existing file
  kCreateNew,  // O_RDWR | O_CREAT | O_EXCL: fails if the file exists; mode 0644
  kCreateNewOwnerOnly,  // as kCreateNew, mode 0600: files holding secrets
};

struct DiskSpace {
  uint64_t total_bytes = 0;
  uint64_t free_bytes = 0;  // available to an unprivileged writer (statvfs f_bavail)
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide PosixEnv. Never destroyed.
  static Env* Default();

  virtual Result<std::unique_ptr<File>> OpenFile(const std::string& path, OpenMode mode) = 0;
  // fsync(2) on the directory itself, so a created, renamed or removed entry is durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // mkdir -p.
  virtual Status CreateDirs(const std::string& dir) = 0;
  // Entry names of a directory (no "." or ".."), in no particular order.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  // Creates the file if needed and takes flock(LOCK_EX | LOCK_NB) on it. A lock held through
  // another open file description (another process, or another opener in this one) fails with
  // kFailedPrecondition.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
  virtual Result<DiskSpace> GetDiskSpace(const std::string& dir) = 0;  // statvfs(3)
};

// WriteAt until all of data is written: a short write is legal POSIX and is continued, an
// error stops it (the bytes already written stay; the caller decides what that means).
Status WriteFully(File& file, uint64_t offset, std::string_view data);
// ReadAt until n bytes are read or the end of file; returns the bytes read.
Result<size_t> ReadFully(File& file, uint64_t offset, char* out, size_t n);

// "dir/name", tolerating a trailing slash on dir.
std::string JoinPath(const std::string& dir, const std::string& name);
// The last path component: "segment.001.wal" for "/var/lib/stemedb/wal/segment.001.wal".
std::string BaseName(const std::string& path);
// Everything before the last component; "." when there is none.
std::string DirName(const std::string& path);

}  // namespace stemedb

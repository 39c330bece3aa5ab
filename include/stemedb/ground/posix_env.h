#pragma once
// The real Env: thin wrappers over open/pwrite/pread/fdatasync/fsync/ftruncate/rename/flock.
// It calls the libc symbols directly (never syscall(2), never stdio) so that libfiu's preload
// library (`fiu-run -x stemedb-api`, then `fiu-ctrl -c "enable name=posix/io/sync/fdatasync"`)
// intercepts exactly the calls the WAL makes.

#include "stemedb/ground/env.h"

namespace stemedb {

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<File>> OpenFile(const std::string& path, OpenMode mode) override;
  Status SyncDir(const std::string& dir) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status CreateDirs(const std::string& dir) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  bool FileExists(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;
  Result<DiskSpace> GetDiskSpace(const std::string& dir) override;
};

}  // namespace stemedb

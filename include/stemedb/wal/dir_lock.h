#pragma once
// The exclusive lock on a WAL directory: flock on <dir>/LOCK, held for the journal's lifetime,
// so a second daemon on the same directory refuses to start instead of interleaving writes.
// The holder writes its pid into LOCK so the refusal can say who holds it.

#include <memory>
#include <string>

#include "stemedb/ground/status.h"
#include "stemedb/ground/env.h"

namespace stemedb::wal {

inline constexpr const char* kLockFileName = "LOCK";

class DirLock {
 public:
  // kFailedPrecondition "WAL directory <dir> is locked by another process (pid N) ..." when
  // held elsewhere.
  static Result<std::unique_ptr<DirLock>> Acquire(Env& env, const std::string& dir);

 private:
  explicit DirLock(std::unique_ptr<FileLock> lock) : lock_(std::move(lock)) {}
  std::unique_ptr<FileLock> lock_;
};

}  // namespace stemedb::wal

#pragma once
// Files the daemon writes outside the WAL, durably and through the Env.
//
// A small whole file (root.key, checkpoint.json) is written so that a crash leaves either the old
// file or the complete new one, never a torn or empty one, and so that once the call returns
// the new file survives a power cut: the bytes go to "<path>.tmp", which is fsynced, renamed
// over path, and then the directory is fsynced (the rename is durable only after that).
//
// Every step goes through an Env, so FaultInjectionEnv and libfiu reach it, and every failure
// is returned (a failed fsync is never ignored or retried: the temporary file is removed and
// the caller reports the error).

#include <string>
#include <string_view>

#include "stemedb/ground/env.h"
#include "stemedb/ground/status.h"

namespace stemedb {

enum class FileAccess {
  kShared,     // 0644
  kOwnerOnly,  // 0600: secrets (the root API key)
};

// The temporary name WriteFileDurably uses for path.
std::string DurableTempPath(const std::string& path);

// Replaces (or creates) path with exactly `data`. A stale temporary file left by a crash is
// removed first. On failure path is unchanged and the temporary file is gone (when the Env lets
// it be removed).
Status WriteFileDurably(Env& env, const std::string& path, std::string_view data,
                        FileAccess access = FileAccess::kShared);

// Copies the file `from` to `to` (which must not exist yet) in bounded chunks through the Env and
// fsyncs the copy: a backup that is only in the page cache is not a backup. The caller syncs the
// directory of `to` once all its files are there. On failure the partial copy is removed.
Status CopyFileDurably(Env& env, const std::string& from, const std::string& to);

}  // namespace stemedb

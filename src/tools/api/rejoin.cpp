#include "rejoin.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include "stemedb/ground/durable_file.h"
#include "stemedb/ground/env.h"
#include "stemedb/wal/diverged_tail.h"
#include "stemedb/wal/segment_name.h"

namespace stemedb::api {
namespace {

std::string MarkerPath(const ops::Config& config) { return config.WalDir() + "/diverged/REJOIN"; }

}  // namespace

Status RequestRejoin(const ops::Config& config, uint64_t fork_offset) {
  Env& env = *Env::Default();
  STEMEDB_RETURN_IF_ERROR(env.CreateDirs(config.WalDir() + "/diverged"));
  return WriteFileDurably(env, MarkerPath(config), std::to_string(fork_offset) + "\n");
}

Status CompletePendingRejoin(const ops::Config& config) {
  Env& env = *Env::Default();
  const std::string marker = MarkerPath(config);
  if (!env.FileExists(marker)) return Status::OK();
  std::ifstream in(marker);
  uint64_t fork = 0;
  if (!(in >> fork)) return Status::Corruption(marker + " does not hold a fork offset");
  auto segments = wal::ListSegments(env, config.WalDir());
  if (!segments.ok()) return segments.status();
  if (segments->empty() || segments->front().sequence != wal::kFirstSegmentSequence) {
    return Status::FailedPrecondition(
        "rejoin: the log past offset " + std::to_string(fork) + " must be moved aside and the store rebuilt from "
        "offset 0, but this WAL does not start at its first segment (a cloned node); clone it again with "
        "scripts/standby-clone.sh, then remove " + marker);
  }
  auto moved = wal::MoveDivergedTail(env, config.WalDir(), fork);
  if (!moved.ok()) return moved.status();
  spdlog::warn("rejoin: moved {} bytes of records past offset {} to {} (not in the new primary's log: never "
               "acknowledged under synchronous commit, possibly acknowledged in asynchronous mode; see "
               "docs/replication.md, \"Rejoining\"); rebuilding the store from the WAL",
               moved->bytes_moved, fork, moved->directory.empty() ? "(nothing to move)" : moved->directory);
  std::error_code ec;
  std::filesystem::remove_all(config.storage.data_dir + "/rocksdb", ec);
  if (ec) return Status::IOError("rejoin: removing " + config.storage.data_dir + "/rocksdb: " + ec.message());
  STEMEDB_RETURN_IF_ERROR(env.RemoveFile(marker));
  return env.SyncDir(config.WalDir() + "/diverged");
}

}  // namespace stemedb::api

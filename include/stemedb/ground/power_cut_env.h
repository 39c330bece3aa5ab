#pragma once
// An in-memory file system that knows what a power cut keeps, for the WAL's power-cut test
// (tests/wal/power_cut_test.cpp).
//
// Every file holds two versions of its bytes: as written, and as of its last DataSync or Sync.
// Every directory holds two versions of its entries: as they are, and as of its last SyncDir.
// CutPowerAtCall(n) stops the machine at the nth call that changes something (open to create,
// write, sync, truncate, rename, unlink, mkdir, lock): that call and every later one fail with
// EIO and change nothing. Reboot() then brings back only what was durable: each file's synced
// bytes; each directory's entries as its last SyncDir saw them (a file created, renamed or
// removed since is back where that sync left it; a directory created since its parent's last
// SyncDir is gone with everything in it). With a torn-write generator, Reboot keeps a random
// prefix of each file's unsynced appended bytes as well, as a disk that wrote part of them in
// order does. Out-of-order persistence is not modelled (docs/wal-format.md says why recovery
// refuses it rather than guessing).
//
// SetCapacityBytes makes the file system small: a write that does not fit writes what does and
// the next one fails with ENOSPC, as a full disk does.
//
// Thread-safe (one mutex): the journal's writer thread and the test's threads use it together.
// Paths are absolute ("/data/wal/segment.001.wal"); "/" always exists.

#include <cerrno>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "stemedb/ground/env.h"

namespace stemedb {

class PowerCutEnv final : public Env {
 public:
  PowerCutEnv();

  // Arms a power cut at the nth changing call from now (1 = the very next); 0 disarms it.
  void CutPowerAtCall(uint64_t nth);
  void CutPowerNow();  // the next call and all after it fail
  bool power_off() const;
  // What the call that met the cut was ("pwrite /data/wal/segment.002.wal"; "none" after
  // CutPowerNow), empty before.
  std::string cut_call() const;
  // Changing calls made since the env was created (the cut's call included).
  uint64_t changing_calls() const;

  // Restores what was durable at the cut and turns the power back on. Every File and FileLock
  // handed out before must be gone. With torn, each file also keeps a prefix of random length
  // (drawn from torn) of the bytes appended after its last sync.
  void Reboot(std::mt19937_64* torn = nullptr);
  // A process crash instead (SIGKILL): the kernel still holds everything written, synced or
  // not, so nothing is reverted; the calls work again.
  void RestartProcess();

  // Total bytes the files may hold; UINT64_MAX (the default) is no limit.
  void SetCapacityBytes(uint64_t bytes);
  uint64_t used_bytes() const;

  Result<std::unique_ptr<File>> OpenFile(const std::string& path, OpenMode mode) override;
  Status SyncDir(const std::string& dir) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status CreateDirs(const std::string& dir) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  bool FileExists(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;
  Result<DiskSpace> GetDiskSpace(const std::string& dir) override;

 private:
  friend class PowerCutFile;
  friend class PowerCutFileLock;
  struct Inode {
    std::string data;    // what reads see
    std::string synced;  // what a power cut keeps
  };

  // Under mu_: 0 to go ahead with a changing call, or the errno to fail it with (EIO once the
  // power is off). `what` names the call for cut_call().
  int BeginChange(const std::string& what);
  int CheckPowerOn() const { return power_off_ ? EIO : 0; }
  uint64_t UsedLocked() const;
  // Writes at offset; returns the bytes written (what fits) or -errno.
  int64_t WriteLocked(Inode& inode, uint64_t offset, std::string_view data);
  bool DirExistsLocked(const std::string& dir) const { return dirs_.count(dir) != 0; }

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Inode>> files_;          // path -> file, as they are
  std::map<std::string, std::shared_ptr<Inode>> durable_files_;  // as of each dir's last sync
  std::set<std::string> dirs_;
  std::set<std::string> durable_dirs_;
  std::set<std::string> locked_;
  uint64_t capacity_bytes_ = UINT64_MAX;
  uint64_t changing_calls_ = 0;
  uint64_t cut_at_call_ = 0;  // absolute call number; 0: none armed
  bool power_off_ = false;
  std::string cut_call_;
};

}  // namespace stemedb

#pragma once
// An Env that forwards to another Env and fails chosen calls: the Nth write or fsync, every
// call from the Nth on, short writes, with the errno the test picks (EIO, ENOSPC, ...). It
// counts every call, so a test can prove that a failed fsync was never retried.
//
// Production code (not a test helper) because the crash-test writer binary uses it too.
// Thread-safe: the journal's writer thread and the test thread use it at the same time.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "stemedb/ground/env.h"

namespace stemedb {

enum class FaultOp : uint8_t {
  kOpen,
  kWrite,
  kRead,
  kDataSync,
  kSync,
  kTruncate,
  kSyncDir,
  kRename,
  kRemove,
  kLock,
};
inline constexpr size_t kFaultOpCount = 10;
const char* FaultOpName(FaultOp op);

class FaultInjectionEnv final : public Env {
 public:
  explicit FaultInjectionEnv(Env* base = Env::Default()) : base_(base) {}

  // The nth call of op from now on (1 = the very next one) fails with err and does nothing.
  // With sticky, that call and every later one fail (as libfiu's "enable" does).
  void FailNth(FaultOp op, uint64_t nth, int err, bool sticky = false);
  void FailAlways(FaultOp op, int err) { FailNth(op, 1, err, /*sticky=*/true); }
  // Every write writes at most max_bytes (a legal short write the caller must continue).
  // 0 turns it off.
  void SetShortWriteBytes(size_t max_bytes) { short_write_bytes_.store(max_bytes); }
  // Every write first sleeps this long: with short writes, a batch takes long enough to write
  // that a crash test's SIGKILL often lands in the middle of it.
  void SetWriteDelay(std::chrono::microseconds delay) { write_delay_us_.store(delay.count()); }
  void ClearFaults();

  // Calls made through this Env (failed ones included) since it was created.
  uint64_t Calls(FaultOp op) const;
  // Calls this Env failed on purpose.
  uint64_t InjectedFailures(FaultOp op) const;

  // Used by the files this Env hands out: counts the call and returns the errno to fail it
  // with, or 0 to let it through.
  int OnCall(FaultOp op);
  size_t short_write_bytes() const { return short_write_bytes_.load(); }
  std::chrono::microseconds write_delay() const {
    return std::chrono::microseconds(write_delay_us_.load());
  }

  Result<std::unique_ptr<File>> OpenFile(const std::string& path, OpenMode mode) override;
  Status SyncDir(const std::string& dir) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status CreateDirs(const std::string& dir) override { return base_->CreateDirs(dir); }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    return base_->ListDir(dir);
  }
  bool FileExists(const std::string& path) override { return base_->FileExists(path); }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;
  Result<DiskSpace> GetDiskSpace(const std::string& dir) override {
    return base_->GetDiskSpace(dir);
  }

 private:
  struct Fault {
    uint64_t fail_at_call = 0;  // absolute call number that fails first; 0: none
    int err = 0;
    bool sticky = false;
  };

  Env* base_;
  std::atomic<size_t> short_write_bytes_{0};
  std::atomic<int64_t> write_delay_us_{0};
  mutable std::mutex mu_;  // guards the arrays below
  std::array<uint64_t, kFaultOpCount> calls_{};
  std::array<uint64_t, kFaultOpCount> injected_{};
  std::array<Fault, kFaultOpCount> faults_{};
};

}  // namespace stemedb

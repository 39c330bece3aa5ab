#include "stemedb/ground/fault_injection_env.h"

#include <cerrno>
#include <thread>

namespace stemedb {
namespace {

size_t Index(FaultOp op) { return static_cast<size_t>(op); }

Status Injected(FaultOp op, const std::string& path, int err) {
  return Status::FromErrno(std::string(FaultOpName(op)) + " " + path + " (injected)", err);
}

class FaultFile final : public File {
 public:
  FaultFile(std::unique_ptr<File> base, FaultInjectionEnv* env)
      : base_(std::move(base)), env_(env) {}

  Result<size_t> WriteAt(uint64_t offset, std::string_view data) override {
    if (int err = env_->OnCall(FaultOp::kWrite)) return Injected(FaultOp::kWrite, path(), err);
    if (env_->write_delay().count() > 0) std::this_thread::sleep_for(env_->write_delay());
    size_t cap = env_->short_write_bytes();
    if (cap > 0 && data.size() > cap) data = data.substr(0, cap);
    return base_->WriteAt(offset, data);
  }
  Result<size_t> ReadAt(uint64_t offset, char* out, size_t n) override {
    if (int err = env_->OnCall(FaultOp::kRead)) return Injected(FaultOp::kRead, path(), err);
    return base_->ReadAt(offset, out, n);
  }
  Status DataSync() override {
    if (int err = env_->OnCall(FaultOp::kDataSync)) {
      return Injected(FaultOp::kDataSync, path(), err);
    }
    return base_->DataSync();
  }
  Status Sync() override {
    if (int err = env_->OnCall(FaultOp::kSync)) return Injected(FaultOp::kSync, path(), err);
    return base_->Sync();
  }
  Status Truncate(uint64_t size_bytes) override {
    if (int err = env_->OnCall(FaultOp::kTruncate)) {
      return Injected(FaultOp::kTruncate, path(), err);
    }
    return base_->Truncate(size_bytes);
  }
  Result<uint64_t> Size() override { return base_->Size(); }
  const std::string& path() const override { return base_->path(); }

 private:
  std::unique_ptr<File> base_;
  FaultInjectionEnv* env_;
};

}  // namespace

const char* FaultOpName(FaultOp op) {
  switch (op) {
    case FaultOp::kOpen:
      return "open";
    case FaultOp::kWrite:
      return "pwrite";
    case FaultOp::kRead:
      return "pread";
    case FaultOp::kDataSync:
      return "fdatasync";
    case FaultOp::kSync:
      return "fsync";
    case FaultOp::kTruncate:
      return "ftruncate";
    case FaultOp::kSyncDir:
      return "fsync directory";
    case FaultOp::kRename:
      return "rename";
    case FaultOp::kRemove:
      return "unlink";
    case FaultOp::kLock:
      return "flock";
  }
  return "unknown";
}

void FaultInjectionEnv::FailNth(FaultOp op, uint64_t nth, int err, bool sticky) {
  std::lock_guard lock(mu_);
  Fault& f = faults_[Index(op)];
  f.fail_at_call = nth == 0 ? 0 : calls_[Index(op)] + nth;
  f.err = err;
  f.sticky = sticky;
}

void FaultInjectionEnv::ClearFaults() {
  std::lock_guard lock(mu_);
  faults_ = {};
  short_write_bytes_.store(0);
  write_delay_us_.store(0);
}

uint64_t FaultInjectionEnv::Calls(FaultOp op) const {
  std::lock_guard lock(mu_);
  return calls_[Index(op)];
}

uint64_t FaultInjectionEnv::InjectedFailures(FaultOp op) const {
  std::lock_guard lock(mu_);
  return injected_[Index(op)];
}

int FaultInjectionEnv::OnCall(FaultOp op) {
  std::lock_guard lock(mu_);
  uint64_t call = ++calls_[Index(op)];
  const Fault& f = faults_[Index(op)];
  bool hit = f.fail_at_call != 0 && (call == f.fail_at_call || (f.sticky && call > f.fail_at_call));
  if (!hit) return 0;
  ++injected_[Index(op)];
  return f.err;
}

Result<std::unique_ptr<File>> FaultInjectionEnv::OpenFile(const std::string& path, OpenMode mode) {
  if (int err = OnCall(FaultOp::kOpen)) return Injected(FaultOp::kOpen, path, err);
  Result<std::unique_ptr<File>> base = base_->OpenFile(path, mode);
  if (!base.ok()) return base.status();
  return std::unique_ptr<File>(new FaultFile(std::move(base).value(), this));
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  if (int err = OnCall(FaultOp::kSyncDir)) return Injected(FaultOp::kSyncDir, dir, err);
  return base_->SyncDir(dir);
}

Status FaultInjectionEnv::Rename(const std::string& from, const std::string& to) {
  if (int err = OnCall(FaultOp::kRename)) return Injected(FaultOp::kRename, from, err);
  return base_->Rename(from, to);
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  if (int err = OnCall(FaultOp::kRemove)) return Injected(FaultOp::kRemove, path, err);
  return base_->RemoveFile(path);
}

Result<std::unique_ptr<FileLock>> FaultInjectionEnv::LockFile(const std::string& path) {
  if (int err = OnCall(FaultOp::kLock)) return Injected(FaultOp::kLock, path, err);
  return base_->LockFile(path);
}

}  // namespace stemedb

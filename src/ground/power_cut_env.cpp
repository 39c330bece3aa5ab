#include "stemedb/ground/power_cut_env.h"

#include <cerrno>

#include "stemedb/ground/check.h"

namespace stemedb {

class PowerCutFile final : public File {
 public:
  PowerCutFile(PowerCutEnv* env, std::shared_ptr<PowerCutEnv::Inode> inode, std::string path,
               bool writable)
      : env_(env), inode_(std::move(inode)), path_(std::move(path)), writable_(writable) {}

  Result<size_t> WriteAt(uint64_t offset, std::string_view data) override {
    std::lock_guard lock(env_->mu_);
    if (!writable_) return Status::FromErrno("pwrite " + path_, EBADF);
    if (int err = env_->BeginChange("pwrite " + path_)) return Status::FromErrno("pwrite " + path_, err);
    int64_t n = env_->WriteLocked(*inode_, offset, data);
    if (n < 0) return Status::FromErrno("pwrite " + path_, static_cast<int>(-n));
    return static_cast<size_t>(n);
  }

  Result<size_t> ReadAt(uint64_t offset, char* out, size_t n) override {
    std::lock_guard lock(env_->mu_);
    if (int err = env_->CheckPowerOn()) return Status::FromErrno("pread " + path_, err);
    const std::string& data = inode_->data;
    if (offset >= data.size()) return size_t{0};
    size_t got = std::min<uint64_t>(n, data.size() - offset);
    data.copy(out, got, offset);
    return got;
  }

  Status DataSync() override { return SyncAs("fdatasync "); }
  Status Sync() override { return SyncAs("fsync "); }

  Status Truncate(uint64_t size_bytes) override {
    std::lock_guard lock(env_->mu_);
    if (!writable_) return Status::FromErrno("ftruncate " + path_, EBADF);
    if (int err = env_->BeginChange("ftruncate " + path_)) {
      return Status::FromErrno("ftruncate " + path_, err);
    }
    std::string& data = inode_->data;
    if (size_bytes > data.size() &&
        size_bytes - data.size() > env_->capacity_bytes_ - env_->UsedLocked()) {
      return Status::FromErrno("ftruncate " + path_, ENOSPC);
    }
    data.resize(size_bytes, '\0');
    return Status::OK();
  }

  Result<uint64_t> Size() override {
    std::lock_guard lock(env_->mu_);
    if (int err = env_->CheckPowerOn()) return Status::FromErrno("fstat " + path_, err);
    return static_cast<uint64_t>(inode_->data.size());
  }

  const std::string& path() const override { return path_; }

 private:
  Status SyncAs(const std::string& call) {
    std::lock_guard lock(env_->mu_);
    if (int err = env_->BeginChange(call + path_)) return Status::FromErrno(call + path_, err);
    inode_->synced = inode_->data;
    return Status::OK();
  }

  PowerCutEnv* env_;
  std::shared_ptr<PowerCutEnv::Inode> inode_;
  std::string path_;
  bool writable_;
};

class PowerCutFileLock final : public FileLock {
 public:
  PowerCutFileLock(PowerCutEnv* env, std::string path) : env_(env), path_(std::move(path)) {}
  ~PowerCutFileLock() override {
    std::lock_guard lock(env_->mu_);
    env_->locked_.erase(path_);
  }

 private:
  PowerCutEnv* env_;
  std::string path_;
};

PowerCutEnv::PowerCutEnv() {
  dirs_.insert("/");
  durable_dirs_.insert("/");
}

void PowerCutEnv::CutPowerAtCall(uint64_t nth) {
  std::lock_guard lock(mu_);
  cut_at_call_ = nth == 0 ? 0 : changing_calls_ + nth;
}

void PowerCutEnv::CutPowerNow() {
  std::lock_guard lock(mu_);
  if (power_off_) return;
  power_off_ = true;
  cut_call_ = "none";  // between two calls
}

bool PowerCutEnv::power_off() const {
  std::lock_guard lock(mu_);
  return power_off_;
}

std::string PowerCutEnv::cut_call() const {
  std::lock_guard lock(mu_);
  return cut_call_;
}

uint64_t PowerCutEnv::changing_calls() const {
  std::lock_guard lock(mu_);
  return changing_calls_;
}

int PowerCutEnv::BeginChange(const std::string& what) {
  if (power_off_) return EIO;
  ++changing_calls_;
  if (cut_at_call_ != 0 && changing_calls_ >= cut_at_call_) {
    power_off_ = true;
    cut_call_ = what;
    return EIO;
  }
  return 0;
}

void PowerCutEnv::Reboot(std::mt19937_64* torn) {
  std::lock_guard lock(mu_);
  STEMEDB_CHECK(locked_.empty());  // the process that held them is gone
  // A directory survives when it and every directory above it were synced into their parents.
  std::set<std::string> dirs;
  for (const std::string& dir : durable_dirs_) {
    bool reachable = true;
    for (std::string up = dir; up != "/"; up = DirName(up)) {
      if (durable_dirs_.count(up) == 0) reachable = false;
    }
    if (reachable) dirs.insert(dir);
  }
  std::map<std::string, std::shared_ptr<Inode>> files;
  for (const auto& [path, inode] : durable_files_) {
    if (dirs.count(DirName(path)) != 0) files.emplace(path, inode);
  }
  std::set<Inode*> reverted;
  for (const auto& [path, inode] : files) {
    if (!reverted.insert(inode.get()).second) continue;  // two names of one file
    std::string kept = inode->synced;
    const std::string& data = inode->data;
    if (torn != nullptr && data.size() > kept.size() && data.compare(0, kept.size(), kept) == 0) {
      kept += data.substr(kept.size(), (*torn)() % (data.size() - kept.size() + 1));
    }
    inode->data = kept;
    inode->synced = std::move(kept);
  }
  files_ = files;
  durable_files_ = std::move(files);
  dirs_ = dirs;
  durable_dirs_ = std::move(dirs);
  power_off_ = false;
  cut_at_call_ = 0;
}

void PowerCutEnv::RestartProcess() {
  std::lock_guard lock(mu_);
  STEMEDB_CHECK(locked_.empty());
  power_off_ = false;
  cut_at_call_ = 0;
}

void PowerCutEnv::SetCapacityBytes(uint64_t bytes) {
  std::lock_guard lock(mu_);
  capacity_bytes_ = bytes;
}

uint64_t PowerCutEnv::used_bytes() const {
  std::lock_guard lock(mu_);
  return UsedLocked();
}

uint64_t PowerCutEnv::UsedLocked() const {
  std::set<const Inode*> seen;
  uint64_t used = 0;
  for (const auto& [path, inode] : files_) {
    if (seen.insert(inode.get()).second) used += inode->data.size();
  }
  return used;
}

int64_t PowerCutEnv::WriteLocked(Inode& inode, uint64_t offset, std::string_view data) {
  std::string& bytes = inode.data;
  const uint64_t used = UsedLocked();
  const uint64_t free = capacity_bytes_ > used ? capacity_bytes_ - used : 0;
  // The file may grow to its size plus what is free; a write past that writes what fits.
  const uint64_t end_max = bytes.size() + free;
  if (offset >= end_max) return -ENOSPC;
  const size_t n = std::min<uint64_t>(data.size(), end_max - offset);
  if (n == 0) return data.empty() ? 0 : -ENOSPC;
  if (offset + n > bytes.size()) bytes.resize(offset + n, '\0');
  bytes.replace(offset, n, data.substr(0, n));
  return static_cast<int64_t>(n);
}

Result<std::unique_ptr<File>> PowerCutEnv::OpenFile(const std::string& path, OpenMode mode) {
  std::lock_guard lock(mu_);
  const std::string call = "open " + path;
  if (mode == OpenMode::kCreateNew || mode == OpenMode::kCreateNewOwnerOnly) {  // modes: not kept
    if (int err = BeginChange(call)) return Status::FromErrno(call, err);
    if (!DirExistsLocked(DirName(path))) return Status::FromErrno(call, ENOENT);
    if (files_.count(path) != 0 || dirs_.count(path) != 0) return Status::FromErrno(call, EEXIST);
    auto inode = std::make_shared<Inode>();
    files_.emplace(path, inode);
    return std::unique_ptr<File>(new PowerCutFile(this, inode, path, true));
  }
  if (int err = CheckPowerOn()) return Status::FromErrno(call, err);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::FromErrno(call, ENOENT);
  return std::unique_ptr<File>(
      new PowerCutFile(this, it->second, path, mode == OpenMode::kReadWrite));
}

Status PowerCutEnv::SyncDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  const std::string call = "fsync directory " + dir;
  if (int err = BeginChange(call)) return Status::FromErrno(call, err);
  if (!DirExistsLocked(dir)) return Status::FromErrno(call, ENOENT);
  std::erase_if(durable_files_, [&](const auto& e) { return DirName(e.first) == dir; });
  for (const auto& [path, inode] : files_) {
    if (DirName(path) == dir) durable_files_.emplace(path, inode);
  }
  std::erase_if(durable_dirs_, [&](const std::string& d) { return d != "/" && DirName(d) == dir; });
  for (const std::string& d : dirs_) {
    if (d != "/" && DirName(d) == dir) durable_dirs_.insert(d);
  }
  return Status::OK();
}

Status PowerCutEnv::Rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  const std::string call = "rename " + from + " to " + to;
  if (int err = BeginChange(call)) return Status::FromErrno(call, err);
  auto it = files_.find(from);
  if (it == files_.end()) return Status::FromErrno(call, ENOENT);
  if (!DirExistsLocked(DirName(to))) return Status::FromErrno(call, ENOENT);
  std::shared_ptr<Inode> inode = it->second;
  files_.erase(it);
  files_[to] = std::move(inode);
  return Status::OK();
}

Status PowerCutEnv::RemoveFile(const std::string& path) {
  std::lock_guard lock(mu_);
  const std::string call = "unlink " + path;
  if (int err = BeginChange(call)) return Status::FromErrno(call, err);
  if (files_.erase(path) == 0) return Status::FromErrno(call, ENOENT);
  return Status::OK();
}

Status PowerCutEnv::CreateDirs(const std::string& dir) {
  std::lock_guard lock(mu_);
  const std::string call = "mkdir " + dir;
  STEMEDB_CHECK(!dir.empty() && dir.front() == '/');
  std::vector<std::string> missing;
  for (std::string up = dir; up != "/" && !DirExistsLocked(up); up = DirName(up)) {
    if (files_.count(up) != 0) return Status::FromErrno(call, ENOTDIR);
    missing.push_back(up);
  }
  if (missing.empty()) return CheckPowerOn() != 0 ? Status::FromErrno(call, EIO) : Status::OK();
  if (int err = BeginChange(call)) return Status::FromErrno(call, err);
  dirs_.insert(missing.begin(), missing.end());
  return Status::OK();
}

Result<std::vector<std::string>> PowerCutEnv::ListDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (int err = CheckPowerOn()) return Status::FromErrno("opendir " + dir, err);
  if (!DirExistsLocked(dir)) return Status::FromErrno("opendir " + dir, ENOENT);
  std::vector<std::string> names;
  for (const auto& [path, inode] : files_) {
    if (DirName(path) == dir) names.push_back(BaseName(path));
  }
  for (const std::string& d : dirs_) {
    if (d != "/" && DirName(d) == dir) names.push_back(BaseName(d));
  }
  return names;
}

bool PowerCutEnv::FileExists(const std::string& path) {
  std::lock_guard lock(mu_);
  return !power_off_ && (files_.count(path) != 0 || dirs_.count(path) != 0);
}

Result<std::unique_ptr<FileLock>> PowerCutEnv::LockFile(const std::string& path) {
  std::lock_guard lock(mu_);
  const std::string call = "open " + path;
  if (files_.count(path) == 0) {
    if (int err = BeginChange(call)) return Status::FromErrno(call, err);
    if (!DirExistsLocked(DirName(path))) return Status::FromErrno(call, ENOENT);
    files_.emplace(path, std::make_shared<Inode>());
  } else if (int err = CheckPowerOn()) {
    return Status::FromErrno(call, err);
  }
  if (!locked_.insert(path).second) {
    return Status::FailedPrecondition("lock " + path + " is held by another process");
  }
  return std::unique_ptr<FileLock>(new PowerCutFileLock(this, path));
}

Result<DiskSpace> PowerCutEnv::GetDiskSpace(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (int err = CheckPowerOn()) return Status::FromErrno("statvfs " + dir, err);
  DiskSpace space;
  space.total_bytes = capacity_bytes_;
  const uint64_t used = UsedLocked();
  space.free_bytes = capacity_bytes_ > used ? capacity_bytes_ - used : 0;
  return space;
}

}  // namespace stemedb

#include "stemedb/ground/posix_env.h"

#include <dirent.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace stemedb {
namespace {

class PosixFile final : public File {
 public:
  PosixFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixFile() override {
    // Data files are synced before they are dropped, so a close error cannot lose data here.
    if (::close(fd_) != 0) spdlog::warn("close {}: errno {}", path_, errno);
  }

  Result<size_t> WriteAt(uint64_t offset, std::string_view data) override {
    ssize_t n;
    do {
      n = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(offset));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return Status::FromErrno("pwrite " + path_, errno);
    return static_cast<size_t>(n);
  }

  Result<size_t> ReadAt(uint64_t offset, char* out, size_t n) override {
    ssize_t got;
    do {
      got = ::pread(fd_, out, n, static_cast<off_t>(offset));
    } while (got < 0 && errno == EINTR);
    if (got < 0) return Status::FromErrno("pread " + path_, errno);
    return static_cast<size_t>(got);
  }

  // Never retried, not even on EINTR: after a failed sync the kernel may have dropped the
  // dirty pages, so a second call can report success for data that is gone.
  Status DataSync() override {
    if (::fdatasync(fd_) != 0) return Status::FromErrno("fdatasync " + path_, errno);
    return Status::OK();
  }

  Status Sync() override {
    if (::fsync(fd_) != 0) return Status::FromErrno("fsync " + path_, errno);
    return Status::OK();
  }

  Status Truncate(uint64_t size_bytes) override {
    if (::ftruncate(fd_, static_cast<off_t>(size_bytes)) != 0) {
      return Status::FromErrno("ftruncate " + path_, errno);
    }
    return Status::OK();
  }

  Result<uint64_t> Size() override {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return Status::FromErrno("fstat " + path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // closing the descriptor releases the flock

 private:
  int fd_;
};

int OpenFlags(OpenMode mode) {
  switch (mode) {
    case OpenMode::kReadOnly:
      return O_RDONLY | O_CLOEXEC;
    case OpenMode::kReadWrite:
      return O_RDWR | O_CLOEXEC;
    case OpenMode::kCreateNew:
    case OpenMode::kCreateNewOwnerOnly:
      return O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC;
  }
  return O_RDONLY | O_CLOEXEC;
}

mode_t CreateMode(OpenMode mode) { return mode == OpenMode::kCreateNewOwnerOnly ? 0600 : 0644; }

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();  // leaked on purpose: used until process exit
  return env;
}

Result<std::unique_ptr<File>> PosixEnv::OpenFile(const std::string& path, OpenMode mode) {
  int fd = ::open(path.c_str(), OpenFlags(mode), CreateMode(mode));
  if (fd < 0) return Status::FromErrno("open " + path, errno);
  return std::unique_ptr<File>(new PosixFile(path, fd));
}

Status PosixEnv::SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open directory " + dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::FromErrno("fsync directory " + dir, err);
  return Status::OK();
}

Status PosixEnv::Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return Status::FromErrno("rename " + from + " to " + to, errno);
  }
  return Status::OK();
}

Status PosixEnv::RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return Status::FromErrno("unlink " + path, errno);
  return Status::OK();
}

Status PosixEnv::CreateDirs(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::FromErrno("create directory " + dir, ec.value());
  return Status::OK();
}

Result<std::vector<std::string>> PosixEnv::ListDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Status::FromErrno("opendir " + dir, errno);
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return Status::FromErrno("readdir " + dir, err);
  return names;
}

bool PosixEnv::FileExists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

Result<std::unique_ptr<FileLock>> PosixEnv::LockFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno("open " + path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::FailedPrecondition("lock " + path + " is held by another process");
    }
    return Status::FromErrno("flock " + path, err);
  }
  return std::unique_ptr<FileLock>(new PosixFileLock(fd));
}

Result<DiskSpace> PosixEnv::GetDiskSpace(const std::string& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return Status::FromErrno("statvfs " + dir, errno);
  DiskSpace space;
  space.total_bytes = static_cast<uint64_t>(st.f_blocks) * st.f_frsize;
  space.free_bytes = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  return space;
}

}  // namespace stemedb

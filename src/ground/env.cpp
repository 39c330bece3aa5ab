#include "stemedb/ground/env.h"

#include <cerrno>

namespace stemedb {

Status WriteFully(File& file, uint64_t offset, std::string_view data) {
  // Each round writes at least one byte, so the loop ends after at most data.size() rounds.
  while (!data.empty()) {
    Result<size_t> n = file.WriteAt(offset, data);
    if (!n.ok()) return n.status();
    if (*n == 0 || *n > data.size()) {
      return Status::IOError("write to " + BaseName(file.path()) + " made no progress", EIO);
    }
    offset += *n;
    data.remove_prefix(*n);
  }
  return Status::OK();
}

Result<size_t> ReadFully(File& file, uint64_t offset, char* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    Result<size_t> got = file.ReadAt(offset + done, out + done, n - done);
    if (!got.ok()) return got.status();
    if (*got == 0) break;  // end of file
    done += *got;
  }
  return done;
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace stemedb

#include "fuzz_support.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "stemedb/ground/check.h"
#include "support/temp_dir.h"

namespace stemedb::fuzz {

const std::string& ScratchDir() {
  static const std::unique_ptr<testing::TempDir> dir = [] {
    struct stat st {};
    if (::stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && ::access("/dev/shm", W_OK) == 0) {
      ::setenv("TMPDIR", "/dev/shm", 1);  // TempDir makes its directory under $TMPDIR
    }
    return std::make_unique<testing::TempDir>();
  }();
  return dir->path();
}

std::string WriteScratchFile(const std::string& name, std::string_view bytes, unsigned mode) {
  const std::string path = ScratchDir() + "/" + name;
  ::unlink(path.c_str());  // a fresh file: O_CREAT keeps an old file's mode
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  STEMEDB_CHECK(fd >= 0);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    STEMEDB_CHECK(n > 0);
    done += static_cast<size_t>(n);
  }
  STEMEDB_CHECK(::close(fd) == 0);
  return path;
}

std::vector<std::string_view> SplitAt(std::string_view text, std::string_view separator) {
  STEMEDB_CHECK(!separator.empty());
  std::vector<std::string_view> parts;
  for (;;) {
    const size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + separator.size());
  }
}

}  // namespace stemedb::fuzz

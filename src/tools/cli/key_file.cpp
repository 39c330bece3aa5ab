#include "key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_error.h"
#include "stemedb/core/hex.h"

namespace stemedb::cli {
namespace {

using nlohmann::json;

[[noreturn]] void KeyFileError(const std::string& path, const std::string& problem) {
  UsageError("key file " + path + ": " + problem);
}

std::string ErrnoText(int err) { return std::string(std::strerror(err)) + " (errno " + std::to_string(err) + ")"; }

// Closes the descriptor on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string RequiredHex(const json& body, const char* member, const std::string& path) {
  const json value = body.value(member, json());
  if (!value.is_string()) KeyFileError(path, std::string(member) + ": missing, or not a string");
  return value.get<std::string>();
}

std::string ReadSmallFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) KeyFileError(path, "cannot open: " + ErrnoText(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) KeyFileError(path, "cannot stat: " + ErrnoText(errno));
  if (!S_ISREG(st.st_mode)) KeyFileError(path, "not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    KeyFileError(path, std::string("mode ") + mode + " lets others read the private key; it must be 0600 (chmod 600 " +
                           path + ")");
  }
  if (st.st_size > static_cast<off_t>(kKeyFileBytesMax)) {
    KeyFileError(path, std::to_string(st.st_size) + " bytes exceeds the limit of " + std::to_string(kKeyFileBytesMax));
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  ssize_t n = ::read(fd.get(), text.data(), text.size());
  if (n < 0) KeyFileError(path, "cannot read: " + ErrnoText(errno));
  text.resize(static_cast<size_t>(n));
  return text;
}

void WriteAll(int fd, const std::string& text, const std::string& path) {
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) KeyFileError(path, "cannot write: " + ErrnoText(errno));
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) KeyFileError(path, "cannot fsync: " + ErrnoText(errno));
}

// The rename or link that published the file survives a crash only once its directory is synced.
void SyncDirectoryOf(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) KeyFileError(path, "cannot sync its directory: " + ErrnoText(errno));
}

// Moves the finished temporary file to `path`: link() refuses an existing target atomically,
// rename() replaces it.
void Publish(const std::string& tmp, const std::string& path, bool force) {
  if (force) {
    if (::rename(tmp.c_str(), path.c_str()) == 0) return;
    const int err = errno;
    ::unlink(tmp.c_str());
    KeyFileError(path, "cannot replace: " + ErrnoText(err));
  }
  const int rc = ::link(tmp.c_str(), path.c_str());
  const int err = errno;
  ::unlink(tmp.c_str());
  if (rc == 0) return;
  if (err == EEXIST) KeyFileError(path, "exists; --force replaces it (the agent it holds is then lost)");
  KeyFileError(path, "cannot create: " + ErrnoText(err));
}

}  // namespace

std::string KeyFileText(const core::Seed& seed) {
  const core::Ed25519KeyPair key(seed);
  nlohmann::ordered_json body = {{"format", kKeyFileFormat},
                                 {"agent_id", core::HexEncode(key.public_key())},
                                 {"seed", core::HexEncode(seed)}};
  return body.dump() + "\n";
}

core::Ed25519KeyPair ParseKeyFile(std::string_view text, const std::string& path) {
  const json body = json::parse(text, nullptr, false);
  if (!body.is_object()) KeyFileError(path, "not a JSON object (expected a file written by stemedb keygen)");
  if (body.value("format", json()) != kKeyFileFormat) {
    KeyFileError(path, "format: expected \"" + std::string(kKeyFileFormat) + "\"");
  }
  auto seed = core::HexDecodeArray<core::kSeedBytes>(RequiredHex(body, "seed", path));
  if (!seed.ok()) KeyFileError(path, "seed: " + seed.status().message());
  auto agent_id = core::HexDecodeArray<core::kPublicKeyBytes>(RequiredHex(body, "agent_id", path));
  if (!agent_id.ok()) KeyFileError(path, "agent_id: " + agent_id.status().message());
  core::Ed25519KeyPair key(*seed);
  sodium_memzero(seed->data(), seed->size());
  if (key.public_key() != *agent_id) KeyFileError(path, "agent_id is not the public key of the seed (a damaged file?)");
  return key;
}

core::Ed25519KeyPair ReadKeyFile(const std::string& path) {
  std::string text = ReadSmallFile(path);
  core::Ed25519KeyPair key = ParseKeyFile(text, path);
  sodium_memzero(text.data(), text.size());
  return key;
}

core::PublicKey WriteNewKeyFile(const std::string& path, bool force) {
  core::EnsureSodiumInitialized();
  core::Seed seed;
  randombytes_buf(seed.data(), seed.size());
  std::string text = KeyFileText(seed);
  const core::PublicKey agent_id = core::Ed25519KeyPair(seed).public_key();
  sodium_memzero(seed.data(), seed.size());

  std::string tmp = path + ".tmp-XXXXXX";
  {
    Fd fd(::mkstemp(tmp.data()));  // mode 0600, whatever the umask
    if (fd.get() < 0) KeyFileError(path, "cannot create a file beside it: " + ErrnoText(errno));
    try {
      WriteAll(fd.get(), text, path);
    } catch (const CliError&) {
      ::unlink(tmp.c_str());
      throw;
    }
  }
  sodium_memzero(text.data(), text.size());
  Publish(tmp, path, force);
  SyncDirectoryOf(path);
  return agent_id;
}

}  // namespace stemedb::cli

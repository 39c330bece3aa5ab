#include "stemedb/http/api_keys.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "stemedb/core/hex.h"
#include "stemedb/core/sha256.h"

namespace stemedb::http {
namespace {

constexpr size_t kKeyIdHexChars = 16;
constexpr size_t kSecretHexChars = 64;
constexpr size_t kRootKeyCharsMin = 32;
constexpr size_t kPresentedCharsMax = 256;

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return core::HexEncode(std::string_view(raw));
}

bool DigestEquals(const core::Hash32& a, const core::Hash32& b) {
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kRead: return "read";
    case Role::kWrite: return "write";
    case Role::kAdmin: return "admin";
  }
  return "read";
}

std::optional<Role> RoleFromName(std::string_view name) {
  if (name == "read") return Role::kRead;
  if (name == "write") return Role::kWrite;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

NewKey GenerateKey() {
  NewKey k;
  k.key_id = RandomHex(kKeyIdHexChars / 2);
  const std::string secret = RandomHex(kSecretHexChars / 2);
  k.secret_text = "sdb_" + k.key_id + "_" + secret;
  k.secret_hash = core::Sha256(secret);
  return k;
}

std::optional<Identity> KeyVerifier::Verify(std::string_view presented) const {
  if (presented.empty() || presented.size() > kPresentedCharsMax) return std::nullopt;
  // Issued keys name their id, so lookup is one map probe; anything else can only be the root key.
  if (presented.size() == 4 + kKeyIdHexChars + 1 + kSecretHexChars && presented.substr(0, 4) == "sdb_" &&
      presented[4 + kKeyIdHexChars] == '_') {
    const std::string key_id(presented.substr(4, kKeyIdHexChars));
    if (auto key = catalog_.FindApiKey(key_id)) {
      const core::Hash32 digest = core::Sha256(presented.substr(4 + kKeyIdHexChars + 1));
      if (!key->revoked && DigestEquals(digest, key->created.secret_hash)) {
        auto role = RoleFromName(key->created.role);
        if (role) return Identity{key_id, *role};
      }
      return std::nullopt;
    }
  }
  if (DigestEquals(core::Sha256(presented), root_digest_)) return Identity{"root", Role::kAdmin};
  return std::nullopt;
}

Result<core::Hash32> LoadOrCreateRootKey(const std::string& configured, const std::string& path, bool* generated) {
  *generated = false;
  if (!configured.empty()) {
    if (configured.size() < kRootKeyCharsMin) {
      return Status::InvalidArgument("auth.root_api_key (STEMEDB_ROOT_API_KEY) must be at least " +
                                     std::to_string(kRootKeyCharsMin) + " characters");
    }
    return core::Sha256(configured);
  }
  std::ifstream in(path);
  if (in) {
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
      return Status::FailedPrecondition(path + " is readable by group or others (mode " +
                                        std::to_string(st.st_mode & 0777) + "); chmod 600 it");
    }
    std::string key;
    std::getline(in, key);
    if (key.size() < kRootKeyCharsMin) return Status::Corruption(path + " does not hold a root key");
    return core::Sha256(key);
  }
  const std::string key = GenerateKey().secret_text;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno("create root key file " + path, errno);
  const std::string line = key + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) return Status::FromErrno("write root key file " + path, err);
  *generated = true;
  return core::Sha256(key);
}

}  // namespace stemedb::http

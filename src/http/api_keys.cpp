#include "stemedb/http/api_keys.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <fstream>

#include "stemedb/core/hex.h"
#include "stemedb/core/sha256.h"
#include "stemedb/ground/durable_file.h"

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

// The digest of the key a previous start generated into path; the file must be private.
Result<core::Hash32> ReadRootKey(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::FromErrno("stat root key file " + path, errno);
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::FailedPrecondition(path + " is readable by group or others (mode " + mode + "); chmod 600 it");
  }
  std::ifstream in(path);
  if (!in) return Status::FromErrno("read root key file " + path, errno);
  std::string key;
  std::getline(in, key);
  if (key.size() < kRootKeyCharsMin) return Status::Corruption(path + " does not hold a root key");
  return core::Sha256(key);
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kRead: return "read";
    case Role::kWrite: return "write";
    case Role::kAdmin: return "admin";
    case Role::kReplication: return "replication";
  }
  return "read";
}

std::optional<Role> RoleFromName(std::string_view name) {
  if (name == "read") return Role::kRead;
  if (name == "write") return Role::kWrite;
  if (name == "admin") return Role::kAdmin;
  if (name == "replication") return Role::kReplication;
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

Result<core::Hash32> LoadOrCreateRootKey(Env& env, const std::string& configured, const std::string& path,
                                         bool* generated) {
  *generated = false;
  if (!configured.empty()) {
    if (configured.size() < kRootKeyCharsMin) {
      return Status::InvalidArgument("auth.root_api_key (STEMEDB_ROOT_API_KEY) must be at least " +
                                     std::to_string(kRootKeyCharsMin) + " characters");
    }
    return core::Sha256(configured);
  }
  if (env.FileExists(path)) return ReadRootKey(path);
  // Written through the Env, durably (fsync, rename, directory fsync): a key handed to the
  // operator must not vanish in a power cut, and a failed fsync stops the start-up.
  const std::string key = GenerateKey().secret_text;
  STEMEDB_RETURN_IF_ERROR(WriteFileDurably(env, path, key + "\n", FileAccess::kOwnerOnly));
  *generated = true;
  return core::Sha256(key);
}

}  // namespace stemedb::http

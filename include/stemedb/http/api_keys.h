#pragma once
// API keys: who a request is, and what it may do.
//
// A key is shown to its owner once, as `sdb_<key_id>_<secret>` (16 + 64 hex characters). The
// server keeps only the key id, the role and SHA-256 of the secret (written through the WAL like
// every other record), and compares digests in constant time. The root admin key comes from
// configuration (auth.root_api_key / STEMEDB_ROOT_API_KEY, any string of 32+ characters) or is
// generated at first start into <data_dir>/root.key (mode 0600); only its digest is held in
// memory.

#include <optional>
#include <string>
#include <string_view>

#include "stemedb/ground/env.h"
#include "stemedb/ground/status.h"
#include "stemedb/core/types.h"
#include "stemedb/storage/catalog.h"

namespace stemedb::http {

// read < write < admin, each allowed what the one before is; replication is apart: the WAL
// stream and its acks only (RoleAllows).
enum class Role { kRead = 0, kWrite = 1, kAdmin = 2, kReplication = 3 };

const char* RoleName(Role role);
std::optional<Role> RoleFromName(std::string_view name);

struct Identity {
  std::string key_id;  // "root" for the root key
  Role role;
};

struct NewKey {
  std::string key_id;
  std::string secret_text;  // the whole key to hand out once: sdb_<id>_<secret>
  core::Hash32 secret_hash;
};

// A fresh random key.
NewKey GenerateKey();

class KeyVerifier {
 public:
  KeyVerifier(const storage::Catalog& catalog, const core::Hash32& root_key_digest)
      : catalog_(catalog), root_digest_(root_key_digest) {}
  // The identity a presented key proves, or nullopt (unknown, malformed, revoked).
  std::optional<Identity> Verify(std::string_view presented) const;

 private:
  const storage::Catalog& catalog_;
  core::Hash32 root_digest_;
};

// The root key: from configuration when set, else read from `path` (which must be mode 0600),
// else generated into `path` through `env` (0600, written to a temporary file, fsynced, renamed,
// directory fsynced; every failure returned). Two daemons never race here: the WAL directory
// lock is taken first. Returns its SHA-256; *generated says whether it was just made.
Result<core::Hash32> LoadOrCreateRootKey(Env& env, const std::string& configured, const std::string& path,
                                         bool* generated);

}  // namespace stemedb::http

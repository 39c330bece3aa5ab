#pragma once
// Agent key files (docs/cli.md, "Key files"): one Ed25519 seed per file, as JSON
//
//   {"format": "stemedb-ed25519-seed-v1", "agent_id": "<64 hex>", "seed": "<64 hex>"}
//
// The seed is the private key; agent_id is its public key, stored so a reader can tell which
// agent a file belongs to and so a damaged seed is caught. Files are written with mode 0600 and
// refused when group or others may read them (as ssh does), so a key never leaks by a copy
// with loose permissions.

#include <string>
#include <string_view>

#include "stemedb/core/ed25519.h"

namespace stemedb::cli {

inline constexpr std::string_view kKeyFileFormat = "stemedb-ed25519-seed-v1";
inline constexpr size_t kKeyFileBytesMax = 4096;

// The file's text for `seed`, newline-terminated.
std::string KeyFileText(const core::Seed& seed);

// Parses a key file's text; `path` names the file in errors (usage errors).
core::Ed25519KeyPair ParseKeyFile(std::string_view text, const std::string& path);

// Reads and parses the file, refusing one that is not a regular file, is larger than
// kKeyFileBytesMax, or has any group or other permission bit.
core::Ed25519KeyPair ReadKeyFile(const std::string& path);

// Writes a new random key to `path` (mode 0600, fsynced, atomically: a reader never sees half a
// file). Refuses an existing file unless `force`, which replaces it. Returns the new agent id.
core::PublicKey WriteNewKeyFile(const std::string& path, bool force);

}  // namespace stemedb::cli

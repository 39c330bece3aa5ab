// Key files and presented keys: the CLI's agent key file (src/tools/cli/key_file.cpp), the
// daemon's root key, configured or read from <data_dir>/root.key (src/http/api_keys.cpp), and
// the API key a client presents in X-API-Key (KeyVerifier).
//
// The input is cut at the separator "%%next" into: the agent key file's text, the root.key
// file's text, and a presented key (absent parts are empty). The first byte of the key file
// part picks the file's mode (0600 or 0644, which must be refused).
//
// Checked beyond "no crash": a key file that parses names the public key of its seed, and the
// file `stemedb keygen` writes for that seed parses to the same key; bad files end in the CLI's
// usage error (exit 2); the root key read from a file proves the root identity when presented.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_error.h"
#include "cli/key_file.h"
#include "fuzz_support.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/sha256.h"
#include "stemedb/ground/check.h"
#include "stemedb/http/api_keys.h"

namespace stemedb {
namespace {

// A catalog holding one issued key (sdb_00112233445566aa_<64 x 'a'>, role write), so presented
// keys of the issued form also reach the lookup and the digest comparison.
const storage::Catalog& CatalogWithOneKey() {
  static const storage::Catalog* catalog = [] {
    auto* c = new storage::Catalog();
    c->AddApiKey({.key_id = "00112233445566aa", .role = "write",
                  .secret_hash = core::Sha256(std::string(64, 'a')), .name = "fuzz", .created_at_s = 0});
    return c;
  }();
  return *catalog;
}

void AgentKeyFile(std::string_view text) {
  const unsigned mode = !text.empty() && (text[0] & 1) ? 0644 : 0600;
  const std::string path = fuzz::WriteScratchFile("agent.key", text, mode);
  try {
    const core::Ed25519KeyPair key = cli::ReadKeyFile(path);
    STEMEDB_CHECK(mode == 0600);
    // The file keygen writes for the same seed holds the same key.
    const std::string seed_hex = nlohmann::json::parse(text)["seed"];
    Result<core::Seed> seed = core::HexDecodeArray<core::kSeedBytes>(seed_hex);
    STEMEDB_CHECK(seed.ok());
    const core::Ed25519KeyPair again = cli::ParseKeyFile(cli::KeyFileText(*seed), path);
    STEMEDB_CHECK(again.public_key() == key.public_key());
  } catch (const cli::CliError& e) {
    STEMEDB_CHECK(e.code() == cli::kExitUsage);
  }
}

// Returns the root key's digest when the file holds one.
std::optional<core::Hash32> RootKeyFile(std::string_view text) {
  const std::string path = fuzz::WriteScratchFile("root.key", text);
  bool generated = false;
  Result<core::Hash32> digest = http::LoadOrCreateRootKey(*Env::Default(), "", path, &generated);
  STEMEDB_CHECK(!generated);  // the file exists: it is read, never replaced
  if (!digest.ok()) return std::nullopt;
  // The configured form of the same key (auth.root_api_key) must give the same digest.
  const std::string_view first_line = text.substr(0, text.find('\n'));
  Result<core::Hash32> configured = http::LoadOrCreateRootKey(*Env::Default(), std::string(first_line), path, &generated);
  STEMEDB_CHECK(configured.ok() && *configured == *digest);
  return *digest;
}

void PresentedKey(std::string_view presented, const core::Hash32& root_digest, std::string_view root_key) {
  const http::KeyVerifier verifier(CatalogWithOneKey(), root_digest);
  std::optional<http::Identity> who = verifier.Verify(presented);
  if (who && who->key_id != "root") STEMEDB_CHECK(who->key_id == "00112233445566aa" && who->role == http::Role::kWrite);
  if (!root_key.empty()) {
    std::optional<http::Identity> root = verifier.Verify(root_key);
    // Unless the root key is shaped like an issued key (which the lookup answers first).
    if (!root_key.starts_with("sdb_")) STEMEDB_CHECK(root && root->key_id == "root" && root->role == http::Role::kAdmin);
  }
}

}  // namespace
}  // namespace stemedb

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stemedb;
  const std::vector<std::string_view> parts = fuzz::SplitAt(fuzz::AsText(data, size), "%%next");
  const auto part = [&parts](size_t i) { return i < parts.size() ? parts[i] : std::string_view(); };
  AgentKeyFile(part(0));
  std::optional<core::Hash32> root = RootKeyFile(part(1));
  const std::string_view root_key = root ? part(1).substr(0, part(1).find('\n')) : std::string_view();
  PresentedKey(part(2), root.value_or(core::Sha256(std::string("not a key anyone presents: fuzz"))),
               root_key.size() <= 256 ? root_key : std::string_view());
  return 0;
}

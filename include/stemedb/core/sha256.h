#pragma once
// SHA-256 through OpenSSL's EVP interface: record ids and source content hashes.

#include <openssl/types.h>

#include <string_view>

#include "stemedb/core/types.h"

namespace stemedb::core {

// One-shot digest of `bytes`.
Hash32 Sha256(std::string_view bytes);

// Incremental digest, for inputs that arrive in pieces. Not copyable; Final() ends it.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(std::string_view bytes);
  // The digest of everything passed to Update. Call once; the hasher is spent afterwards.
  Hash32 Final();

 private:
  EVP_MD_CTX* ctx_;
  bool finished_ = false;
};

}  // namespace stemedb::core

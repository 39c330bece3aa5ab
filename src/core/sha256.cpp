#include "stemedb/core/sha256.h"

#include <openssl/evp.h>

#include "stemedb/ground/check.h"

namespace stemedb::core {
namespace {

// OpenSSL 3 looks an algorithm up in its provider tables on every implicit use of EVP_sha256();
// fetching it once saves that on every digest. The static is initialised thread-safely.
const EVP_MD* Sha256Algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  STEMEDB_CHECK(md != nullptr);
  return md;
}

}  // namespace

Hash32 Sha256(std::string_view bytes) {
  Sha256Hasher hasher;
  hasher.Update(bytes);
  return hasher.Final();
}

// EVP calls fail only when OpenSSL cannot allocate or its default provider is missing: the
// process cannot hash anything then, so these are checks, not errors to return.
Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  STEMEDB_CHECK(ctx_ != nullptr);
  STEMEDB_CHECK(EVP_DigestInit_ex(ctx_, Sha256Algorithm(), nullptr) == 1);
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(ctx_); }

void Sha256Hasher::Update(std::string_view bytes) {
  STEMEDB_CHECK(!finished_);
  STEMEDB_CHECK(EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()) == 1);
}

Hash32 Sha256Hasher::Final() {
  STEMEDB_CHECK(!finished_);
  finished_ = true;
  Hash32 out{};
  unsigned int length = 0;
  STEMEDB_CHECK(EVP_DigestFinal_ex(ctx_, out.data(), &length) == 1);
  STEMEDB_CHECK(length == out.size());
  return out;
}

}  // namespace stemedb::core

#include "stemedb/core/ed25519.h"

#include <sodium.h>

#include "stemedb/ground/check.h"

namespace stemedb::core {

static_assert(crypto_sign_PUBLICKEYBYTES == kPublicKeyBytes);
static_assert(crypto_sign_SEEDBYTES == kSeedBytes);
static_assert(crypto_sign_BYTES == kSignatureBytes);
static_assert(crypto_sign_SECRETKEYBYTES == 64);

void EnsureSodiumInitialized() {
  // A function-local static is initialised exactly once, even under concurrent first calls.
  // sodium_init returns 1 when already initialised (by another library), which is fine.
  static const int result = sodium_init();
  STEMEDB_CHECK(result >= 0);
}

Ed25519KeyPair::Ed25519KeyPair(const Seed& seed) {
  EnsureSodiumInitialized();
  STEMEDB_CHECK(crypto_sign_seed_keypair(public_key_.data(), secret_key_.data(), seed.data()) == 0);
}

Ed25519KeyPair::~Ed25519KeyPair() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

SignatureBytes Ed25519KeyPair::Sign(std::string_view message) const {
  SignatureBytes signature{};
  unsigned long long signature_length = 0;
  STEMEDB_CHECK(crypto_sign_detached(signature.data(), &signature_length,
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), secret_key_.data()) == 0);
  STEMEDB_CHECK(signature_length == signature.size());
  return signature;
}

bool Ed25519Verify(const PublicKey& public_key, std::string_view message,
                   const SignatureBytes& signature) {
  EnsureSodiumInitialized();
  return crypto_sign_verify_detached(signature.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), public_key.data()) == 0;
}

}  // namespace stemedb::core

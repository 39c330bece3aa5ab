#pragma once
// Ed25519 (RFC 8032, pure: the message is signed as is, no pre-hash) through libsodium.
//
// Verification is libsodium's crypto_sign_verify_detached, which is stricter than RFC 8032
// requires: it refuses non-canonical signatures (S >= L) and small-order public keys. An honest
// signer never produces either, so this only closes malleability doors.

#include <string_view>

#include "stemedb/core/types.h"

namespace stemedb::core {

// An agent's key pair derived from its 32-byte seed. The secret half is wiped on destruction.
class Ed25519KeyPair {
 public:
  explicit Ed25519KeyPair(const Seed& seed);
  ~Ed25519KeyPair();
  Ed25519KeyPair(const Ed25519KeyPair& other) = default;
  Ed25519KeyPair& operator=(const Ed25519KeyPair& other) = default;

  const PublicKey& public_key() const { return public_key_; }
  SignatureBytes Sign(std::string_view message) const;

 private:
  PublicKey public_key_{};
  // libsodium's secret key form: seed || public key.
  std::array<uint8_t, 64> secret_key_{};
};

// True when `signature` is `public_key`'s signature of `message`.
bool Ed25519Verify(const PublicKey& public_key, std::string_view message,
                   const SignatureBytes& signature);

// libsodium must be initialised once before use; every function here does it on first call
// (thread-safe). Exposed so a daemon can do it at start and fail early.
void EnsureSodiumInitialized();

}  // namespace stemedb::core

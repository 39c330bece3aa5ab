#pragma once
// Fixed-size binary values: content ids, Ed25519 public keys and seeds, signatures.
// They travel as lowercase hex over HTTP (hex.h) and as raw bytes in canonical encodings.

#include <array>
#include <cstdint>
#include <string>

namespace stemedb::core {

inline constexpr size_t kHashBytes = 32;
inline constexpr size_t kPublicKeyBytes = 32;
inline constexpr size_t kSeedBytes = 32;
inline constexpr size_t kSignatureBytes = 64;

// A SHA-256 digest: the id of a record, or any document's content hash.
using Hash32 = std::array<uint8_t, kHashBytes>;
// An Ed25519 public key; an agent is identified by its key.
using PublicKey = std::array<uint8_t, kPublicKeyBytes>;
// The 32-byte private seed an Ed25519 key pair is derived from (RFC 8032 "private key").
using Seed = std::array<uint8_t, kSeedBytes>;
// A detached Ed25519 signature.
using SignatureBytes = std::array<uint8_t, kSignatureBytes>;

// 64 lowercase hex characters, as ids are shown over HTTP and in logs.
std::string IdHex(const Hash32& id);

}  // namespace stemedb::core

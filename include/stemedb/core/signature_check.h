#pragma once
// Signature verification for the records agents sign. Every signer signs the same message,
// SigningMessage(ContentId(record)) (canonical_encoding.h), with Ed25519.
//
// The first signature that does not verify is reported as invalid_signature (kInvalid, 422),
// naming its index and agent: "signatures[1].signature: does not verify for agent 3b6a...".
// The record must already be valid (record_validation.h).

#include <optional>

#include "stemedb/core/ed25519.h"
#include "stemedb/core/field_error.h"
#include "stemedb/core/records.h"

namespace stemedb::core {

// With `id` already computed by the caller (it needs it anyway), to hash once.
std::optional<FieldError> VerifySignatures(const Assertion& record, const Hash32& id);
std::optional<FieldError> VerifySignatures(const Epoch& record, const Hash32& id);
std::optional<FieldError> VerifySignatures(const Vote& record, const Hash32& id);

std::optional<FieldError> VerifySignatures(const Assertion& record);
std::optional<FieldError> VerifySignatures(const Epoch& record);
std::optional<FieldError> VerifySignatures(const Vote& record);

// Signs `id` for a record: what a client does (tests and the vectors tool use it).
SignatureEntry SignId(const Ed25519KeyPair& signer, const Hash32& id);

}  // namespace stemedb::core

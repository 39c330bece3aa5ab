#include "stemedb/core/signature_check.h"

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/ed25519.h"
#include "stemedb/core/hex.h"

namespace stemedb::core {
namespace {

FieldError DoesNotVerify(std::string field, const PublicKey& agent) {
  return Invalid(error_code::kInvalidSignature, std::move(field),
                 "does not verify for agent " + HexEncode(agent));
}

std::optional<FieldError> VerifyEach(const std::vector<SignatureEntry>& signatures,
                                     const Hash32& id) {
  const std::string message = SigningMessage(id);
  for (size_t i = 0; i < signatures.size(); ++i) {
    if (Ed25519Verify(signatures[i].agent_id, message, signatures[i].signature)) continue;
    return DoesNotVerify("signatures[" + std::to_string(i) + "].signature", signatures[i].agent_id);
  }
  return std::nullopt;
}

}  // namespace

std::optional<FieldError> VerifySignatures(const Assertion& record, const Hash32& id) {
  return VerifyEach(record.signatures, id);
}

std::optional<FieldError> VerifySignatures(const Epoch& record, const Hash32& id) {
  return VerifyEach(record.signatures, id);
}

std::optional<FieldError> VerifySignatures(const Vote& record, const Hash32& id) {
  if (Ed25519Verify(record.agent_id, SigningMessage(id), record.signature)) return std::nullopt;
  return DoesNotVerify("signature", record.agent_id);
}

std::optional<FieldError> VerifySignatures(const Assertion& record) {
  return VerifySignatures(record, ContentId(record));
}

std::optional<FieldError> VerifySignatures(const Epoch& record) {
  return VerifySignatures(record, ContentId(record));
}

std::optional<FieldError> VerifySignatures(const Vote& record) {
  return VerifySignatures(record, ContentId(record));
}

SignatureEntry SignId(const Ed25519KeyPair& signer, const Hash32& id) {
  return SignatureEntry{signer.public_key(), signer.Sign(SigningMessage(id))};
}

}  // namespace stemedb::core

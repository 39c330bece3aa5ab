#include "stemedb/core/signature_check.h"

#include <gtest/gtest.h>

#include "sample_records.h"
#include "stemedb/core/hex.h"

namespace stemedb::core {
namespace {

using testing::KeyOf;
using testing::SignedBy;

TEST(SignatureCheckTest, ValidSignaturesVerify) {
  EXPECT_FALSE(VerifySignatures(testing::MinimalAssertion()));
  EXPECT_FALSE(VerifySignatures(testing::FullAssertion()));
  EXPECT_FALSE(VerifySignatures(testing::SampleVote()));
  EXPECT_FALSE(VerifySignatures(testing::SupersedingEpoch()));
  const Assertion a = testing::FullAssertion();
  EXPECT_FALSE(VerifySignatures(a, ContentId(a)));
}

TEST(SignatureCheckTest, SignatureByAnotherKeyNamesIndexAndAgent) {
  Assertion a = testing::FullAssertion();
  // Entry 1 claims agent 2 but carries agent 4's signature.
  a.signatures[1].signature = SignId(KeyOf(4), ContentId(a)).signature;
  std::optional<FieldError> error = VerifySignatures(a);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "invalid_signature");
  EXPECT_EQ(error->field, "signatures[1].signature");
  EXPECT_EQ(error->kind, FieldError::Kind::kInvalid);
  EXPECT_EQ(error->message, "signatures[1].signature: does not verify for agent " +
                                HexEncode(KeyOf(2).public_key()));
}

TEST(SignatureCheckTest, ChangedContentInvalidatesEverySignature) {
  Assertion a = testing::MinimalAssertion();
  a.confidence = 0.91;
  std::optional<FieldError> error = VerifySignatures(a);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->field, "signatures[0].signature");
}

TEST(SignatureCheckTest, SignatureOverTheCanonicalBytesInsteadOfTheMessageFails) {
  // A common client mistake: signing the id without the tag, or the encoding itself.
  Assertion a = testing::MinimalAssertion();
  const Hash32 id = ContentId(a);
  a.signatures[0].signature =
      KeyOf(1).Sign(std::string_view(reinterpret_cast<const char*>(id.data()), id.size()));
  EXPECT_TRUE(VerifySignatures(a).has_value());
  a.signatures[0].signature = KeyOf(1).Sign(CanonicalEncoding(a));
  EXPECT_TRUE(VerifySignatures(a).has_value());
}

TEST(SignatureCheckTest, VoteSignedByAnotherAgentFails) {
  Vote v = testing::SampleVote();
  v.signature = KeyOf(3).Sign(SigningMessage(ContentId(v)));
  std::optional<FieldError> error = VerifySignatures(v);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->field, "signature");
  EXPECT_EQ(error->message,
            "signature: does not verify for agent " + HexEncode(KeyOf(2).public_key()));
}

TEST(SignatureCheckTest, EpochSignaturesAreChecked) {
  Epoch e = testing::SupersedingEpoch();
  e.signatures[0].signature[63] ^= 0x40;
  ASSERT_TRUE(VerifySignatures(e).has_value());
  EXPECT_EQ(VerifySignatures(e)->field, "signatures[0].signature");
}

TEST(SignatureCheckTest, ASignatureForOneRecordDoesNotVerifyAnother) {
  const Epoch e = testing::MinimalEpoch();
  Assertion a = testing::MinimalAssertion();
  a.signatures = e.signatures;
  EXPECT_TRUE(VerifySignatures(a).has_value());
}

}  // namespace
}  // namespace stemedb::core

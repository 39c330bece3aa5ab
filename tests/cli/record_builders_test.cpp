#include "cli/record_builders.h"

#include <gtest/gtest.h>

#include <cmath>

#include "cli/error_message.h"
#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/signature_check.h"
#include "support/records.h"

namespace stemedb::cli {
namespace {

using testing::Agent;

constexpr int64_t kNow = 1700000000;
const std::string kId(64, 'a');

AssertionFlags Flags() {
  AssertionFlags f;
  f.subject = "drugs/semaglutide";
  f.predicate = "gastroparesis_risk";
  f.text = "rare";
  f.confidence = 0.8;
  return f;
}

TEST(RecordBuildersTest, AssertionMatchesTheSameRecordBuiltByHand) {
  const core::Assertion built = BuildAssertion(Flags(), {Agent(1)}, kNow);
  // The test support's signed assertion with the same content: same id, same signature.
  EXPECT_EQ(built, testing::SignedAssertion({.timestamp = kNow}));
  EXPECT_FALSE(core::VerifySignatures(built).has_value());
}

TEST(RecordBuildersTest, AssertionTakesEveryOptionalFieldAndCoSigners) {
  AssertionFlags f = Flags();
  f.text.reset();
  f.number = 12.5;
  f.timestamp = 1600000000;
  f.source_hash = kId;
  f.source_class = "clinical";
  f.lifecycle = "approved";
  f.epoch = std::string(64, 'b');
  f.parent = std::string(64, 'c');
  f.narrative = "two\nlines";
  f.valid_from = 1500000000;
  f.valid_until = 1600000000;
  const core::Assertion a = BuildAssertion(f, {Agent(1), Agent(2)}, kNow);
  EXPECT_EQ(a.object, core::ObjectValue(core::NumberObject{12.5}));
  EXPECT_EQ(a.timestamp, 1600000000);
  EXPECT_EQ(a.source_class, core::SourceClass::kClinical);
  EXPECT_EQ(a.lifecycle, core::Lifecycle::kApproved);
  ASSERT_TRUE(a.parent_hash.has_value());
  EXPECT_EQ((*a.parent_hash)[0], 0xcc);
  ASSERT_EQ(a.signatures.size(), 2u);
  EXPECT_EQ(a.signatures[1].agent_id, Agent(2).public_key());
  EXPECT_FALSE(core::VerifySignatures(a).has_value());
}

TEST(RecordBuildersTest, ObjectFlagsNeedExactlyOneAndBooleansAreStrict) {
  AssertionFlags none = Flags();
  none.text.reset();
  EXPECT_EQ(ErrorMessage([&] { BuildAssertion(none, {Agent(1)}, kNow); }),
            "give exactly one object: --text, --number, --boolean or --reference");
  AssertionFlags two = Flags();
  two.number = 1;
  EXPECT_NE(ErrorMessage([&] { BuildAssertion(two, {Agent(1)}, kNow); }), "");
  AssertionFlags yes = Flags();
  yes.text.reset();
  yes.boolean = "yes";
  EXPECT_EQ(ErrorMessage([&] { BuildAssertion(yes, {Agent(1)}, kNow); }), "--boolean: expected true or false, got yes");
  yes.boolean = "false";
  EXPECT_EQ(BuildAssertion(yes, {Agent(1)}, kNow).object, core::ObjectValue(core::BooleanObject{false}));
  AssertionFlags ref = Flags();
  ref.text.reset();
  ref.reference = "entities/x";
  EXPECT_EQ(BuildAssertion(ref, {Agent(1)}, kNow).object, core::ObjectValue(core::ReferenceObject{"entities/x"}));
}

TEST(RecordBuildersTest, BadFlagValuesAreNamed) {
  AssertionFlags f = Flags();
  f.parent = "abc";
  EXPECT_EQ(ErrorMessage([&] { BuildAssertion(f, {Agent(1)}, kNow); }), "--parent: expected 64 hex characters, got 3");
  f = Flags();
  f.source_class = "blog";
  EXPECT_EQ(ErrorMessage([&] { BuildAssertion(f, {Agent(1)}, kNow); }),
            "--source-class: \"blog\" is not one of " + core::SourceClassNames());
  f = Flags();
  f.lifecycle = "Approved";
  EXPECT_NE(ErrorMessage([&] { BuildAssertion(f, {Agent(1)}, kNow); }).find("--lifecycle: \"Approved\""),
            std::string::npos);
}

TEST(RecordBuildersTest, CoreValidationRunsBeforeSigning) {
  AssertionFlags f = Flags();
  f.confidence = 1.5;
  EXPECT_EQ(ErrorMessage([&] { BuildAssertion(f, {Agent(1)}, kNow); }).rfind("invalid assertion: confidence:", 0), 0u);
  f = Flags();
  f.number = std::nan("");
  f.text.reset();
  EXPECT_NE(ErrorMessage([&] { BuildAssertion(f, {Agent(1)}, kNow); }).find("object.value"), std::string::npos);
  f = Flags();
  f.timestamp = -1;
  EXPECT_NE(ErrorMessage([&] { BuildAssertion(f, {Agent(1)}, kNow); }).find("timestamp"), std::string::npos);
  EXPECT_NE(ErrorMessage([&] { BuildAssertion(Flags(), {Agent(1), Agent(1)}, kNow); }).find("signatures[1]"),
            std::string::npos);
}

TEST(RecordBuildersTest, VoteIsSignedByTheVoter) {
  core::Hash32 target;
  target.fill(9);
  VoteFlags f{core::IdHex(target), -0.5, std::nullopt};
  const core::Vote v = BuildVote(f, Agent(3), kNow);
  EXPECT_EQ(v, testing::SignedVote(target, 3, -0.5, kNow));
  f.weight = 2;
  EXPECT_EQ(ErrorMessage([&] { BuildVote(f, Agent(3), kNow); }).rfind("invalid vote: weight:", 0), 0u);
  f.assertion = "zz";
  EXPECT_EQ(ErrorMessage([&] { BuildVote(f, Agent(3), kNow); }), "--assertion: expected 64 hex characters, got 2");
}

TEST(RecordBuildersTest, EpochDefaultsToReplacesWhenSuperseding) {
  EpochFlags f;
  f.name = "2024-guidelines";
  EXPECT_EQ(BuildEpoch(f, {Agent(1)}, kNow), testing::SignedEpoch("2024-guidelines", std::nullopt, 1, kNow));
  const core::Hash32 old = core::ContentId(testing::SignedEpoch("2023"));
  f.supersedes = core::IdHex(old);
  EXPECT_EQ(BuildEpoch(f, {Agent(1)}, kNow), testing::SignedEpoch("2024-guidelines", old, 1, kNow));
  f.supersession_type = "retracts";
  EXPECT_EQ(BuildEpoch(f, {Agent(1)}, kNow).supersession_type, core::SupersessionType::kRetracts);
  f.supersedes.reset();
  EXPECT_NE(ErrorMessage([&] { BuildEpoch(f, {Agent(1)}, kNow); }).find("invalid epoch: supersession_type"),
            std::string::npos);
}

TEST(RecordBuildersTest, SourceIsValidatedButNotSigned) {
  SourceFlags f;
  f.uri = "https://example.org/trial";
  f.content = "the document";
  const core::Source s = BuildSource(f);
  EXPECT_EQ(s.uri, f.uri);
  EXPECT_EQ(s.source_class, core::SourceClass::kCommunity);
  f.title = "";
  EXPECT_EQ(ErrorMessage([&] { BuildSource(f); }).rfind("invalid source: title:", 0), 0u);
}

}  // namespace
}  // namespace stemedb::cli

#include "stemedb/core/canonical_encoding.h"

#include <gtest/gtest.h>

#include <bit>
#include <functional>
#include <set>

#include "sample_records.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/sha256.h"

namespace stemedb::core {
namespace {

using testing::HashOf;
using testing::MinimalAssertion;

// An independent spelling of the framing, byte by byte, as a client author would write it.
std::string U32(uint32_t v) {
  std::string out;
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}
std::string U64(uint64_t v) {
  std::string out;
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}
std::string Field(uint8_t number, const std::string& value) {
  return std::string(1, static_cast<char>(number)) + U32(static_cast<uint32_t>(value.size())) +
         value;
}
std::string Domain(const std::string& tag) { return U32(static_cast<uint32_t>(tag.size())) + tag; }
std::string F64(double v) { return U64(std::bit_cast<uint64_t>(v)); }
std::string Raw(const Hash32& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), 32);
}

TEST(CanonicalEncodingTest, MinimalAssertionBytes) {
  const std::string expected = Domain("stemedb.assertion.v1") + Field(1, "drugs/semaglutide") +
                               Field(2, "gastroparesis_risk") + Field(3, "text") +
                               Field(4, "rare") + Field(5, F64(0.9)) + Field(6, U64(1700000000)) +
                               Field(8, "community") + Field(9, "proposed");
  EXPECT_EQ(HexEncode(CanonicalEncoding(MinimalAssertion())), HexEncode(expected));
  EXPECT_EQ(ContentId(MinimalAssertion()), Sha256(expected));
}

TEST(CanonicalEncodingTest, EveryOptionalAssertionFieldInOrder) {
  Assertion a = MinimalAssertion();
  a.source_hash = HashOf(0x11);
  a.source_class = SourceClass::kAnecdotal;
  a.lifecycle = Lifecycle::kUnderReview;
  a.epoch = HashOf(0x22);
  a.parent_hash = HashOf(0x33);
  a.narrative = "why";
  a.valid_from = 0;
  a.valid_until = 253402300799;
  const std::string expected =
      Domain("stemedb.assertion.v1") + Field(1, "drugs/semaglutide") +
      Field(2, "gastroparesis_risk") + Field(3, "text") + Field(4, "rare") + Field(5, F64(0.9)) +
      Field(6, U64(1700000000)) + Field(7, Raw(HashOf(0x11))) + Field(8, "anecdotal") +
      Field(9, "under_review") + Field(10, Raw(HashOf(0x22))) + Field(11, Raw(HashOf(0x33))) +
      Field(12, "why") + Field(13, U64(0)) + Field(14, U64(253402300799));
  EXPECT_EQ(HexEncode(CanonicalEncoding(a)), HexEncode(expected));
}

TEST(CanonicalEncodingTest, ObjectValueForms) {
  Assertion a = MinimalAssertion();
  a.object = NumberObject{96.7};
  EXPECT_NE(CanonicalEncoding(a).find(Field(3, "number") + Field(4, F64(96.7))), std::string::npos);
  a.object = BooleanObject{true};
  EXPECT_NE(CanonicalEncoding(a).find(Field(3, "boolean") + Field(4, std::string(1, '\x01'))),
            std::string::npos);
  a.object = BooleanObject{false};
  EXPECT_NE(CanonicalEncoding(a).find(Field(4, std::string(1, '\0'))), std::string::npos);
  a.object = ReferenceObject{"drugs/x"};
  EXPECT_NE(CanonicalEncoding(a).find(Field(3, "reference") + Field(4, "drugs/x")),
            std::string::npos);
}

TEST(CanonicalEncodingTest, TextAndReferenceWithTheSameStringHaveDifferentIds) {
  Assertion text = MinimalAssertion(), reference = MinimalAssertion();
  text.object = TextObject{"drugs/x"};
  reference.object = ReferenceObject{"drugs/x"};
  EXPECT_NE(ContentId(text), ContentId(reference));
}

TEST(CanonicalEncodingTest, NegativeZeroIsEncodedAsZero) {
  Assertion positive = MinimalAssertion(), negative = MinimalAssertion();
  positive.object = NumberObject{0.0};
  negative.object = NumberObject{-0.0};
  EXPECT_EQ(CanonicalEncoding(positive), CanonicalEncoding(negative));
  EXPECT_NE(CanonicalEncoding(negative).find(Field(4, std::string(8, '\0'))), std::string::npos);

  Vote v = testing::SampleVote(), w = v;
  v.weight = 0.0;
  w.weight = -0.0;
  EXPECT_EQ(ContentId(v), ContentId(w));
}

TEST(CanonicalEncodingTest, DefaultsAreAlwaysEncodedSoExplicitDefaultsGiveTheSameId) {
  Assertion implicit = MinimalAssertion();
  Assertion explicit_defaults = implicit;
  explicit_defaults.source_class = SourceClass::kCommunity;
  explicit_defaults.lifecycle = Lifecycle::kProposed;
  EXPECT_EQ(ContentId(implicit), ContentId(explicit_defaults));
  explicit_defaults.source_class = SourceClass::kExpert;
  EXPECT_NE(ContentId(implicit), ContentId(explicit_defaults));
}

TEST(CanonicalEncodingTest, SignaturesAreNotContent) {
  Assertion a = MinimalAssertion();
  Assertion cosigned = testing::SignedBy(a, {testing::KeyOf(1), testing::KeyOf(2)});
  EXPECT_EQ(ContentId(a), ContentId(cosigned));
  Vote v = testing::SampleVote(), resigned = v;
  resigned.signature[0] ^= 1;
  EXPECT_EQ(ContentId(v), ContentId(resigned));
}

TEST(CanonicalEncodingTest, EveryContentFieldChangesTheId) {
  const Hash32 base = ContentId(MinimalAssertion());
  std::vector<std::function<void(Assertion&)>> changes = {
      [](Assertion& a) { a.subject += "x"; },
      [](Assertion& a) { a.predicate += "x"; },
      [](Assertion& a) { a.object = TextObject{"rarer"}; },
      [](Assertion& a) { a.confidence = 0.8; },
      [](Assertion& a) { a.timestamp += 1; },
      [](Assertion& a) { a.source_hash = HashOf(1); },
      [](Assertion& a) { a.lifecycle = Lifecycle::kRejected; },
      [](Assertion& a) { a.epoch = HashOf(1); },
      [](Assertion& a) { a.parent_hash = HashOf(1); },
      [](Assertion& a) { a.narrative = "n"; },
      [](Assertion& a) { a.valid_from = 1; },
      [](Assertion& a) { a.valid_until = 1; },
  };
  std::set<Hash32> ids = {base};
  for (auto& change : changes) {
    Assertion a = MinimalAssertion();
    change(a);
    ids.insert(ContentId(a));
  }
  EXPECT_EQ(ids.size(), changes.size() + 1);
}

TEST(CanonicalEncodingTest, VoteEpochSourceBytes) {
  Vote v;
  v.assertion_hash = HashOf(0xaa);
  v.agent_id = HashOf(0xbb);
  v.weight = -1.0;
  v.timestamp = 42;
  EXPECT_EQ(CanonicalEncoding(v), Domain("stemedb.vote.v1") + Field(1, Raw(HashOf(0xaa))) +
                                      Field(2, Raw(HashOf(0xbb))) + Field(3, F64(-1.0)) +
                                      Field(4, U64(42)));

  Epoch e;
  e.name = "e";
  e.started_at = 7;
  EXPECT_EQ(CanonicalEncoding(e), Domain("stemedb.epoch.v1") + Field(1, "e") + Field(3, U64(7)));
  e.description = "d";
  e.supersedes = HashOf(0xcc);
  e.supersession_type = SupersessionType::kRetracts;
  EXPECT_EQ(CanonicalEncoding(e), Domain("stemedb.epoch.v1") + Field(1, "e") + Field(2, "d") +
                                      Field(3, U64(7)) + Field(4, Raw(HashOf(0xcc))) +
                                      Field(5, "retracts"));

  Source s;
  s.uri = "u";
  EXPECT_EQ(CanonicalEncoding(s),
            Domain("stemedb.source.v1") + Field(1, "u") + Field(3, "community"));
  s.title = "t";
  EXPECT_EQ(CanonicalEncoding(s),
            Domain("stemedb.source.v1") + Field(1, "u") + Field(2, "t") + Field(3, "community"));
}

TEST(CanonicalEncodingTest, SourceIdIsTheContentHashWhenThereIsContent) {
  Source s = testing::SourceWithoutContent();
  EXPECT_EQ(ContentId(s), Sha256(CanonicalEncoding(s)));
  s.content = "the document";
  EXPECT_EQ(ContentId(s), Sha256("the document"));
  Source elsewhere;
  elsewhere.uri = "https://mirror.example/doc";
  elsewhere.content = "the document";
  EXPECT_EQ(ContentId(s), ContentId(elsewhere));
  EXPECT_EQ(CanonicalEncoding(s), CanonicalEncoding(testing::SourceWithoutContent()));
}

TEST(CanonicalEncodingTest, DomainTagsSeparateRecordTypes) {
  // The same field bytes under two tags must not collide.
  Source s;
  s.uri = "x";
  Epoch e;
  e.name = "x";
  e.started_at = 0;
  EXPECT_NE(ContentId(s), ContentId(e));
  EXPECT_EQ(CanonicalEncoding(testing::SampleRetraction()).substr(0, 32),
            Domain("stemedb.source_retraction.v1"));
}

TEST(CanonicalEncodingTest, SigningMessageLayout) {
  Hash32 id{};
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(i);
  const std::string message = SigningMessage(id);
  ASSERT_EQ(message.size(), 51u);
  EXPECT_EQ(message, Domain("stemedb.sign.v1") + Raw(id));
  EXPECT_EQ(HexEncode(message).substr(0, 8), "0f000000");
}

TEST(CanonicalEncodingTest, ContentIdOfRecordVariantMatchesTheTypedOne) {
  for (const Record& record : testing::AllSampleRecords()) {
    std::visit([&](const auto& r) { EXPECT_EQ(ContentId(record), ContentId(r)); }, record);
  }
}

}  // namespace
}  // namespace stemedb::core

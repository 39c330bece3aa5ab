#include "stemedb/core/stored_record.h"

#include <gtest/gtest.h>

#include <random>

#include "sample_records.h"
#include "stemedb/core/field_writer.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/limits.h"
#include "stemedb/core/sha256.h"

namespace stemedb::core {
namespace {

TEST(StoredRecordTest, EveryRecordRoundTrips) {
  for (const Record& record : testing::AllSampleRecords()) {
    SCOPED_TRACE(RecordKindName(KindOf(record)));
    const std::string bytes = EncodeStored(record);
    Result<Record> decoded = DecodeStored(KindOf(record), bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, record);
    EXPECT_EQ(EncodeStored(*decoded), bytes);
  }
}

TEST(StoredRecordTest, TheIdIsTheHashOfTheCanonicalPrefix) {
  for (const Record& record : testing::AllSampleRecords()) {
    const std::string stored = EncodeStored(record);
    const std::string canonical =
        std::visit([](const auto& r) { return CanonicalEncoding(r); }, record);
    ASSERT_TRUE(stored.starts_with(canonical));
    const auto* source = std::get_if<Source>(&record);
    if (source && source->content) {
      EXPECT_EQ(ContentId(record), Sha256(*source->content));
    } else {
      EXPECT_EQ(ContentId(record), Sha256(canonical));
    }
  }
}

TEST(StoredRecordTest, ServerFieldsFollowTheCanonicalOnes) {
  const Assertion a = testing::FullAssertion();
  const std::string stored = EncodeStored(a);
  const std::string canonical = CanonicalEncoding(a);
  // Three signers: three fields 128 of 96 bytes each.
  EXPECT_EQ(stored.size(), canonical.size() + 3 * (5 + 96));
  EXPECT_EQ(static_cast<uint8_t>(stored[canonical.size()]), kStoredSignature);
  const Vote v = testing::SampleVote();
  EXPECT_EQ(EncodeStored(v).size(), CanonicalEncoding(v).size() + 5 + 64);
}

TEST(StoredRecordTest, KindsAreStable) {
  EXPECT_EQ(static_cast<int>(RecordKind::kAssertion), 1);
  EXPECT_EQ(static_cast<int>(RecordKind::kVote), 2);
  EXPECT_EQ(static_cast<int>(RecordKind::kEpoch), 3);
  EXPECT_EQ(static_cast<int>(RecordKind::kSource), 4);
  EXPECT_EQ(static_cast<int>(RecordKind::kSourceRetraction), 5);
  EXPECT_FALSE(RecordKindFromByte(0));
  EXPECT_FALSE(RecordKindFromByte(6));  // reserved for the lead's admin records
  EXPECT_EQ(RecordKindFromByte(3), RecordKind::kEpoch);
}

TEST(StoredRecordTest, WrongKindIsCorruption) {
  const std::string bytes = EncodeStored(testing::MinimalAssertion());
  Result<Record> decoded = DecodeStored(RecordKind::kVote, bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(decoded.status().message().find("domain tag"), std::string::npos);
  EXPECT_FALSE(DecodeStored(static_cast<RecordKind>(6), bytes).ok());
}

TEST(StoredRecordTest, EveryTruncationIsRefused) {
  for (const Record& record : testing::AllSampleRecords()) {
    const std::string bytes = EncodeStored(record);
    for (size_t length = 0; length < bytes.size(); ++length) {
      Result<Record> decoded = DecodeStored(KindOf(record), bytes.substr(0, length));
      // A cut exactly between two fields can still be a valid record only when the rest was
      // optional; it must then re-encode to exactly those bytes.
      if (decoded.ok()) {
        EXPECT_EQ(EncodeStored(*decoded), bytes.substr(0, length));
      } else {
        EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
      }
    }
  }
}

TEST(StoredRecordTest, TrailingBytesAreRefused) {
  const std::string bytes = EncodeStored(testing::SampleVote());
  for (const std::string& tail : {std::string("\x00", 1), std::string("\x05\x00\x00\x00\x00", 5),
                                  std::string("\x81\x00\x00\x00\x00", 5)}) {
    Result<Record> decoded = DecodeStored(RecordKind::kVote, bytes + tail);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
  }
}

// Hand-written stored bytes that break one rule each.
TEST(StoredRecordTest, NonCanonicalFormsAreRefused) {
  auto assertion_with = [](const std::function<void(FieldWriter&)>& middle) {
    FieldWriter w(kAssertionTag);
    w.Bytes(1, "s");
    w.Bytes(2, "p");
    middle(w);
    return std::move(w).Finish();
  };
  auto signature_entry = [] {
    std::string entry(96, '\x01');
    return entry;
  };
  auto tail = [&](FieldWriter& w, const std::string& source_class) {
    w.U64(6, 1);
    w.Bytes(8, source_class);
    w.Bytes(9, "proposed");
    w.RepeatedBytes(128, signature_entry());
  };
  const std::string good = assertion_with([&](FieldWriter& w) {
    w.Bytes(3, "number");
    w.F64(4, 1.0);
    w.F64(5, 0.5);
    tail(w, "community");
  });
  ASSERT_TRUE(DecodeStored(RecordKind::kAssertion, good).ok())
      << DecodeStored(RecordKind::kAssertion, good).status().ToString();

  struct Case {
    const char* name;
    std::string bytes;
  };
  const Case cases[] = {
      {"negative zero", assertion_with([&](FieldWriter& w) {
         w.Bytes(3, "number");
         w.U64(4, 0x8000000000000000ull);
         w.F64(5, 0.5);
         tail(w, "community");
       })},
      {"NaN", assertion_with([&](FieldWriter& w) {
         w.Bytes(3, "number");
         w.U64(4, 0x7ff8000000000000ull);
         w.F64(5, 0.5);
         tail(w, "community");
       })},
      {"infinity", assertion_with([&](FieldWriter& w) {
         w.Bytes(3, "number");
         w.F64(4, std::numeric_limits<double>::infinity());
         w.F64(5, 0.5);
         tail(w, "community");
       })},
      {"unknown enum name", assertion_with([&](FieldWriter& w) {
         w.Bytes(3, "number");
         w.F64(4, 1.0);
         w.F64(5, 0.5);
         tail(w, "Community");
       })},
      {"unknown object type", assertion_with([&](FieldWriter& w) {
         w.Bytes(3, "integer");
         w.F64(4, 1.0);
         w.F64(5, 0.5);
         tail(w, "community");
       })},
      {"boolean of 2", assertion_with([&](FieldWriter& w) {
         w.Bytes(3, "boolean");
         w.Bytes(4, "\x02");
         w.F64(5, 0.5);
         tail(w, "community");
       })},
      {"confidence out of range", assertion_with([&](FieldWriter& w) {
         w.Bytes(3, "number");
         w.F64(4, 1.0);
         w.F64(5, 1.5);
         tail(w, "community");
       })},
      {"short u64", assertion_with([&](FieldWriter& w) {
         w.Bytes(3, "number");
         w.F64(4, 1.0);
         w.Bytes(5, "1234567");
         tail(w, "community");
       })},
      {"missing lifecycle",
       [&] {
         FieldWriter w(kAssertionTag);
         w.Bytes(1, "s");
         w.Bytes(2, "p");
         w.Bytes(3, "text");
         w.Bytes(4, "v");
         w.F64(5, 0.5);
         w.U64(6, 1);
         w.Bytes(8, "community");
         w.RepeatedBytes(128, signature_entry());
         return std::move(w).Finish();
       }()},
      {"no signatures",
       [&] {
         FieldWriter w(kAssertionTag);
         w.Bytes(1, "s");
         w.Bytes(2, "p");
         w.Bytes(3, "text");
         w.Bytes(4, "v");
         w.F64(5, 0.5);
         w.U64(6, 1);
         w.Bytes(8, "community");
         w.Bytes(9, "proposed");
         return std::move(w).Finish();
       }()},
      {"time beyond 9999", assertion_with([&](FieldWriter& w) {
         w.Bytes(3, "text");
         w.Bytes(4, "v");
         w.F64(5, 0.5);
         w.U64(6, static_cast<uint64_t>(kTimestampMax) + 1);
         w.Bytes(8, "community");
         w.Bytes(9, "proposed");
         w.RepeatedBytes(128, signature_entry());
       })},
      {"subject with a control character",
       [&] {
         FieldWriter w(kAssertionTag);
         w.Bytes(1, "s\x01");
         w.Bytes(2, "p");
         w.Bytes(3, "text");
         w.Bytes(4, "v");
         w.F64(5, 0.5);
         w.U64(6, 1);
         w.Bytes(8, "community");
         w.Bytes(9, "proposed");
         w.RepeatedBytes(128, signature_entry());
         return std::move(w).Finish();
       }()},
  };
  for (const Case& c : cases) {
    Result<Record> decoded = DecodeStored(RecordKind::kAssertion, c.bytes);
    ASSERT_FALSE(decoded.ok()) << c.name;
    EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption) << c.name;
    EXPECT_TRUE(decoded.status().message().starts_with("stored assertion: "))
        << c.name << ": " << decoded.status().message();
  }
}

TEST(StoredRecordTest, FieldsOutOfOrderOrRepeatedAreRefused) {
  // An epoch's fields are: domain, 1 name, 3 started_at, 128 signature. Swap name and time.
  FieldWriter w(kEpochTag);
  w.U64(3, 1577836800);
  std::string swapped = std::move(w).Finish();
  swapped += std::string(
      "\x01\x01\x00\x00\x00"
      "e",
      6);
  EXPECT_FALSE(DecodeStored(RecordKind::kEpoch, swapped).ok());

  FieldWriter twice(kEpochTag);
  twice.Bytes(1, "e");
  twice.RepeatedBytes(1, "e");
  twice.U64(3, 1);
  EXPECT_FALSE(DecodeStored(RecordKind::kEpoch, std::move(twice).Finish()).ok());
}

TEST(StoredRecordTest, OversizedInputIsRefusedBeforeParsing) {
  const std::string huge(kStoredRecordBytesMax + 1, '\0');
  Result<Record> decoded = DecodeStored(RecordKind::kSource, huge);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("exceeds the limit"), std::string::npos);
}

TEST(StoredRecordTest, HugeLengthFieldsDoNotReadOutOfBounds) {
  std::string bytes = EncodeStored(testing::MinimalAssertion());
  // The subject's length (bytes 25..28 after the 24-byte domain and its number) set to 4 GiB.
  bytes[25] = bytes[26] = bytes[27] = bytes[28] = '\xff';
  EXPECT_FALSE(DecodeStored(RecordKind::kAssertion, bytes).ok());
  std::string tag_length = bytes;
  tag_length[0] = tag_length[1] = tag_length[2] = tag_length[3] = '\xff';
  EXPECT_FALSE(DecodeStored(RecordKind::kAssertion, tag_length).ok());
}

// Random truncations and bit flips of every sample record. Under ASan this is the memory-safety
// check; in every build, what decodes must re-encode to the same bytes (one form per record).
TEST(StoredRecordTest, FuzzedInputNeverCrashesAndDecodesOnlyCanonicalBytes) {
  std::mt19937_64 random(20240601);  // fixed: the test is deterministic
  size_t decoded_count = 0;
  for (const Record& record : testing::AllSampleRecords()) {
    const std::string original = EncodeStored(record);
    for (int round = 0; round < 2000; ++round) {
      std::string bytes = original;
      const int flips = 1 + static_cast<int>(random() % 4);
      for (int i = 0; i < flips; ++i) {
        bytes[random() % bytes.size()] ^= static_cast<char>(1u << (random() % 8));
      }
      if (random() % 3 == 0) bytes.resize(random() % (bytes.size() + 1));
      const auto kind = static_cast<RecordKind>(1 + random() % 5);
      Result<Record> decoded = DecodeStored(kind, bytes);
      if (!decoded.ok()) {
        EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
        continue;
      }
      ++decoded_count;
      EXPECT_EQ(EncodeStored(*decoded), bytes);
    }
  }
  // Flips inside free text (e.g. one letter of a subject) still decode; the rest must not.
  EXPECT_LT(decoded_count, testing::AllSampleRecords().size() * 2000);
}

}  // namespace
}  // namespace stemedb::core

// The on-disk format: integer coding, record framing, segment header, journal payload.
#include "stemedb/wal/log_format.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "stemedb/ground/coding.h"
#include "stemedb/wal/record_payload.h"
#include "stemedb/wal/segment_header.h"

namespace stemedb::wal {
namespace {

TEST(CodingTest, LittleEndianRoundTrip) {
  char buf[8];
  EncodeU32LE(buf, 0x04030201u);
  EXPECT_EQ(std::string(buf, 4), std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(DecodeU32LE(buf), 0x04030201u);
  EncodeU64LE(buf, 0x0807060504030201ull);
  EXPECT_EQ(std::string(buf, 8), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(DecodeU64LE(buf), 0x0807060504030201ull);
  EncodeU64LE(buf, ~0ull);
  EXPECT_EQ(DecodeU64LE(buf), ~0ull);
}

TEST(LogFormatTest, RecordLayoutIsLengthChecksumTypePayload) {
  std::string out;
  AppendRecord(out, 7, {"ab", "cde"});
  ASSERT_EQ(out.size(), kRecordHeaderBytes + 5);
  RecordHeader h = DecodeRecordHeader(out.data());
  EXPECT_EQ(h.payload_bytes, 5u);
  EXPECT_EQ(h.type, 7);
  EXPECT_EQ(out.substr(kRecordHeaderBytes), "abcde");
  EXPECT_EQ(h.checksum, RecordChecksum(5, out.data() + 8));
  EXPECT_EQ(RecordBytes(5), out.size());
}

TEST(LogFormatTest, ChecksumCoversLengthTypeAndPayload) {
  std::string base;
  AppendRecord(base, 1, {"payload"});
  uint32_t sum = DecodeRecordHeader(base.data()).checksum;

  std::string other_type;
  AppendRecord(other_type, 2, {"payload"});
  EXPECT_NE(DecodeRecordHeader(other_type.data()).checksum, sum);

  std::string other_payload;
  AppendRecord(other_payload, 1, {"payloae"});
  EXPECT_NE(DecodeRecordHeader(other_payload.data()).checksum, sum);

  // Same type and bytes, but a different length claims a different checksum (seeded).
  EXPECT_NE(RecordChecksum(6, base.data() + 8), sum);
}

TEST(LogFormatTest, StreamedChecksumEqualsOneShot) {
  std::string rec;
  AppendRecord(rec, 9, {std::string(100000, 'x'), "tail"});
  RecordHeader h = DecodeRecordHeader(rec.data());
  RecordChecksumStream stream(h.payload_bytes);
  const char* p = rec.data() + 8;
  size_t left = 1 + h.payload_bytes;
  while (left > 0) {
    size_t n = std::min<size_t>(left, 4097);
    stream.Update(p, n);
    p += n;
    left -= n;
  }
  EXPECT_EQ(stream.Digest(), h.checksum);
}

TEST(SegmentHeaderTest, RoundTrip) {
  std::string bytes = EncodeSegmentHeader({1234, 987654321});
  ASSERT_EQ(bytes.size(), kSegmentHeaderBytes);
  EXPECT_EQ(bytes.substr(0, 8), "STEMEWAL");
  Result<SegmentHeader> h = DecodeSegmentHeader(bytes);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->sequence, 1234u);
  EXPECT_EQ(h->base_offset, 987654321u);
  EXPECT_EQ(h->GlobalOffset(kSegmentHeaderBytes), 987654321u);
  EXPECT_EQ(h->GlobalOffset(kSegmentHeaderBytes + 10), 987654331u);
}

TEST(SegmentHeaderTest, EveryDamageIsCorruption) {
  std::string good = EncodeSegmentHeader({1, 0});
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x01;
    Result<SegmentHeader> h = DecodeSegmentHeader(bad);
    ASSERT_FALSE(h.ok()) << "byte " << i;
    EXPECT_EQ(h.status().code(), StatusCode::kCorruption);
  }
  Result<SegmentHeader> short_header = DecodeSegmentHeader(good.substr(0, 39));
  EXPECT_EQ(short_header.status().code(), StatusCode::kCorruption);
  EXPECT_NE(short_header.status().message().find("truncated"), std::string::npos);
}

TEST(RecordPayloadTest, JournalRecordRoundTrip) {
  std::string out;
  AppendJournalRecord(out, 3, 42, 1700000000123, "body bytes");
  ASSERT_EQ(out.size(), JournalRecordBytes(10));
  RecordHeader h = DecodeRecordHeader(out.data());
  std::optional<JournalPayload> p =
      DecodeJournalPayload(std::string_view(out).substr(kRecordHeaderBytes, h.payload_bytes));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->seq, 42u);
  EXPECT_EQ(p->ingested_at_ms, 1700000000123u);
  EXPECT_EQ(p->body, "body bytes");
}

TEST(RecordPayloadTest, ShortPayloadOrSeqZeroIsRejected) {
  EXPECT_FALSE(DecodeJournalPayload(std::string(15, '\x01')).has_value());
  EXPECT_FALSE(DecodeJournalPayload(std::string(16, '\0')).has_value());
  EXPECT_TRUE(DecodeJournalPayload(std::string(16, '\x01')).has_value());
}

}  // namespace
}  // namespace stemedb::wal

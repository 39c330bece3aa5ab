#include "stemedb/replication/stream_format.h"

#include <gtest/gtest.h>

#include "stemedb/wal/record_payload.h"
#include "stemedb/wal/replicated_records.h"

namespace stemedb::replication {
namespace {

std::string TwoRecords(uint64_t first_seq) {
  std::string out;
  wal::AppendJournalRecord(out, 1, first_seq, 1000, "first body");
  wal::AppendJournalRecord(out, 2, first_seq + 1, 1001, "second body");
  return out;
}

TEST(StreamFormatTest, MessagesSurviveAnySplitIntoChunks) {
  std::string stream;
  AppendHeartbeatMessage(stream, 77, 123456);
  AppendRecordsMessage(stream, 40, 200, TwoRecords(3));
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    StreamDecoder d;
    d.Feed(stream.substr(0, cut));
    std::vector<StreamMessage> got;
    StreamMessage m;
    auto drain = [&] {
      for (;;) {
        auto r = d.Next(m);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        if (!*r) return;
        got.push_back(m);
      }
    };
    drain();
    d.Feed(stream.substr(cut));
    drain();
    ASSERT_EQ(got.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(got[0].kind, kHeartbeatMessage);
    EXPECT_EQ(got[0].primary_durable_offset, 77u);
    EXPECT_EQ(got[0].primary_unix_ms, 123456u);
    EXPECT_EQ(got[1].kind, kRecordsMessage);
    EXPECT_EQ(got[1].first_offset, 40u);
    EXPECT_EQ(got[1].primary_durable_offset, 200u);
    EXPECT_EQ(got[1].records, TwoRecords(3));
    EXPECT_EQ(d.buffered_bytes(), 0u);
  }
}

TEST(StreamFormatTest, DamagedHeadersAreRefused) {
  std::string stream;
  AppendHeartbeatMessage(stream, 1, 2);
  std::string bad_kind = stream;
  bad_kind[0] = 'X';
  StreamDecoder d1;
  d1.Feed(bad_kind);
  StreamMessage m;
  EXPECT_EQ(d1.Next(m).status().code(), StatusCode::kCorruption);
  std::string bad_length = stream;
  bad_length[4] = '\x7f';  // a length far past the bound
  StreamDecoder d2;
  d2.Feed(bad_length);
  EXPECT_EQ(d2.Next(m).status().code(), StatusCode::kCorruption);
}

TEST(ReplicatedRecordsTest, EveryFlippedByteIsCaughtBeforeAnyWrite) {
  const std::string good = TwoRecords(5);
  const wal::LogTail tail{1000, 4, 999};
  auto parsed = wal::ParseReplicatedRecords(good, tail);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ((*parsed)->records.size(), 2u);
  EXPECT_EQ((*parsed)->first_seq(), 5u);
  EXPECT_EQ((*parsed)->records[1].offset, 1000 + (*parsed)->records[0].end_offset - 1000);
  EXPECT_EQ((*parsed)->end_offset(), 1000 + good.size());
  for (size_t i = 0; i < good.size(); ++i) {
    std::string flipped = good;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x10);
    EXPECT_FALSE(wal::ParseReplicatedRecords(flipped, tail).ok()) << "byte " << i;
  }
  // Records that do not continue the log: a seq gap, time going back, a cut record.
  EXPECT_FALSE(wal::ParseReplicatedRecords(good, {1000, 3, 999}).ok());
  EXPECT_FALSE(wal::ParseReplicatedRecords(good, {1000, 4, 5000}).ok());
  EXPECT_FALSE(wal::ParseReplicatedRecords(good.substr(0, good.size() - 1), tail).ok());
}

}  // namespace
}  // namespace stemedb::replication

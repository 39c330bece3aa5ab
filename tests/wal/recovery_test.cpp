// Recovery at open: torn tails are cut exactly, corruption before the tail refuses.
#include <gtest/gtest.h>

#include <filesystem>

#include "stemedb/wal/journal.h"
#include "stemedb/wal/record_payload.h"
#include "stemedb/wal/segment_header.h"
#include "stemedb/wal/segment_name.h"
#include "support/temp_dir.h"
#include "wal/wal_test_helpers.h"

namespace stemedb::wal {
namespace {

using wal::testing::ReadFileBytes;
using wal::testing::StoredRecord;
using wal::testing::WriteFileBytes;

const std::vector<std::string> kBodies = {"alpha", "beta beta", "gamma, the last record"};

class RecoveryTest : public ::testing::Test {
 protected:
  // Writes kBodies through a journal in `dir`; returns each record's file position.
  std::vector<uint64_t> WriteReference(const std::string& dir, bool rotate_after_first = false) {
    ops::Registry registry;
    auto j = Journal::Open(wal::testing::OptionsFor(dir), registry);
    EXPECT_TRUE(j.ok());
    (*j)->Start();
    std::vector<uint64_t> positions;
    for (size_t i = 0; i < kBodies.size(); ++i) {
      auto r = wal::testing::AppendOne(**j, kBodies[i]);
      EXPECT_TRUE(r.status.ok());
      positions.push_back(kSegmentHeaderBytes + r.result.offsets[0]);
      if (rotate_after_first && i == 0) {
        EXPECT_TRUE((*j)->Rotate().ok());
      }
    }
    return positions;
  }

  // Opens a directory holding `segment` as segment.001.wal and checks that recovery cut it
  // back to `expect_bytes` and that every record before that reads back intact.
  void ExpectRecoversTo(const std::string& segment, uint64_t expect_bytes, size_t expect_records,
                        const std::string& what) {
    stemedb::testing::TempDir dir;
    WriteFileBytes(dir.Sub("segment.001.wal"), segment);
    ops::Registry registry;
    auto j = Journal::Open(wal::testing::OptionsFor(dir.path()), registry);
    ASSERT_TRUE(j.ok()) << what << ": " << j.status().ToString();
    std::vector<StoredRecord> records;
    ASSERT_TRUE(wal::testing::ReplayAll(**j, records).ok()) << what;
    ASSERT_EQ(records.size(), expect_records) << what;
    for (size_t i = 0; i < records.size(); ++i) {
      ASSERT_EQ(records[i].body, kBodies[i]) << what;
      ASSERT_EQ(records[i].seq, i + 1) << what;
    }
    EXPECT_EQ((*j)->head_offset(), expect_bytes - kSegmentHeaderBytes) << what;
    (*j).reset();
    ASSERT_EQ(ReadFileBytes(dir.Sub("segment.001.wal")).size(), expect_bytes) << what;
    std::string metrics = registry.Render();
    std::string cut = std::to_string(segment.size() - expect_bytes);
    EXPECT_NE(metrics.find("stemedb_wal_truncated_bytes_total " + cut + "\n"), std::string::npos)
        << what << "\n"
        << metrics;
  }

  stemedb::testing::TempDir ref_;
};

TEST_F(RecoveryTest, CutAtEveryBytePositionOfTheLastRecord) {
  std::vector<uint64_t> pos = WriteReference(ref_.path());
  std::string good = ReadFileBytes(ref_.Sub("segment.001.wal"));
  uint64_t last = pos.back();
  ExpectRecoversTo(good, good.size(), 3, "intact");
  for (uint64_t cut = last; cut < good.size(); ++cut) {
    ExpectRecoversTo(good.substr(0, cut), last, 2, "cut at " + std::to_string(cut));
  }
}

TEST_F(RecoveryTest, CorruptionOfEveryByteOfTheLastRecordIsATornTail) {
  std::vector<uint64_t> pos = WriteReference(ref_.path());
  std::string good = ReadFileBytes(ref_.Sub("segment.001.wal"));
  for (uint64_t at = pos.back(); at < good.size(); ++at) {
    std::string bad = good;
    bad[at] ^= 0x5a;
    ExpectRecoversTo(bad, pos.back(), 2, "byte " + std::to_string(at) + " flipped");
  }
}

TEST_F(RecoveryTest, ZerosOrGarbageAfterTheLastRecordAreCut) {
  WriteReference(ref_.path());
  std::string good = ReadFileBytes(ref_.Sub("segment.001.wal"));
  ExpectRecoversTo(good + std::string(4096, '\0'), good.size(), 3, "zero tail");
  std::string garbage;
  for (int i = 0; i < 3000; ++i) garbage += static_cast<char>((i * 7919 + 13) % 251 + 1);
  ExpectRecoversTo(good + garbage, good.size(), 3, "garbage tail");
}

TEST_F(RecoveryTest, CorruptionBeforeTheTailRefusesNamingSegmentAndOffset) {
  std::vector<uint64_t> pos = WriteReference(ref_.path());
  std::string good = ReadFileBytes(ref_.Sub("segment.001.wal"));
  // Every byte of the middle record: a valid record follows, so this is not a torn write.
  for (uint64_t at = pos[1]; at < pos[2]; ++at) {
    stemedb::testing::TempDir dir;
    std::string bad = good;
    bad[at] ^= 0x01;
    WriteFileBytes(dir.Sub("segment.001.wal"), bad);
    wal::testing::LogCapture log;
    ops::Registry registry;
    auto j = Journal::Open(wal::testing::OptionsFor(dir.path()), registry);
    ASSERT_FALSE(j.ok()) << "byte " << at;
    EXPECT_EQ(j.status().code(), StatusCode::kCorruption);
    std::string msg = j.status().message();
    EXPECT_NE(msg.find("segment.001.wal at byte offset " + std::to_string(pos[1])),
              std::string::npos)
        << msg;
    EXPECT_NE(log.text().find("WAL corrupt: segment.001.wal"), std::string::npos) << log.text();
    // Nothing was cut.
    EXPECT_EQ(ReadFileBytes(dir.Sub("segment.001.wal")), bad);
  }
}

TEST_F(RecoveryTest, DamageInASealedSegmentRefusesEvenAtItsEnd) {
  WriteReference(ref_.path(), /*rotate_after_first=*/true);
  std::string first = ReadFileBytes(ref_.Sub("segment.001.wal"));
  first.back() ^= 0x01;  // the last byte of the sealed segment's only record
  WriteFileBytes(ref_.Sub("segment.001.wal"), first);
  ops::Registry registry;
  auto j = Journal::Open(wal::testing::OptionsFor(ref_.path()), registry);
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("segment.001.wal at byte offset 40"), std::string::npos)
      << j.status().message();
  EXPECT_NE(j.status().message().find("sealed"), std::string::npos) << j.status().message();
}

TEST_F(RecoveryTest, MissingSegmentRefuses) {
  {
    ops::Registry registry;
    auto j = Journal::Open(wal::testing::OptionsFor(ref_.path()), registry);
    (*j)->Start();
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(wal::testing::AppendOne(**j, "r").status.ok());
      ASSERT_TRUE((*j)->Rotate().ok());
    }
  }
  std::filesystem::remove(ref_.Sub("segment.002.wal"));
  ops::Registry registry;
  auto j = Journal::Open(wal::testing::OptionsFor(ref_.path()), registry);
  ASSERT_EQ(j.status().code(), StatusCode::kCorruption);
  EXPECT_NE(j.status().message().find("segment.003.wal"), std::string::npos);
  EXPECT_NE(j.status().message().find("segment.002.wal is missing"), std::string::npos)
      << j.status().message();
}

TEST_F(RecoveryTest, ChecksummedRecordWithWrongSeqRefuses) {
  WriteReference(ref_.path());
  std::string bytes = ReadFileBytes(ref_.Sub("segment.001.wal"));
  AppendJournalRecord(bytes, 1, 17, 0, "seq jumps from 3 to 17");  // valid framing, bad seq
  WriteFileBytes(ref_.Sub("segment.001.wal"), bytes);
  ops::Registry registry;
  auto j = Journal::Open(wal::testing::OptionsFor(ref_.path()), registry);
  ASSERT_EQ(j.status().code(), StatusCode::kCorruption);
  EXPECT_NE(j.status().message().find("seq 17 does not follow seq 3"), std::string::npos)
      << j.status().message();
}

TEST_F(RecoveryTest, BadHeaderOfTheLastSegmentRefuses) {
  WriteReference(ref_.path());
  std::string bytes = ReadFileBytes(ref_.Sub("segment.001.wal"));
  bytes[20] ^= 0x01;  // inside the sequence field
  WriteFileBytes(ref_.Sub("segment.001.wal"), bytes);
  ops::Registry registry;
  auto j = Journal::Open(wal::testing::OptionsFor(ref_.path()), registry);
  ASSERT_EQ(j.status().code(), StatusCode::kCorruption);
  EXPECT_NE(j.status().message().find("segment.001.wal at byte offset 0"), std::string::npos)
      << j.status().message();
}

TEST_F(RecoveryTest, LeftoverTempSegmentIsRemoved) {
  WriteReference(ref_.path());
  WriteFileBytes(ref_.Sub("segment.002.wal.tmp"), "half a header");
  auto records = wal::testing::ReadBack(wal::testing::OptionsFor(ref_.path()));
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(records->size(), 3u);
  EXPECT_FALSE(std::filesystem::exists(ref_.Sub("segment.002.wal.tmp")));
}

TEST_F(RecoveryTest, RecoveryMetricsArePresent) {
  WriteReference(ref_.path());
  ops::Registry registry;
  auto j = Journal::Open(wal::testing::OptionsFor(ref_.path()), registry);
  ASSERT_TRUE(j.ok());
  std::string text = registry.Render();
  EXPECT_NE(text.find("stemedb_wal_recovery_duration_seconds "), std::string::npos);
  EXPECT_NE(text.find("stemedb_wal_truncated_bytes_total 0\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace stemedb::wal

// Rotation: records never span segments, offsets run on, order is numeric past 999.
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

class RotationTest : public ::testing::Test {
 protected:
  std::unique_ptr<Journal> Open(JournalOptions o) {
    auto j = Journal::Open(o, registry_);
    EXPECT_TRUE(j.ok()) << j.status().ToString();
    return j.ok() ? std::move(j).value() : nullptr;
  }

  stemedb::testing::TempDir dir_;
  ops::Registry registry_;
};

TEST_F(RotationTest, FullSegmentsRotateAndRecordsNeverSpanThem) {
  JournalOptions o = wal::testing::OptionsFor(dir_.path());
  o.segment_bytes = 1024;
  auto j = Open(o);
  j->Start();
  constexpr int kRecords = 200;
  for (int i = 0; i < kRecords; ++i) {
    ASSERT_TRUE(wal::testing::AppendOne(*j, std::string(100, 'a' + i % 26)).status.ok());
  }
  std::vector<SegmentInfo> segments = j->Segments();
  j->Close();

  // (1024 - 40) / 125 = 7 records per segment.
  ASSERT_EQ(segments.size(), size_t{(kRecords + 6) / 7});
  for (size_t i = 0; i < segments.size(); ++i) {
    const SegmentInfo& s = segments[i];
    EXPECT_EQ(s.name, SegmentFileName(i + 1));
    EXPECT_EQ(s.sealed, i + 1 < segments.size());
    EXPECT_LE(s.bytes, o.segment_bytes);
    EXPECT_EQ(s.bytes, std::filesystem::file_size(dir_.Sub(s.name)));
    EXPECT_EQ(s.end_offset - s.base_offset, s.bytes - kSegmentHeaderBytes);
    if (i > 0) {
      EXPECT_EQ(s.base_offset, segments[i - 1].end_offset);
    }
  }
  EXPECT_NE(registry_.Render().find("stemedb_wal_segment_rotations_total " +
                                    std::to_string(segments.size() - 1) + "\n"),
            std::string::npos);

  auto records = wal::testing::ReadBack(o);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), size_t{kRecords});
  for (int i = 0; i < kRecords; ++i) {
    EXPECT_EQ((*records)[i].seq, uint64_t(i) + 1);
    EXPECT_EQ((*records)[i].body, std::string(100, 'a' + i % 26));
    if (i > 0) {
      EXPECT_EQ((*records)[i].offset, (*records)[i - 1].end_offset);
    }
  }
}

TEST_F(RotationTest, RotateSealsTheCurrentSegmentInAppendOrder) {
  auto j = Open(wal::testing::OptionsFor(dir_.path()));
  j->Start();
  auto before = wal::testing::AppendOne(*j, "before");
  Result<std::string> sealed = j->Rotate();
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(*sealed, "segment.001.wal");
  auto after = wal::testing::AppendOne(*j, "after");
  EXPECT_EQ(after.result.offsets[0], before.result.end_offset);
  std::vector<SegmentInfo> segments = j->Segments();
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_TRUE(segments[0].sealed);
  EXPECT_EQ(segments[1].base_offset, before.result.end_offset);
  EXPECT_NE(
      registry_.Render().find("stemedb_wal_fsync_errors_total{segment=\"segment.002.wal\"} 0"),
      std::string::npos);
}

TEST_F(RotationTest, SegmentsPast999AreReadInNumericOrder) {
  JournalOptions o = wal::testing::OptionsFor(dir_.path());
  constexpr int kRotations = 1002;
  {
    auto j = Open(o);
    j->Start();
    for (int i = 0; i < kRotations; ++i) {
      if (i % 97 == 0 || i >= 997) {
        ASSERT_TRUE(wal::testing::AppendOne(*j, "in segment " + std::to_string(i + 1)).status.ok());
      }
      ASSERT_TRUE(j->Rotate().ok()) << i;
    }
  }
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("segment.999.wal")));
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("segment.1000.wal")));
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("segment.1003.wal")));

  ops::Registry registry;
  auto j = Journal::Open(o, registry);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  std::vector<SegmentInfo> segments = (*j)->Segments();
  ASSERT_EQ(segments.size(), size_t{kRotations + 1});
  EXPECT_EQ(segments[998].name, "segment.999.wal");
  EXPECT_EQ(segments[999].name, "segment.1000.wal");
  std::vector<wal::testing::StoredRecord> records;
  ASSERT_TRUE(wal::testing::ReplayAll(**j, records).ok());
  uint64_t last_segment = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].seq, i + 1);
    uint64_t segment = std::stoull(records[i].body.substr(strlen("in segment ")));
    EXPECT_GT(segment, last_segment) << records[i].body;
    last_segment = segment;
  }
  EXPECT_EQ(last_segment, uint64_t{kRotations});
}

}  // namespace
}  // namespace stemedb::wal

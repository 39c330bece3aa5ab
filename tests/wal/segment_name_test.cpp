// Segment file names and their numeric order.
#include "stemedb/wal/segment_name.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"
#include "wal/wal_test_helpers.h"

namespace stemedb::wal {
namespace {

TEST(SegmentNameTest, AtLeastThreeDigits) {
  EXPECT_EQ(SegmentFileName(1), "segment.001.wal");
  EXPECT_EQ(SegmentFileName(999), "segment.999.wal");
  EXPECT_EQ(SegmentFileName(1000), "segment.1000.wal");
  EXPECT_EQ(TempSegmentFileName(7), "segment.007.wal.tmp");
}

TEST(SegmentNameTest, ParsesOnlyCanonicalNames) {
  EXPECT_EQ(ParseSegmentFileName("segment.001.wal"), 1u);
  EXPECT_EQ(ParseSegmentFileName("segment.1000.wal"), 1000u);
  EXPECT_EQ(ParseSegmentFileName("segment.12345678901234.wal"), 12345678901234u);
  for (const char* bad :
       {"segment.1.wal", "segment.01.wal", "segment.0001.wal", "segment.000.wal",
        "segment.001.wal.corrupted", "segment.001.wal.tmp", "segment.-01.wal", "segment.0x1.wal",
        "segment..wal", "Segment.001.wal", "LOCK", "segment.99999999999999999999.wal"}) {
    EXPECT_FALSE(ParseSegmentFileName(bad).has_value()) << bad;
  }
  EXPECT_EQ(ParseTempSegmentFileName("segment.002.wal.tmp"), 2u);
  EXPECT_FALSE(ParseTempSegmentFileName("segment.002.wal").has_value());
}

TEST(SegmentNameTest, ListSegmentsSortsNumericallyPast999) {
  stemedb::testing::TempDir dir;
  for (uint64_t seq : {1000u, 2u, 999u, 1001u, 10u}) {
    wal::testing::WriteFileBytes(dir.Sub(SegmentFileName(seq)), "x");
  }
  wal::testing::WriteFileBytes(dir.Sub("segment.003.wal.corrupted"), "x");
  wal::testing::WriteFileBytes(dir.Sub("LOCK"), "");
  Result<std::vector<SegmentFile>> list = ListSegments(*Env::Default(), dir.path());
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  std::vector<std::string> names;
  for (const SegmentFile& f : *list) names.push_back(f.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"segment.002.wal", "segment.010.wal", "segment.999.wal",
                                      "segment.1000.wal", "segment.1001.wal"}));
}

TEST(PathTest, JoinBaseAndDirName) {
  EXPECT_EQ(JoinPath("/a/b", "c"), "/a/b/c");
  EXPECT_EQ(JoinPath("/a/b/", "c"), "/a/b/c");
  EXPECT_EQ(BaseName("/var/lib/stemedb/wal/segment.001.wal"), "segment.001.wal");
  EXPECT_EQ(BaseName("segment.001.wal"), "segment.001.wal");
  EXPECT_EQ(DirName("/var/lib/stemedb/wal/segment.001.wal"), "/var/lib/stemedb/wal");
  EXPECT_EQ(DirName("segment.001.wal"), ".");
  EXPECT_EQ(DirName("/segment.001.wal"), "/");
}

}  // namespace
}  // namespace stemedb::wal

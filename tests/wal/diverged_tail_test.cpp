// Moving a deposed primary's tail aside (wal/diverged_tail.h): the records past the fork leave
// the log for wal/diverged/, nothing is deleted, and the log that stays reads back clean up to
// the fork, across a segment boundary too.

#include "stemedb/wal/diverged_tail.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/temp_dir.h"
#include "wal_test_helpers.h"

namespace stemedb::wal {
namespace {

using testing::AppendOne;
using testing::OptionsFor;
using testing::ReadBack;

// Ten records of 300 bytes over segments of 4096 bytes: three segments. Returns each record's
// start offset, and the log's end last.
std::vector<uint64_t> WriteLog(const std::string& dir) {
  JournalOptions o = OptionsFor(dir);
  o.segment_bytes = 4096;
  ops::Registry registry;
  auto journal = Journal::Open(o, registry);
  EXPECT_TRUE(journal.ok()) << journal.status().ToString();
  (*journal)->Start();
  std::vector<uint64_t> starts;
  for (int i = 0; i < 30; ++i) {
    auto out = AppendOne(**journal, std::string(300, static_cast<char>('a' + i % 26)));
    EXPECT_TRUE(out.status.ok());
    starts.push_back(out.result.offsets.front());
    if (i == 29) starts.push_back(out.result.end_offset);
  }
  (*journal)->Close();
  return starts;
}

size_t FilesUnder(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

TEST(DivergedTailTest, RecordsPastTheForkAreMovedAsideAndTheLogEndsAtIt) {
  ::stemedb::testing::TempDir dir;
  const std::vector<uint64_t> starts = WriteLog(dir.path());
  const uint64_t fork = starts[17];  // in the middle of the log, inside some segment
  auto moved = MoveDivergedTail(*Env::Default(), dir.path(), fork);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->bytes_moved, starts.back() - fork);
  EXPECT_FALSE(moved->segments.empty());
  ASSERT_TRUE(std::filesystem::is_directory(moved->directory));
  EXPECT_EQ(FilesUnder(moved->directory), moved->segments.size());

  auto kept = ReadBack(OptionsFor(dir.path()));
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  ASSERT_EQ(kept->size(), 17u);
  EXPECT_EQ(kept->back().end_offset, fork);
}

TEST(DivergedTailTest, AForkAtTheEndMovesNothing) {
  ::stemedb::testing::TempDir dir;
  const std::vector<uint64_t> starts = WriteLog(dir.path());
  auto moved = MoveDivergedTail(*Env::Default(), dir.path(), starts.back());
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->bytes_moved, 0u);
  EXPECT_TRUE(moved->directory.empty());
  auto kept = ReadBack(OptionsFor(dir.path()));
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->size(), 30u);
}

TEST(DivergedTailTest, AForkInsideARecordIsRefusedAsCorruption) {
  ::stemedb::testing::TempDir dir;
  const std::vector<uint64_t> starts = WriteLog(dir.path());
  auto moved = MoveDivergedTail(*Env::Default(), dir.path(), starts[17] + 5);
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.status().code(), StatusCode::kCorruption) << moved.status().ToString();
}

}  // namespace
}  // namespace stemedb::wal

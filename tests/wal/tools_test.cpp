// stemedb-wal-verify and stemedb-wal-repair, run as the built binaries on segments the tests
// damage, used the way the seed runbook uses them.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "stemedb/wal/journal.h"
#include "stemedb/wal/segment_header.h"
#include "support/temp_dir.h"
#include "wal/wal_test_helpers.h"

namespace stemedb::wal {
namespace {

using wal::testing::ReadFileBytes;
using wal::testing::WriteFileBytes;

struct ToolRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr
};

ToolRun Shell(const std::string& command) {
  ToolRun run;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) run.out.append(buf, n);
  int status = ::pclose(p);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

const std::string kVerify = STEMEDB_WAL_VERIFY_BINARY;
const std::string kRepair = STEMEDB_WAL_REPAIR_BINARY;

class WalToolsTest : public ::testing::Test {
 protected:
  // Three segments of 4 records each; returns each record's (segment name, file position).
  std::vector<std::pair<std::string, uint64_t>> WriteLog(int segments = 3) {
    ops::Registry registry;
    auto j = Journal::Open(wal::testing::OptionsFor(dir_.path()), registry);
    EXPECT_TRUE(j.ok());
    (*j)->Start();
    std::vector<std::pair<std::string, uint64_t>> positions;
    for (int s = 0; s < segments; ++s) {
      for (int r = 0; r < 4; ++r) {
        auto out = wal::testing::AppendOne(
            **j, "segment " + std::to_string(s) + " record " + std::to_string(r));
        SegmentInfo active = (*j)->Segments().back();
        positions.push_back(
            {active.name, out.result.offsets[0] - active.base_offset + kSegmentHeaderBytes});
      }
      if (s + 1 < segments) {
        EXPECT_TRUE((*j)->Rotate().ok());
      }
    }
    return positions;
  }

  void FlipByte(const std::string& name, uint64_t pos) {
    std::string bytes = ReadFileBytes(dir_.Sub(name));
    bytes[pos] ^= 0x20;
    WriteFileBytes(dir_.Sub(name), bytes);
  }

  stemedb::testing::TempDir dir_;
};

TEST_F(WalToolsTest, RunbookLoopPassesOnAHealthyDirectory) {
  WriteLog();
  ToolRun loop = Shell("cd " + dir_.path() + " && for segment in segment.*.wal; do " + kVerify +
                       " --file $segment || echo \"ERROR: $segment corrupted\"; done");
  EXPECT_EQ(loop.exit_code, 0);
  EXPECT_EQ(loop.out.find("ERROR"), std::string::npos) << loop.out;
  EXPECT_NE(loop.out.find("segment.003.wal: 4 records, seq 9..12"), std::string::npos) << loop.out;

  ToolRun dir = Shell(kVerify + " --dir " + dir_.path());
  EXPECT_EQ(dir.exit_code, 0) << dir.out;
  EXPECT_NE(dir.out.find("OK: 3 segments, 12 records"), std::string::npos) << dir.out;
}

TEST_F(WalToolsTest, VerifyReportsTheFirstBadOffset) {
  auto pos = WriteLog();
  FlipByte("segment.002.wal", pos[5].second + 20);  // inside the second record of segment 2
  ToolRun file = Shell("cd " + dir_.path() + " && " + kVerify + " --file segment.002.wal");
  EXPECT_EQ(file.exit_code, 1) << file.out;
  EXPECT_NE(
      file.out.find("first bad offset " + std::to_string(pos[5].second) + " in segment.002.wal"),
      std::string::npos)
      << file.out;

  ToolRun json = Shell(kVerify + " --dir " + dir_.path() + " --json");
  EXPECT_EQ(json.exit_code, 1) << json.out;
  auto report = nlohmann::json::parse(json.out);
  EXPECT_EQ(report["status"], "corrupt");
  EXPECT_EQ(report["first_bad"]["segment"], "segment.002.wal");
  EXPECT_EQ(report["first_bad"]["byte_offset"], pos[5].second);
  EXPECT_EQ(report["segments"][0]["status"], "ok");
  EXPECT_EQ(report["segments"][1]["status"], "corrupt");
}

TEST_F(WalToolsTest, TornTailIsReportedButOnlyCorruptInASealedSegment) {
  auto pos = WriteLog();
  std::string last = ReadFileBytes(dir_.Sub("segment.003.wal"));
  WriteFileBytes(dir_.Sub("segment.003.wal"), last.substr(0, last.size() - 5));
  ToolRun torn = Shell(kVerify + " --file " + dir_.Sub("segment.003.wal") + " --json");
  EXPECT_EQ(torn.exit_code, 0) << torn.out;
  auto report = nlohmann::json::parse(torn.out);
  EXPECT_EQ(report["status"], "torn_tail");
  EXPECT_EQ(report["torn_tail"]["byte_offset"], pos[11].second);

  std::string sealed = ReadFileBytes(dir_.Sub("segment.001.wal"));
  WriteFileBytes(dir_.Sub("segment.001.wal"), sealed.substr(0, sealed.size() - 5));
  ToolRun cut_sealed = Shell(kVerify + " --file " + dir_.Sub("segment.001.wal"));
  EXPECT_EQ(cut_sealed.exit_code, 1) << cut_sealed.out;
  EXPECT_NE(cut_sealed.out.find("sealed"), std::string::npos) << cut_sealed.out;
}

TEST_F(WalToolsTest, UsageAndIoErrorsExitTwo) {
  EXPECT_EQ(Shell(kVerify).exit_code, 2);
  EXPECT_EQ(Shell(kVerify + " --file a --dir b").exit_code, 2);
  EXPECT_EQ(Shell(kVerify + " --file " + dir_.Sub("missing.wal")).exit_code, 2);
  EXPECT_EQ(Shell(kVerify + " --help").exit_code, 0);
  EXPECT_EQ(Shell(kRepair).exit_code, 2);
  EXPECT_EQ(Shell(kRepair + " --segment a --output b --truncate-at x").exit_code, 2);
  ToolRun help = Shell(kRepair + " --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
}

// The seed runbook's "If WAL Segment is Corrupted" steps, end to end.
TEST_F(WalToolsTest, RunbookRepairLetsTheJournalStartAgain) {
  auto pos = WriteLog(1);
  FlipByte("segment.001.wal", pos[2].second + 30);
  std::string damaged = ReadFileBytes(dir_.Sub("segment.001.wal"));
  {
    wal::testing::LogCapture log;
    ops::Registry registry;
    auto refused = Journal::Open(wal::testing::OptionsFor(dir_.path()), registry);
    ASSERT_EQ(refused.status().code(), StatusCode::kCorruption);
    EXPECT_NE(log.text().find("WAL corrupt: segment.001.wal at byte offset " +
                              std::to_string(pos[2].second)),
              std::string::npos)
        << log.text();
  }
  std::filesystem::rename(dir_.Sub("segment.001.wal"), dir_.Sub("segment.001.wal.corrupted"));
  ToolRun repair =
      Shell(kRepair + " --segment " + dir_.Sub("segment.001.wal.corrupted") + " --output " +
            dir_.Sub("segment.001.wal") + " --truncate-at " + std::to_string(pos[2].second));
  ASSERT_EQ(repair.exit_code, 0) << repair.out;
  EXPECT_NE(
      repair.out.find("2 records (seq 1..2), cut at byte offset " + std::to_string(pos[2].second)),
      std::string::npos)
      << repair.out;
  EXPECT_EQ(ReadFileBytes(dir_.Sub("segment.001.wal.corrupted")), damaged);
  EXPECT_EQ(Shell(kVerify + " --file " + dir_.Sub("segment.001.wal")).exit_code, 0);

  auto records = wal::testing::ReadBack(wal::testing::OptionsFor(dir_.path()));
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[1].body, "segment 0 record 1");
}

TEST_F(WalToolsTest, RepairCutsAtABoundaryAndNeverPastTheDamage) {
  auto pos = WriteLog(1);
  std::string in = dir_.Sub("segment.001.wal");
  // An offset inside record 3 keeps records 1 and 2.
  ToolRun inside = Shell(kRepair + " --segment " + in + " --output " + dir_.Sub("a.wal") +
                         " --truncate-at " + std::to_string(pos[2].second + 3));
  ASSERT_EQ(inside.exit_code, 0) << inside.out;
  EXPECT_EQ(ReadFileBytes(dir_.Sub("a.wal")).size(), pos[2].second);
  // An offset past damage in record 2 still cuts before record 2.
  FlipByte("segment.001.wal", pos[1].second + 12);
  ToolRun past = Shell(kRepair + " --segment " + in + " --output " + dir_.Sub("b.wal") +
                       " --truncate-at 100000");
  ASSERT_EQ(past.exit_code, 0) << past.out;
  EXPECT_EQ(ReadFileBytes(dir_.Sub("b.wal")).size(), pos[1].second);
  EXPECT_NE(past.out.find("the first damaged record starts at byte offset " +
                          std::to_string(pos[1].second)),
            std::string::npos)
      << past.out;
}

TEST_F(WalToolsTest, RepairRefusesWhatItMustNotDo) {
  WriteLog(1);
  std::string in = dir_.Sub("segment.001.wal");
  WriteFileBytes(dir_.Sub("exists.wal"), "keep me");
  ToolRun exists = Shell(kRepair + " --segment " + in + " --output " + dir_.Sub("exists.wal") +
                         " --truncate-at 40");
  EXPECT_EQ(exists.exit_code, 2);
  EXPECT_EQ(ReadFileBytes(dir_.Sub("exists.wal")), "keep me");
  EXPECT_EQ(Shell(kRepair + " --segment " + in + " --output " + in + " --truncate-at 40").exit_code,
            2);
  EXPECT_EQ(
      Shell(kRepair + " --segment " + in + " --output " + dir_.Sub("c.wal") + " --truncate-at 39")
          .exit_code,
      2);
  ToolRun wrong_name = Shell(kRepair + " --segment " + in + " --output " +
                             dir_.Sub("segment.002.wal") + " --truncate-at 40");
  EXPECT_EQ(wrong_name.exit_code, 2) << wrong_name.out;
  FlipByte("segment.001.wal", 3);  // the magic
  ToolRun bad_header =
      Shell(kRepair + " --segment " + in + " --output " + dir_.Sub("d.wal") + " --truncate-at 40");
  EXPECT_EQ(bad_header.exit_code, 1) << bad_header.out;
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("d.wal")));
}

}  // namespace
}  // namespace stemedb::wal

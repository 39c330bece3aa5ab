// The WAL metrics: present from Open with 0, moving with the work, valid exposition.
#include "stemedb/wal/journal_metrics.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "stemedb/wal/journal.h"
#include "support/temp_dir.h"
#include "wal/wal_test_helpers.h"

namespace stemedb::wal {
namespace {

bool Has(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

double Sample(const std::string& text, const std::string& name) {
  size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

class JournalMetricsTest : public ::testing::Test {
 protected:
  stemedb::testing::TempDir dir_;
  ops::Registry registry_;
};

TEST_F(JournalMetricsTest, EveryFamilyIsPresentAtOpen) {
  auto j = Journal::Open(wal::testing::OptionsFor(dir_.path()), registry_);
  ASSERT_TRUE(j.ok());
  std::string text = registry_.Render();
  for (const char* family :
       {"stemedb_wal_fsync_errors_total", "stemedb_wal_fsync_duration_seconds",
        "stemedb_wal_fsync_latency_seconds", "stemedb_wal_segment_rotations_total",
        "stemedb_wal_writes_total", "stemedb_wal_bytes_written_total", "stemedb_wal_batch_records",
        "stemedb_wal_batch_bytes", "stemedb_wal_segments", "stemedb_wal_disk_usage_bytes",
        "stemedb_wal_disk_free_bytes", "stemedb_wal_head_offset_bytes", "stemedb_wal_state",
        "stemedb_wal_recovery_duration_seconds", "stemedb_wal_truncated_bytes_total",
        "stemedb_wal_append_errors_total"}) {
    EXPECT_TRUE(Has(text, std::string("# TYPE ") + family + " ")) << family;
  }
  // What the runbook's `curl -s .../metrics | grep wal_fsync_errors` shows on a healthy node.
  EXPECT_TRUE(Has(text, "stemedb_wal_fsync_errors_total{segment=\"segment.001.wal\"} 0\n"));
  EXPECT_TRUE(Has(text, "# TYPE stemedb_wal_fsync_duration_seconds summary\n"));
  EXPECT_TRUE(Has(text, "stemedb_wal_fsync_duration_seconds{quantile=\"0.99\"}"));
  EXPECT_TRUE(Has(text, "stemedb_wal_append_errors_total{reason=\"overloaded\"} 0\n"));
  EXPECT_TRUE(Has(text, "stemedb_wal_append_errors_total{reason=\"journal_failed\"} 0\n"));
  EXPECT_EQ(Sample(text, "stemedb_wal_state"), 1);
  EXPECT_EQ(Sample(text, "stemedb_wal_segments"), 1);
  EXPECT_EQ(Sample(text, "stemedb_wal_disk_usage_bytes"), 40);
  EXPECT_GT(Sample(text, "stemedb_wal_disk_free_bytes"), 0);
}

TEST_F(JournalMetricsTest, MetricsMoveWithAppendsAndRotations) {
  auto j = Journal::Open(wal::testing::OptionsFor(dir_.path()), registry_);
  ASSERT_TRUE(j.ok());
  (*j)->Start();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(wal::testing::AppendOne(**j, "metric").status.ok());
  ASSERT_TRUE((*j)->Rotate().ok());
  uint64_t head = (*j)->head_offset();
  std::string text = registry_.Render();
  EXPECT_EQ(Sample(text, "stemedb_wal_writes_total"), 10);
  EXPECT_EQ(Sample(text, "stemedb_wal_bytes_written_total"), static_cast<double>(head));
  EXPECT_EQ(Sample(text, "stemedb_wal_head_offset_bytes"), static_cast<double>(head));
  EXPECT_EQ(Sample(text, "stemedb_wal_batch_records_count"), 10);
  EXPECT_EQ(Sample(text, "stemedb_wal_batch_records_sum"), 10);
  EXPECT_EQ(Sample(text, "stemedb_wal_fsync_latency_seconds_count"), 10);
  EXPECT_EQ(Sample(text, "stemedb_wal_fsync_duration_seconds_count"), 10);
  EXPECT_GE(Sample(text, "stemedb_wal_fsync_duration_seconds{quantile=\"0.99\"}"), 0);
  EXPECT_EQ(Sample(text, "stemedb_wal_segment_rotations_total"), 1);
  EXPECT_EQ(Sample(text, "stemedb_wal_segments"), 2);
  double on_disk = 0;
  for (const auto& s : (*j)->Segments()) on_disk += std::filesystem::file_size(dir_.Sub(s.name));
  EXPECT_EQ(Sample(text, "stemedb_wal_disk_usage_bytes"), on_disk);
  EXPECT_TRUE(Has(text, "stemedb_wal_fsync_errors_total{segment=\"segment.002.wal\"} 0\n"));
}

TEST_F(JournalMetricsTest, ExpositionPassesPromtool) {
  if (!std::filesystem::exists("/usr/bin/promtool")) GTEST_SKIP() << "promtool not installed";
  auto j = Journal::Open(wal::testing::OptionsFor(dir_.path()), registry_);
  ASSERT_TRUE(j.ok());
  (*j)->Start();
  ASSERT_TRUE(wal::testing::AppendOne(**j, "x").status.ok());
  std::string text = registry_.Render();
  FILE* p = ::popen("/usr/bin/promtool check metrics > /dev/null 2>&1", "w");
  ASSERT_NE(p, nullptr);
  std::fwrite(text.data(), 1, text.size(), p);
  EXPECT_EQ(::pclose(p), 0) << text;
}

TEST_F(JournalMetricsTest, DiskFreeStopsRenderingWhenTheJournalIsGone) {
  {
    auto j = Journal::Open(wal::testing::OptionsFor(dir_.path()), registry_);
    ASSERT_TRUE(j.ok());
  }
  auto again = Journal::Open(wal::testing::OptionsFor(dir_.path()), registry_);
  ASSERT_TRUE(again.ok());
  std::string text = registry_.Render();
  size_t first = text.find("# TYPE stemedb_wal_disk_free_bytes");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(text.find("# TYPE stemedb_wal_disk_free_bytes", first + 1), std::string::npos);
}

}  // namespace
}  // namespace stemedb::wal

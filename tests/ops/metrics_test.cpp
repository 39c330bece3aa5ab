#include "stemedb/ops/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

namespace stemedb::ops {
namespace {

TEST(MetricsTest, CounterRendersWithLabels) {
  Registry r;
  auto& fam = r.CounterFamily("stemedb_test_requests_total", "Requests.", {"method", "route"});
  fam.WithLabels({"GET", "/v1/health"}).Inc();
  fam.WithLabels({"GET", "/v1/health"}).Inc(2);
  std::string out = r.Render();
  EXPECT_NE(out.find("# TYPE stemedb_test_requests_total counter"), std::string::npos);
  EXPECT_NE(out.find("stemedb_test_requests_total{method=\"GET\",route=\"/v1/health\"} 3\n"),
            std::string::npos)
      << out;
}

TEST(MetricsTest, IntegralValuesRenderAsIntegersAndOthersRoundTrip) {
  Registry r;
  r.GaugeFamily("stemedb_test_big", "G.", {}).WithLabels({}).Set(200000);
  r.GaugeFamily("stemedb_test_small", "G.", {}).WithLabels({}).Set(0.1);
  r.GaugeFamily("stemedb_test_huge", "G.", {}).WithLabels({}).Set(1e300);
  const std::string out = r.Render();
  EXPECT_NE(out.find("stemedb_test_big 200000\n"), std::string::npos) << out;
  EXPECT_NE(out.find("stemedb_test_small 0.1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("stemedb_test_huge 1e+300\n"), std::string::npos) << out;
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  Registry r;
  r.GaugeFamily("stemedb_test_gauge", "G.", {"path"}).WithLabels({"a\"b\\c\nd"}).Set(1.5);
  EXPECT_NE(r.Render().find(R"(stemedb_test_gauge{path="a\"b\\c\nd"} 1.5)"), std::string::npos);
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Registry r;
  auto& h = r.AddHistogram("stemedb_test_seconds", "H.", {0.1, 1.0});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(5);
  auto s = h.Read();
  ASSERT_EQ(s.cumulative_counts.size(), 3u);
  EXPECT_EQ(s.cumulative_counts[0], 1u);
  EXPECT_EQ(s.cumulative_counts[1], 2u);
  EXPECT_EQ(s.cumulative_counts[2], 3u);
  EXPECT_DOUBLE_EQ(s.sum, 5.55);
  std::string out = r.Render();
  EXPECT_NE(out.find("stemedb_test_seconds_bucket{le=\"+Inf\"} 3"), std::string::npos) << out;
  EXPECT_NE(out.find("stemedb_test_seconds_bucket{le=\"0.1\"} 1"), std::string::npos) << out;
}

TEST(MetricsTest, SummaryQuantilesOverWindow) {
  Registry r;
  auto& s = r.AddSummary("stemedb_test_duration_seconds", "S.");
  for (int i = 1; i <= 1000; ++i) s.Observe(i / 1000.0);
  auto snap = s.Read();
  ASSERT_EQ(snap.quantiles.size(), 3u);
  EXPECT_NEAR(snap.quantiles[0].second, 0.5, 0.001);
  EXPECT_NEAR(snap.quantiles[2].second, 0.99, 0.001);
  EXPECT_EQ(snap.count, 1000u);
  EXPECT_NE(r.Render().find("stemedb_test_duration_seconds{quantile=\"0.99\"} 0.99"),
            std::string::npos);
}

TEST(MetricsTest, SummaryForgetsSamplesOlderThanWindow) {
  Summary::Options o;
  o.max_age = std::chrono::seconds(1);
  o.age_buckets = 2;
  Summary s(o);
  s.Observe(100);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto snap = s.Read();
  EXPECT_TRUE(std::isnan(snap.quantiles[0].second));
  EXPECT_EQ(snap.count, 1u);  // _count stays cumulative
}

TEST(MetricsTest, ReservoirBoundsMemory) {
  Summary::Options o;
  o.samples_per_bucket_max = 64;
  Summary s(o);
  for (int i = 0; i < 100000; ++i) s.Observe(i % 100);
  auto snap = s.Read();
  EXPECT_EQ(snap.count, 100000u);
  EXPECT_GE(snap.quantiles[2].second, 80);
}

TEST(MetricsTest, ConcurrentIncrementsAreNotLost) {
  Registry r;
  auto& fam = r.CounterFamily("stemedb_test_total", "C.", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&fam, t] {
      for (int i = 0; i < 10000; ++i) fam.WithLabels({std::to_string(t % 2)}).Inc();
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(fam.WithLabels({"0"}).Value() + fam.WithLabels({"1"}).Value(), 80000);
}

TEST(MetricsTest, SameNameTwiceReturnsSameFamily) {
  Registry r;
  auto& a = r.AddCounter("stemedb_x_total", "X.");
  auto& b = r.AddCounter("stemedb_x_total", "X.");
  EXPECT_EQ(&a, &b);
}

// Metric names are fixed in the code: a bad one is a bug, and the process stops naming it.
TEST(MetricsDeathTest, ProgrammingErrorsStopTheProcess) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Registry r;
  r.AddCounter("stemedb_x_total", "X.");
  EXPECT_DEATH(r.AddGauge("stemedb_x_total", "X."), "registered twice with different types: stemedb_x_total");
  EXPECT_DEATH(r.CounterFamily("stemedb_x_total", "X.", {"segment"}),
               "registered twice with different label names: stemedb_x_total");
  EXPECT_DEATH(r.AddGauge("bad-name", "X."), "invalid metric name: bad-name");
  EXPECT_DEATH(r.CounterFamily("stemedb_y_total", "Y.", {"__reserved"}), "invalid label name: __reserved");
  auto& family = r.CounterFamily("stemedb_z_total", "Z.", {"a", "b"});
  EXPECT_DEATH(family.WithLabels({"only one"}), "wrong number of label values: stemedb_z_total");
  EXPECT_DEATH(Histogram({1.0, 1.0}), "histogram bounds must increase");
}

TEST(MetricsTest, CollectorsAppendAtRender) {
  Registry r;
  r.AddCollector([](ExpositionWriter& w) {
    w.Header("stemedb_test_free_bytes", MetricType::kGauge, "Free.");
    w.Sample("stemedb_test_free_bytes", 42);
  });
  EXPECT_NE(r.Render().find("stemedb_test_free_bytes 42\n"), std::string::npos);
}

}  // namespace
}  // namespace stemedb::ops

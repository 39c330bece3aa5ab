#pragma once
// A small Prometheus metrics module: counters, gauges, histograms and summaries with label
// sets, rendered in the text exposition format 0.0.4.
//
// Why our own: prometheus-cpp is not packaged for Debian 12, and we take dependencies from
// Debian only. promtool checks what this renders (tests/ops/metrics_promtool_test.cpp).
//
// Hot path: Counter/Gauge/Histogram updates are single atomic operations. Looking up a labelled
// child takes the family's shared lock (never a registry-wide lock); callers on hot paths look a
// child up once and keep the reference: children live as long as the registry.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace stemedb::ops {

// Label values, in the order of the family's label names.
using LabelValues = std::vector<std::string>;

class Counter {
 public:
  void Inc(double delta = 1.0) { value_.fetch_add(delta, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Inc(double delta = 1.0) { value_.fetch_add(delta, std::memory_order_relaxed); }
  void Dec(double delta = 1.0) { value_.fetch_sub(delta, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  // upper_bounds: strictly increasing, finite; +Inf is implicit.
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double v);

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<uint64_t> cumulative_counts;  // one per bound, then +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, non-cumulative
  std::atomic<double> sum_{0.0};
};

// Quantiles over a sliding time window (as client_golang's Summary: the window is split into
// age buckets that rotate). Each age bucket keeps a bounded uniform sample (reservoir), so memory
// is fixed whatever the observation rate. _sum and _count are cumulative, as Prometheus expects.
class Summary {
 public:
  struct Options {
    std::vector<double> quantiles = {0.5, 0.9, 0.99};
    std::chrono::seconds max_age{60};
    int age_buckets = 6;
    size_t samples_per_bucket_max = 2048;
  };
  Summary() : Summary(Options{}) {}
  explicit Summary(Options options);
  void Observe(double v);

  struct Snapshot {
    std::vector<std::pair<double, double>> quantiles;  // (quantile, value); NaN when no samples
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  struct AgeBucket {
    std::chrono::steady_clock::time_point started;
    uint64_t seen = 0;
    std::vector<double> samples;
  };
  void RotateLocked(std::chrono::steady_clock::time_point now) const;

  Options options_;
  std::atomic<double> sum_{0.0};
  std::atomic<uint64_t> count_{0};
  mutable std::mutex mu_;  // per summary; guards buckets_ and rng_state_
  mutable std::vector<AgeBucket> buckets_;
  mutable size_t head_ = 0;
  uint64_t rng_state_ = 0x9E3779B97F4A7C15ull;
};

enum class MetricType { kCounter, kGauge, kHistogram, kSummary };

// Appends samples in the text exposition format. Used by Render and by collectors that read
// values on demand (process_* from /proc, disk free bytes, ...).
class ExpositionWriter {
 public:
  explicit ExpositionWriter(std::string& out) : out_(out) {}
  void Header(std::string_view name, MetricType type, std::string_view help);
  void Sample(std::string_view name, const std::vector<std::string>& label_names,
              const LabelValues& label_values, double value);
  void Sample(std::string_view name, double value) { Sample(name, {}, {}, value); }

 private:
  std::string& out_;
};

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}
  virtual ~FamilyBase() = default;
  virtual void Render(ExpositionWriter& w) const = 0;
  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

 protected:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

template <typename M>
class Family final : public FamilyBase {
 public:
  using Factory = std::function<std::unique_ptr<M>()>;
  Family(std::string name, std::string help, std::vector<std::string> label_names, Factory make)
      : FamilyBase(std::move(name), std::move(help), std::move(label_names)), make_(std::move(make)) {}

  // The child for these label values, created on first use. The reference stays valid for the
  // registry's lifetime. As many values as label names (checked: STEMEDB_CHECK).
  M& WithLabels(const LabelValues& values);
  void Render(ExpositionWriter& w) const override;

 private:
  Factory make_;
  mutable std::shared_mutex mu_;
  std::map<LabelValues, std::unique_ptr<M>> children_;
};

class Registry {
 public:
  Family<Counter>& CounterFamily(std::string name, std::string help, std::vector<std::string> labels);
  Family<Gauge>& GaugeFamily(std::string name, std::string help, std::vector<std::string> labels);
  Family<Histogram>& HistogramFamily(std::string name, std::string help,
                                     std::vector<std::string> labels, std::vector<double> bounds);
  Family<Summary>& SummaryFamily(std::string name, std::string help,
                                 std::vector<std::string> labels, Summary::Options options = {});

  // Unlabelled shorthands.
  Counter& AddCounter(std::string name, std::string help) { return CounterFamily(std::move(name), std::move(help), {}).WithLabels({}); }
  Gauge& AddGauge(std::string name, std::string help) { return GaugeFamily(std::move(name), std::move(help), {}).WithLabels({}); }
  Histogram& AddHistogram(std::string name, std::string help, std::vector<double> bounds) {
    return HistogramFamily(std::move(name), std::move(help), {}, std::move(bounds)).WithLabels({});
  }
  Summary& AddSummary(std::string name, std::string help, Summary::Options options = {}) {
    return SummaryFamily(std::move(name), std::move(help), {}, std::move(options)).WithLabels({});
  }

  // A collector renders metrics whose values are read at scrape time.
  void AddCollector(std::function<void(ExpositionWriter&)> collector);

  // The whole registry in the text exposition format 0.0.4.
  std::string Render() const;

  // Registering the same name twice returns the existing family, so components can be created
  // more than once in tests against one registry. A bad metric or label name, or the same name
  // with another type or other label names, is a bug: STEMEDB_CHECK stops the process.
 private:
  template <typename M, typename... A>
  Family<M>& Add(std::string name, std::string help, std::vector<std::string> labels,
                 typename Family<M>::Factory make);

  mutable std::mutex mu_;  // registration and rendering only; never on an update path
  std::vector<std::unique_ptr<FamilyBase>> families_;
  std::vector<std::function<void(ExpositionWriter&)>> collectors_;
};

// Bucket bounds for latencies from 50 us to ~10 s.
std::vector<double> LatencyBucketsSeconds();
// Powers of two from 1 to 2^(n-1), for sizes and counts.
std::vector<double> ExponentialBuckets(double start, double factor, int count);

}  // namespace stemedb::ops

#include "stemedb/ops/metrics.h"

#include <algorithm>
#include <cmath>
#include <charconv>
#include <cstdio>

#include "stemedb/ground/check.h"

namespace stemedb::ops {
namespace {

// Prometheus text format: the shortest decimal that reads back as the same double (as Go's
// strconv does), so quantile="0.99" is spelled as operators and alert rules expect.
void AppendValue(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else if (v == std::trunc(v) && std::fabs(v) < 1e15) {
    // Counts read as counts: 200000, not the shorter 2e+05. Below 2^53 the integer is exact.
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(v));
    out.append(buf, res.ptr);
  } else {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
  }
}

void AppendEscapedLabelValue(std::string& out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void AppendEscapedHelp(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

const char* TypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kSummary: return "summary";
  }
  return "untyped";
}

// Metric and label names are fixed in the code, so a bad one, a clash of types or of label
// names, or a wrong number of label values is a bug in the caller: stop, naming it.
void CheckMetric(bool ok, const char* problem, const std::string& name) {
  if (!ok) std::fprintf(stderr, "metrics: %s: %s\n", problem, name.c_str());
  STEMEDB_CHECK(ok);
}

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string> With(const std::vector<std::string>& names, std::string extra) {
  std::vector<std::string> out = names;
  out.push_back(std::move(extra));
  return out;
}

LabelValues With(const LabelValues& values, const std::string& extra, int) {
  LabelValues out = values;
  out.push_back(extra);
  return out;
}

std::string FormatBound(double b) {
  std::string s;
  AppendValue(s, b);
  return s;
}

}  // namespace

// ---- Histogram -------------------------------------------------------------------------------

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      counts_(new std::atomic<uint64_t>[upper_bounds_.size() + 1]) {
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) counts_[i].store(0);
  for (size_t i = 1; i < upper_bounds_.size(); ++i) {
    CheckMetric(upper_bounds_[i - 1] < upper_bounds_[i], "histogram bounds must increase",
                std::to_string(upper_bounds_[i]));
  }
}

void Histogram::Observe(double v) {
  size_t i = std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), v) - upper_bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.upper_bounds = upper_bounds_;
  uint64_t running = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative_counts.push_back(running);
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

// ---- Summary ---------------------------------------------------------------------------------

Summary::Summary(Options options) : options_(std::move(options)) {
  STEMEDB_CHECK(options_.age_buckets > 0);
  buckets_.resize(options_.age_buckets);
  auto now = std::chrono::steady_clock::now();
  for (auto& b : buckets_) b.started = now;
}

void Summary::RotateLocked(std::chrono::steady_clock::time_point now) const {
  // The head bucket collects new samples; once it is older than max_age / age_buckets, the
  // oldest bucket is cleared and becomes the head. Quantiles read every bucket, so the window
  // covers between max_age * (n-1)/n and max_age.
  const auto width = options_.max_age / options_.age_buckets;
  int rotations = 0;
  while (now - buckets_[head_].started >= width && rotations < options_.age_buckets) {
    head_ = (head_ + 1) % buckets_.size();
    buckets_[head_].samples.clear();
    buckets_[head_].seen = 0;
    buckets_[head_].started = now;
    ++rotations;
  }
}

void Summary::Observe(double v) {
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  RotateLocked(std::chrono::steady_clock::now());
  AgeBucket& b = buckets_[head_];
  ++b.seen;
  if (b.samples.size() < options_.samples_per_bucket_max) {
    b.samples.push_back(v);
    return;
  }
  // Reservoir sampling (Vitter's algorithm R) keeps a uniform sample of the bucket's stream.
  rng_state_ ^= rng_state_ << 13;
  rng_state_ ^= rng_state_ >> 7;
  rng_state_ ^= rng_state_ << 17;
  uint64_t j = rng_state_ % b.seen;
  if (j < b.samples.size()) b.samples[j] = v;
}

Summary::Snapshot Summary::Read() const {
  Snapshot s;
  std::vector<double> all;
  {
    std::lock_guard lock(mu_);
    RotateLocked(std::chrono::steady_clock::now());
    for (const auto& b : buckets_) all.insert(all.end(), b.samples.begin(), b.samples.end());
  }
  std::sort(all.begin(), all.end());
  for (double q : options_.quantiles) {
    double value = std::nan("");
    if (!all.empty()) {
      size_t rank = static_cast<size_t>(std::ceil(q * all.size()));
      value = all[std::min(all.size() - 1, rank == 0 ? 0 : rank - 1)];
    }
    s.quantiles.emplace_back(q, value);
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  s.count = count_.load(std::memory_order_relaxed);
  return s;
}

// ---- Exposition ------------------------------------------------------------------------------

void ExpositionWriter::Header(std::string_view name, MetricType type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  AppendEscapedHelp(out_, help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += TypeName(type);
  out_ += '\n';
}

void ExpositionWriter::Sample(std::string_view name, const std::vector<std::string>& label_names,
                              const LabelValues& label_values, double value) {
  STEMEDB_CHECK(label_names.size() == label_values.size());
  out_ += name;
  if (!label_names.empty()) {
    out_ += '{';
    for (size_t i = 0; i < label_names.size(); ++i) {
      if (i) out_ += ',';
      out_ += label_names[i];
      out_ += "=\"";
      AppendEscapedLabelValue(out_, label_values[i]);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  AppendValue(out_, value);
  out_ += '\n';
}

// ---- Families --------------------------------------------------------------------------------

template <typename M>
M& Family<M>::WithLabels(const LabelValues& values) {
  CheckMetric(values.size() == label_names_.size(), "wrong number of label values", name_);
  {
    std::shared_lock lock(mu_);
    auto it = children_.find(values);
    if (it != children_.end()) return *it->second;
  }
  std::unique_lock lock(mu_);
  auto& slot = children_[values];
  if (!slot) slot = make_();
  return *slot;
}

template <>
void Family<Counter>::Render(ExpositionWriter& w) const {
  w.Header(name_, MetricType::kCounter, help_);
  std::shared_lock lock(mu_);
  for (const auto& [labels, c] : children_) w.Sample(name_, label_names_, labels, c->Value());
}

template <>
void Family<Gauge>::Render(ExpositionWriter& w) const {
  w.Header(name_, MetricType::kGauge, help_);
  std::shared_lock lock(mu_);
  for (const auto& [labels, g] : children_) w.Sample(name_, label_names_, labels, g->Value());
}

template <>
void Family<Histogram>::Render(ExpositionWriter& w) const {
  w.Header(name_, MetricType::kHistogram, help_);
  const auto le_names = With(label_names_, "le");
  std::shared_lock lock(mu_);
  for (const auto& [labels, h] : children_) {
    Histogram::Snapshot s = h->Read();
    for (size_t i = 0; i < s.upper_bounds.size(); ++i) {
      w.Sample(name_ + "_bucket", le_names, With(labels, FormatBound(s.upper_bounds[i]), 0),
               static_cast<double>(s.cumulative_counts[i]));
    }
    w.Sample(name_ + "_bucket", le_names, With(labels, "+Inf", 0), static_cast<double>(s.count));
    w.Sample(name_ + "_sum", label_names_, labels, s.sum);
    w.Sample(name_ + "_count", label_names_, labels, static_cast<double>(s.count));
  }
}

template <>
void Family<Summary>::Render(ExpositionWriter& w) const {
  w.Header(name_, MetricType::kSummary, help_);
  const auto q_names = With(label_names_, "quantile");
  std::shared_lock lock(mu_);
  for (const auto& [labels, sm] : children_) {
    Summary::Snapshot s = sm->Read();
    for (const auto& [q, v] : s.quantiles) w.Sample(name_, q_names, With(labels, FormatBound(q), 0), v);
    w.Sample(name_ + "_sum", label_names_, labels, s.sum);
    w.Sample(name_ + "_count", label_names_, labels, static_cast<double>(s.count));
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;
template class Family<Summary>;

// ---- Registry --------------------------------------------------------------------------------

template <typename M, typename... A>
Family<M>& Registry::Add(std::string name, std::string help, std::vector<std::string> labels,
                         typename Family<M>::Factory make) {
  CheckMetric(ValidName(name), "invalid metric name", name);
  for (const auto& l : labels) CheckMetric(ValidName(l) && l.rfind("__", 0) != 0, "invalid label name", l);
  std::lock_guard lock(mu_);
  for (auto& f : families_) {
    if (f->name() == name) {
      auto* same = dynamic_cast<Family<M>*>(f.get());
      CheckMetric(same != nullptr, "registered twice with different types", name);
      CheckMetric(same->label_names() == labels, "registered twice with different label names", name);
      return *same;
    }
  }
  auto family = std::make_unique<Family<M>>(std::move(name), std::move(help), std::move(labels), std::move(make));
  Family<M>& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

Family<Counter>& Registry::CounterFamily(std::string name, std::string help, std::vector<std::string> labels) {
  return Add<Counter>(std::move(name), std::move(help), std::move(labels),
                      [] { return std::make_unique<Counter>(); });
}

Family<Gauge>& Registry::GaugeFamily(std::string name, std::string help, std::vector<std::string> labels) {
  return Add<Gauge>(std::move(name), std::move(help), std::move(labels),
                    [] { return std::make_unique<Gauge>(); });
}

Family<Histogram>& Registry::HistogramFamily(std::string name, std::string help,
                                             std::vector<std::string> labels, std::vector<double> bounds) {
  return Add<Histogram>(std::move(name), std::move(help), std::move(labels),
                        [bounds] { return std::make_unique<Histogram>(bounds); });
}

Family<Summary>& Registry::SummaryFamily(std::string name, std::string help,
                                         std::vector<std::string> labels, Summary::Options options) {
  return Add<Summary>(std::move(name), std::move(help), std::move(labels),
                      [options] { return std::make_unique<Summary>(options); });
}

void Registry::AddCollector(std::function<void(ExpositionWriter&)> collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::Render() const {
  std::string out;
  out.reserve(16 * 1024);
  ExpositionWriter w(out);
  std::lock_guard lock(mu_);
  for (const auto& f : families_) f->Render(w);
  for (const auto& c : collectors_) c(w);
  return out;
}

std::vector<double> LatencyBucketsSeconds() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
          0.025,   0.05,   0.1,     0.25,   0.5,   1.0,    2.5,    5.0, 10.0};
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> out;
  double v = start;
  for (int i = 0; i < count; ++i, v *= factor) out.push_back(v);
  return out;
}

}  // namespace stemedb::ops

// `stemedb-bench wal`: group-commit throughput and append latency at 1, 8, 64 and 256
// concurrent appenders, beside a baseline of one fdatasync per record on the same disk.
//
// Each appender is a closed loop that, like an Asio handler, issues its next Append from the
// completion callback of the previous one: no thread waits on the disk, exactly as the server
// uses the journal. Latency is Append call to callback.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bench_commands.h"
#include "latency_stats.h"
#include "stemedb/ops/metrics.h"
#include "stemedb/wal/journal.h"
#include "stemedb/wal/record_payload.h"

namespace stemedb::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct WalBenchFlags {
  std::string dir = "stemedb-bench-wal.tmp";
  double seconds = 3;
  double warmup_seconds = 0.5;
  std::vector<int> appenders = {1, 8, 64, 256};
  uint64_t record_bytes = 300;
  bool keep = false;
};

struct Level {
  std::string name;
  LatencyStats stats;
  double records_per_batch = 1;
  double fsync_mean_ms = 0;
};

uint64_t Nanos(Clock::duration d) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}

// N appenders chained through their callbacks; records latencies inside [from, until).
class ClosedLoop {
 public:
  ClosedLoop(wal::Journal& journal, std::string body, Clock::time_point from,
             Clock::time_point until)
      : journal_(journal), body_(std::move(body)), from_(from), until_(until) {}

  // Returns the latencies (ns) completed inside the window, or the first error.
  Result<std::vector<uint64_t>> Run(int appenders) {
    outstanding_ = appenders;
    for (int i = 0; i < appenders; ++i) Issue();
    std::unique_lock lock(mu_);
    idle_.wait(lock, [&] { return outstanding_ == 0; });
    if (!error_.ok()) return error_;
    return std::move(samples_ns_);
  }

 private:
  void Issue() {
    Clock::time_point start = Clock::now();
    journal_.Append({{1, body_}},
                    [this, start](const Status& s, const wal::AppendResult&) { Done(start, s); });
  }

  // On the writer thread (or the caller's, for a refusal).
  void Done(Clock::time_point start, const Status& s) {
    Clock::time_point now = Clock::now();
    bool again = s.ok() && now < until_;
    {
      std::lock_guard lock(mu_);
      if (!s.ok() && error_.ok()) error_ = s;
      if (s.ok() && now >= from_ && now < until_) samples_ns_.push_back(Nanos(now - start));
      if (!again && --outstanding_ == 0) idle_.notify_all();
    }
    if (again) Issue();
  }

  wal::Journal& journal_;
  const std::string body_;
  const Clock::time_point from_;
  const Clock::time_point until_;
  std::mutex mu_;
  std::condition_variable idle_;
  int outstanding_ = 0;
  Status error_;
  std::vector<uint64_t> samples_ns_;
};

double HistogramMean(ops::Histogram& h, double scale) {
  ops::Histogram::Snapshot s = h.Read();
  return s.count == 0 ? 0 : s.sum / static_cast<double>(s.count) * scale;
}

Result<Level> RunJournal(const WalBenchFlags& f, int appenders) {
  wal::JournalOptions options;
  options.dir = f.dir + "/appenders-" + std::to_string(appenders);
  std::filesystem::remove_all(options.dir);
  ops::Registry registry;
  auto journal = wal::Journal::Open(options, registry);
  if (!journal.ok()) return journal.status();
  (*journal)->Start();
  std::string body(f.record_bytes - wal::JournalRecordBytes(0), 'b');
  Clock::time_point from = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                              std::chrono::duration<double>(f.warmup_seconds));
  Clock::time_point until =
      from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(f.seconds));
  ClosedLoop loop(**journal, body, from, until);
  Result<std::vector<uint64_t>> samples = loop.Run(appenders);
  (*journal)->Close();
  if (!samples.ok()) return samples.status();

  Level level;
  level.name = std::to_string(appenders);
  level.stats = Summarize(*samples, f.seconds);
  // The journal's own metrics (registering a name again returns the existing family).
  ops::Histogram& batch = registry.AddHistogram("stemedb_wal_batch_records", "", {});
  ops::Histogram& fsync = registry.AddHistogram("stemedb_wal_fsync_latency_seconds", "", {});
  level.records_per_batch = HistogramMean(batch, 1);
  level.fsync_mean_ms = HistogramMean(fsync, 1e3);
  return level;
}

// One pwrite and one fdatasync per record: what a WAL without group commit costs.
Result<Level> RunBaseline(const WalBenchFlags& f) {
  Env& env = *Env::Default();
  std::string path = f.dir + "/baseline.dat";
  std::filesystem::remove(path);
  auto file = env.OpenFile(path, OpenMode::kCreateNew);
  if (!file.ok()) return file.status();
  std::string record(f.record_bytes, 'r');
  std::vector<uint64_t> samples;
  Clock::time_point from = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                              std::chrono::duration<double>(f.warmup_seconds));
  Clock::time_point until =
      from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(f.seconds));
  for (uint64_t pos = 0;; pos += record.size()) {
    Clock::time_point start = Clock::now();
    if (start >= until) break;
    STEMEDB_RETURN_IF_ERROR(WriteFully(**file, pos, record));
    STEMEDB_RETURN_IF_ERROR((*file)->DataSync());
    if (start >= from) samples.push_back(Nanos(Clock::now() - start));
  }
  Level level;
  level.name = "baseline";
  level.stats = Summarize(samples, f.seconds);
  level.fsync_mean_ms = level.stats.mean_ms;  // pwrite + fdatasync
  return level;
}

void PrintRow(const Level& l, const Level& baseline) {
  double ratio = baseline.stats.per_second > 0 ? l.stats.per_second / baseline.stats.per_second : 0;
  std::printf("| %s | %.0f | %.3f | %.3f | %.1f | %.3f | %.0f | %.3f / %.3f | %.1fx |\n",
              l.name.c_str(), l.stats.per_second, l.stats.p50_ms, l.stats.p99_ms,
              l.records_per_batch, l.fsync_mean_ms, baseline.stats.per_second,
              baseline.stats.p50_ms, baseline.stats.p99_ms, ratio);
  std::fflush(stdout);
}

// The issue's target: at 64 appenders, >= 20x the baseline's appends/s and p99 <= 2 ms.
void PrintTarget(const Level& l, const Level& baseline) {
  double ratio = l.stats.per_second / std::max(baseline.stats.per_second, 1.0);
  bool met = ratio >= 20 && l.stats.p99_ms <= 2.0;
  std::printf("\ntarget at 64 appenders (>= 20x baseline, p99 <= 2 ms): %s (%.1fx, p99 %.3f ms)\n",
              met ? "met" : "missed", ratio, l.stats.p99_ms);
}

int RunWalBench(const WalBenchFlags& f) {
  if (f.record_bytes < wal::JournalRecordBytes(1)) {
    std::fprintf(stderr, "--record-bytes must be at least %llu\n",
                 static_cast<unsigned long long>(wal::JournalRecordBytes(1)));
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  std::filesystem::create_directories(f.dir);
  std::printf(
      "stemedb-bench wal: %llu-byte records (framing included), %.1f s per run after "
      "%.1f s warm-up, dir %s\n"
      "Each level runs right after its own baseline run (one pwrite + fdatasync per record), "
      "so a shared disk's changing latency hits both alike.\n\n",
      static_cast<unsigned long long>(f.record_bytes), f.seconds, f.warmup_seconds,
      std::filesystem::absolute(f.dir).c_str());
  std::printf(
      "| appenders | appends/s | p50 ms | p99 ms | records/batch | fdatasync ms (mean) "
      "| baseline appends/s | baseline p50 / p99 ms | vs baseline |\n"
      "|---|---|---|---|---|---|---|---|---|\n");
  std::optional<std::pair<Level, Level>> at_64;
  for (int n : f.appenders) {
    Result<Level> baseline = RunBaseline(f);
    Result<Level> level = baseline.ok() ? RunJournal(f, n) : baseline;
    if (!level.ok()) {
      std::fprintf(stderr, "%d appenders: %s\n", n, level.status().ToString().c_str());
      return 1;
    }
    PrintRow(*level, *baseline);
    if (n == 64) at_64.emplace(*level, *baseline);
  }
  if (at_64) PrintTarget(at_64->first, at_64->second);
  if (!f.keep) std::filesystem::remove_all(f.dir);
  return 0;
}

}  // namespace

void AddWalCommand(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<WalBenchFlags>();
  CLI::App* cmd = app.add_subcommand(
      "wal",
      "WAL group commit: appends/s and p50/p99 append latency per concurrency level, "
      "beside one fdatasync per record");
  cmd->add_option("--dir", flags->dir, "Scratch directory on the disk to measure (removed after)");
  cmd->add_option("--seconds", flags->seconds, "Measured seconds per level")
      ->check(CLI::Range(0.1, 600.0));
  cmd->add_option("--warmup-seconds", flags->warmup_seconds, "Unmeasured seconds first")
      ->check(CLI::Range(0.0, 60.0));
  cmd->add_option("--appenders", flags->appenders, "Concurrency levels")
      ->delimiter(',')
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--record-bytes", flags->record_bytes, "Bytes per record on disk")
      ->check(CLI::Range(26, 1 << 20));
  cmd->add_flag("--keep", flags->keep, "Keep the scratch directory");
  cmd->callback([flags, &exit_code] { exit_code = RunWalBench(*flags); });
}

}  // namespace stemedb::bench

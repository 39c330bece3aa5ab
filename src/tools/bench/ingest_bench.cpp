// `stemedb-bench ingest`: signed assertions posted over keep-alive connections, singly
// (POST /v1/assert) and in batches (POST /v1/assert/batch), beside the Ed25519 verification
// ceiling of all cores measured in the same run. Every write verifies its signature before it is
// queued, so that ceiling bounds ingest; the ratio says how much of the CPU the rest costs.
//
// Assertions are signed before the clock starts; each run uses fresh subjects so no write is an
// idempotent "exists".
#include <chrono>
#include <cstdio>
#include <thread>

#include "bench_commands.h"
#include "http_bench.h"
#include "signed_corpus.h"
#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/ed25519_bench.h"

namespace stemedb::bench {
namespace {

struct IngestFlags {
  HttpBenchFlags http;
  uint64_t assertions = 200000;
  std::vector<int> batch_sizes = {1, 100};
  double ceiling_seconds = 3;
};

struct IngestRow {
  int batch = 1;
  LoadSummary load;
  double assertions_per_s = 0;
};

unsigned Cores() { return std::max(1u, std::thread::hardware_concurrency()); }

Result<IngestRow> RunIngest(const IngestFlags& f, int batch) {
  CorpusShape shape;
  shape.subject_prefix = "bench-ingest/" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) + "/b" + std::to_string(batch);
  shape.subjects = (f.assertions + 99) / 100;
  shape.predicates = 10;
  shape.claims = 10;
  const std::vector<std::string> bodies = BuildParallel(f.assertions, [&](uint64_t n) { return AssertionJson(shape, n); });
  const std::vector<std::string> requests = AssertRequests(bodies, static_cast<size_t>(batch), AuthHeaders(f.http));
  auto result = SendAll(f.http, requests);
  if (!result.ok()) return result.status();
  IngestRow row;
  row.batch = batch;
  row.load = Summarize(*result);
  row.assertions_per_s = static_cast<double>(row.load.ok) * batch / std::max(result->measured_s, 1e-9);
  return row;
}

void PrintRow(const IngestRow& r, double ceiling) {
  std::printf("| %s | %.0f | %.1f%% | %.2f | %.2f | %.2f | %.2f | %s |\n",
              r.batch == 1 ? "single (POST /v1/assert)" : ("batch of " + std::to_string(r.batch)).c_str(),
              r.assertions_per_s, 100 * r.assertions_per_s / ceiling, r.load.stats.p50_ms, r.load.stats.p99_ms,
              r.load.stats.p999_ms, r.load.stats.max_ms, r.load.statuses.c_str());
  std::fflush(stdout);
}

// The targets: single >= 50% of the ceiling with p99 <= 20 ms; batches of 100 >= 70%.
void PrintTarget(const IngestRow& r, double ceiling) {
  const double share = r.assertions_per_s / ceiling;
  const bool single = r.batch == 1;
  const bool met = single ? share >= 0.5 && r.load.stats.p99_ms <= 20 : share >= 0.7;
  std::printf("target %s: %s (%.1f%% of the ceiling%s)\n",
              single ? "single (>= 50% of the ceiling, p99 <= 20 ms)" : "batch (>= 70% of the ceiling)",
              met ? "met" : "missed", 100 * share,
              single ? (", p99 " + std::to_string(r.load.stats.p99_ms) + " ms").c_str() : "");
}

int RunIngestBench(const IngestFlags& f) {
  const size_t message_bytes = core::SigningMessage(core::Hash32{}).size();
  const core::VerifyThroughput ceiling = core::Ed25519VerifyPerSecond(
      message_bytes, Cores(), Millis(f.ceiling_seconds));
  std::printf("stemedb-bench ingest: %llu assertions per run, %d connections, server %s\n"
              "Ed25519 verification ceiling: %.0f/s on %u threads (libsodium, %zu-byte signing message)\n\n",
              static_cast<unsigned long long>(f.assertions), f.http.connections, f.http.server.c_str(),
              ceiling.per_second, Cores(), message_bytes);
  std::printf("| mode | assertions/s | of ceiling | p50 ms | p99 ms | p99.9 ms | max ms | statuses |\n"
              "|---|---|---|---|---|---|---|---|\n");
  std::vector<IngestRow> rows;
  for (int batch : f.batch_sizes) {
    auto row = RunIngest(f, batch);
    if (!row.ok()) {
      std::fprintf(stderr, "batch %d: %s\n", batch, row.status().ToString().c_str());
      return 1;
    }
    PrintRow(*row, ceiling.per_second);
    rows.push_back(*row);
  }
  std::printf("\n");
  for (const auto& r : rows) {
    if (r.batch == 1 || r.batch == 100) PrintTarget(r, ceiling.per_second);
  }
  for (const auto& r : rows) {
    if (r.load.not_ok != 0) return 1;  // a refused write is a broken run, not a slow one
  }
  return 0;
}

}  // namespace

void AddIngestCommand(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<IngestFlags>();
  CLI::App* cmd = app.add_subcommand(
      "ingest", "Signed assertions per second and latency, singly and in batches, against the Ed25519 ceiling");
  AddHttpFlags(*cmd, flags->http);
  cmd->add_option("--assertions", flags->assertions, "Assertions per run (signed before the clock starts)")
      ->check(CLI::Range(1, 10000000));
  cmd->add_option("--batch", flags->batch_sizes, "Batch sizes to run (1 posts singly)")
      ->delimiter(',')
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--ceiling-seconds", flags->ceiling_seconds, "Seconds to measure the verification ceiling")
      ->check(CLI::Range(0.1, 60.0));
  cmd->callback([flags, &exit_code] { exit_code = RunIngestBench(*flags); });
}

}  // namespace stemedb::bench

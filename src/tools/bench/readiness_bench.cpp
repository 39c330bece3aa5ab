// `stemedb-bench readiness`: how fast GET /v1/health and GET /readyz answer while the server
// checks signatures flat out. --connections clients post batches of assertions (each body up to
// --batch-bytes, every item signed by --signers agents) in a closed loop; one more client asks
// for /v1/health and /readyz in turn, one request every --probe-interval-ms. The table gives the
// probes' latency (p50, p99, max) with the server idle first, then under the load, and the rate
// of the batches.
//
// The batches are signed before the clock starts and posted again and again: a repeat is
// "exists" and skips the WAL, but it is parsed and every signature verified like the first,
// which is the work this measures.
#include <atomic>
#include <cstdio>
#include <thread>

#include "bench_commands.h"
#include "http_bench.h"
#include "signed_corpus.h"
#include "stemedb/client/http_connection.h"
#include "stemedb/core/limits.h"
#include "stemedb/core/record_json.h"

namespace stemedb::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct ReadinessFlags {
  HttpBenchFlags http = [] {
    HttpBenchFlags f;
    f.connections = 8;
    return f;
  }();
  size_t batch_bytes = 1 << 20;  // the daemon's default server.max_body_bytes
  int signers = static_cast<int>(core::kSignaturesMax);
  int batches = 8;  // distinct batch bodies, posted in turn
  double seconds = 10;
  double warmup_seconds = 2;
  double idle_seconds = 3;
  int probe_interval_ms = 10;
};

struct Batch {
  std::string request;
  size_t items = 0;
  size_t body_bytes = 0;
};

// Batch number `b`: as many items as fit in f.batch_bytes (and in a batch's record limit).
Batch BuildBatch(const ReadinessFlags& f, int b, const std::vector<std::pair<std::string, std::string>>& headers) {
  const std::string prefix = "bench-readiness/b" + std::to_string(b);
  // One signed item tells the size of them all (they differ in a few digits): sign only those that fit.
  const size_t item_bytes = core::ToJson(MultiSignedAssertion(prefix, 0, f.signers)).dump().size() + 1;
  const size_t items = std::min(core::kBatchRecordsMax, std::max<size_t>(1, (f.batch_bytes - 32) / item_bytes));
  std::vector<std::string> bodies =
      BuildParallel(items, [&](uint64_t i) { return core::ToJson(MultiSignedAssertion(prefix, i, f.signers)).dump(); });
  std::string body = BatchBody(bodies, 0, bodies.size());
  while (body.size() > f.batch_bytes && bodies.size() > 1) {  // a longer item than the first: drop from the end
    bodies.pop_back();
    body = BatchBody(bodies, 0, bodies.size());
  }
  return {BuildRequest("POST", "/v1/assert/batch", body, headers), bodies.size(), body.size()};
}

struct ProbeSamples {
  std::vector<uint64_t> health_ns, readyz_ns;
  std::map<int, uint64_t> statuses;  // -1: no answer
};

// Probes /v1/health and /readyz in turn until `stop`; keeps the samples started in [from, to).
ProbeSamples Probe(const ReadinessFlags& f, const LoadOptions& where, Clock::time_point from, Clock::time_point to,
                   const std::atomic<bool>& stop) {
  ProbeSamples out;
  client::HttpConnection c(where.host, where.port, std::chrono::seconds(30));
  const auto headers = AuthHeaders(f.http);
  auto next = Clock::now();
  for (uint64_t n = 0; !stop.load() && Clock::now() < to; ++n) {
    std::this_thread::sleep_until(next);
    next += std::chrono::milliseconds(f.probe_interval_ms);
    const bool health = n % 2 == 0;
    const auto start = Clock::now();
    auto r = c.Get(health ? "/v1/health" : "/readyz", headers);
    const auto elapsed = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
    if (start < from) continue;
    ++out.statuses[r.ok() ? r->status : -1];
    (health ? out.health_ns : out.readyz_ns).push_back(elapsed);
  }
  return out;
}

std::string Statuses(const std::map<int, uint64_t>& counts) {
  std::string s;
  for (const auto& [status, n] : counts) {
    if (!s.empty()) s += ", ";
    s += (status < 0 ? std::string("no answer") : std::to_string(status)) + " x " + std::to_string(n);
  }
  return s;
}

void PrintProbeRows(const char* load, ProbeSamples& p, double window_s) {
  for (auto* series : {&p.health_ns, &p.readyz_ns}) {
    LatencyStats s = Summarize(*series, window_s);
    std::printf("| %s | %s | %llu | %.2f | %.2f | %.2f | %s |\n", series == &p.health_ns ? "/v1/health" : "/readyz", load,
                static_cast<unsigned long long>(s.count), s.p50_ms, s.p99_ms, s.max_ms,
                series == &p.health_ns ? Statuses(p.statuses).c_str() : "");
  }
  std::fflush(stdout);
}

int RunReadinessBench(const ReadinessFlags& f) {
  auto options = LoadOptionsFor(f.http);
  if (!options.ok()) {
    std::fprintf(stderr, "readiness: %s\n", options.status().ToString().c_str());
    return 1;
  }
  const auto headers = AuthHeaders(f.http);
  std::vector<Batch> batches;
  for (int b = 0; b < f.batches; ++b) batches.push_back(BuildBatch(f, b, headers));
  const Batch& first = batches.front();
  std::printf("stemedb-bench readiness: %d connections posting batches of %zu assertions (%zu bytes, %d signers an "
              "item: %zu signatures), a probe every %d ms; %.1f s idle, then %.1f s after %.1f s of warm-up\n\n",
              f.http.connections, first.items, first.body_bytes, f.signers, first.items * f.signers,
              f.probe_interval_ms, f.idle_seconds, f.seconds, f.warmup_seconds);
  std::printf("| probe | server | requests | p50 ms | p99 ms | max ms | statuses (both probes) |\n|---|---|---|---|---|---|---|\n");

  std::atomic<bool> stop{false};
  auto idle_start = Clock::now();
  ProbeSamples idle = Probe(f, *options, idle_start, idle_start + Millis(f.idle_seconds), stop);
  PrintProbeRows("idle", idle, f.idle_seconds);

  options->warmup = Millis(f.warmup_seconds);
  options->measure = Millis(f.seconds);
  const auto load_start = Clock::now();
  const auto from = load_start + options->warmup, to = from + options->measure;
  ProbeSamples loaded;
  std::thread prober([&] { loaded = Probe(f, *options, from, to, stop); });
  auto result = RunLoad(*options, [&](uint64_t n) { return batches[n % batches.size()].request; });
  stop.store(true);
  prober.join();
  if (!result.ok()) {
    std::fprintf(stderr, "readiness: the batch load failed: %s\n", result.status().ToString().c_str());
    return 1;
  }
  const std::string load = std::to_string(f.http.connections) + " clients posting batches";
  PrintProbeRows(load.c_str(), loaded, result->measured_s);
  LoadSummary batch = Summarize(*result);
  std::printf("\nbatches: %llu answered in %.1f s (%.2f/s, %.0f signatures/s checked), p50 %.0f ms, p99 %.0f ms; %s\n",
              static_cast<unsigned long long>(batch.stats.count), result->measured_s, batch.stats.per_second,
              batch.stats.per_second * static_cast<double>(first.items) * f.signers, batch.stats.p50_ms,
              batch.stats.p99_ms, batch.statuses.c_str());
  std::vector<uint64_t> health = loaded.health_ns, readyz = loaded.readyz_ns;
  const double p99_max = std::max(Summarize(health, 1).p99_ms, Summarize(readyz, 1).p99_ms);
  const bool answered = loaded.statuses.size() == 1 && loaded.statuses.count(200);
  std::printf("target (health and readyz p99 <= 10 ms under the load, every probe 200): %s (p99 %.2f ms)\n",
              answered && p99_max <= 10 ? "met" : "missed", p99_max);
  return batch.not_ok == 0 && answered ? 0 : 1;
}

}  // namespace

void AddReadinessCommand(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ReadinessFlags>();
  CLI::App* cmd = app.add_subcommand(
      "readiness", "Health and readiness latency while clients post large batches of many-signer assertions");
  AddHttpFlags(*cmd, flags->http);
  cmd->add_option("--batch-bytes", flags->batch_bytes, "Largest batch body (the server's max_body_bytes at most)")
      ->check(CLI::Range(size_t{4096}, size_t{64} << 20));
  cmd->add_option("--signers", flags->signers, "Signers of each item")
      ->check(CLI::Range(1, static_cast<int>(core::kSignaturesMax)));
  cmd->add_option("--batches", flags->batches, "Distinct batches, posted in turn")->check(CLI::Range(1, 1000));
  cmd->add_option("--seconds", flags->seconds, "Measured seconds under the load")->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--warmup-seconds", flags->warmup_seconds, "Unmeasured seconds of load first")
      ->check(CLI::Range(0.0, 600.0));
  cmd->add_option("--idle-seconds", flags->idle_seconds, "Seconds of probes before the load")
      ->check(CLI::Range(0.1, 600.0));
  cmd->add_option("--probe-interval-ms", flags->probe_interval_ms, "Time between two probes")
      ->check(CLI::Range(1, 10000));
  cmd->callback([flags, &exit_code] { exit_code = RunReadinessBench(*flags); });
}

}  // namespace stemedb::bench

// `stemedb-bench query`: random GET /v1/query over a data set written by `stemedb-bench load`,
// one measured run per lens, closed loop over keep-alive connections.
#include <cstdio>
#include <random>

#include "bench_commands.h"
#include "http_bench.h"

namespace stemedb::bench {
namespace {

struct QueryFlags {
  HttpBenchFlags http;
  CorpusShape shape;
  std::vector<std::string> lenses = {"recency", "confidence", "consensus", "vote", "authority", "epoch"};
  double seconds = 10;
  double warmup_seconds = 2;
  uint64_t seed = 42;
  // Set: GET this path instead of lens queries, one row. `/v1/health` measures the transport's
  // floor (HTTP/1.1 over loopback TCP, no storage), what every query pays before its lens.
  std::string path;
};

Result<LoadSummary> RunLens(const QueryFlags& f, const std::string& lens) {
  auto options = LoadOptionsFor(f.http);
  if (!options.ok()) return options.status();
  options->warmup = Millis(f.warmup_seconds);
  options->measure = Millis(f.seconds);
  const auto headers = AuthHeaders(f.http);
  std::mt19937_64 rng(f.seed);
  auto result = RunLoad(*options, [&](uint64_t) {
    if (!f.path.empty()) return BuildRequest("GET", f.path, "", headers);
    const std::string target = "/v1/query?subject=" + SubjectName(f.shape, rng() % f.shape.subjects) +
                               "&predicate=" + PredicateName(rng() % f.shape.predicates) + "&lens=" + lens;
    return BuildRequest("GET", target, "", headers);
  });
  if (!result.ok()) return result.status();
  return Summarize(*result);
}

// The target for recency: >= 20,000 queries/s with p99 <= 5 ms.
void PrintTarget(const LoadSummary& s) {
  const bool met = s.stats.per_second >= 20000 && s.stats.p99_ms <= 5;
  std::printf("\ntarget recency (>= 20000 queries/s, p99 <= 5 ms): %s (%.0f/s, p99 %.2f ms)\n", met ? "met" : "missed",
              s.stats.per_second, s.stats.p99_ms);
}

int RunQueryBench(const QueryFlags& f) {
  std::printf("stemedb-bench query: %llu subjects x %llu predicates, %d connections, %.1f s per lens after %.1f s warm-up\n\n",
              static_cast<unsigned long long>(f.shape.subjects), static_cast<unsigned long long>(f.shape.predicates),
              f.http.connections, f.seconds, f.warmup_seconds);
  std::printf("| lens | queries/s | p50 ms | p99 ms | p99.9 ms | max ms | statuses |\n|---|---|---|---|---|---|---|\n");
  std::optional<LoadSummary> recency;
  int exit_code = 0;
  const std::vector<std::string> rows = f.path.empty() ? f.lenses : std::vector<std::string>{f.path};
  for (const auto& lens : rows) {
    auto s = RunLens(f, lens);
    if (!s.ok()) {
      std::fprintf(stderr, "lens %s: %s\n", lens.c_str(), s.status().ToString().c_str());
      return 1;
    }
    std::printf("| %s | %.0f | %.2f | %.2f | %.2f | %.2f | %s |\n", lens.c_str(), s->stats.per_second, s->stats.p50_ms,
                s->stats.p99_ms, s->stats.p999_ms, s->stats.max_ms, s->statuses.c_str());
    std::fflush(stdout);
    if (s->not_ok != 0) exit_code = 1;
    if (lens == "recency") recency = *s;
  }
  if (recency) PrintTarget(*recency);
  return exit_code;
}

}  // namespace

void AddQueryCommand(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<QueryFlags>();
  CLI::App* cmd = app.add_subcommand("query", "Random GET /v1/query per lens over a data set written by `load`");
  AddHttpFlags(*cmd, flags->http);
  AddCorpusFlags(*cmd, flags->shape);
  cmd->add_option("--lens", flags->lenses, "Lenses to measure")->delimiter(',');
  cmd->add_option("--seconds", flags->seconds, "Measured seconds per lens")->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--warmup-seconds", flags->warmup_seconds, "Unmeasured seconds first")->check(CLI::Range(0.0, 600.0));
  cmd->add_option("--seed", flags->seed, "Seed of the random subjects and predicates");
  cmd->add_option("--path", flags->path, "GET this path instead of lens queries (e.g. /v1/health: the transport's floor)")
      ->check([](const std::string& p) { return p.starts_with('/') ? std::string() : "--path must start with /"; });
  cmd->callback([flags, &exit_code] { exit_code = RunQueryBench(*flags); });
}

}  // namespace stemedb::bench

// `stemedb-bench query`: random GET /v1/query over a data set written by `stemedb-bench load`,
// one measured run per lens, closed loop over keep-alive connections.
#include <cstdio>
#include <algorithm>
#include <numeric>
#include <optional>
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
  // Set: each (subject, predicate) pair at most once, in a scrambled order, so that every query
  // misses the candidate cache (of a daemon that has not answered these pairs before): what a
  // query costs the storage engine itself, as the data grows past what the cache holds.
  bool each_pair_once = false;
};

// i -> (a * i + b) mod n with a coprime to n: every pair once in n requests, in no order the
// data's layout follows.
class PairPermutation {
 public:
  // n >= 1. A multiplier that wrapped to 0 would never become coprime to n = 1, so it counts up
  // without wrapping instead (a_ and a_ mod n_ give the same permutation).
  explicit PairPermutation(uint64_t n, uint64_t seed) : n_(n), a_(std::max<uint64_t>(1, 0x9E3779B97F4A7C15ull % n)), b_(seed % n) {
    while (std::gcd(a_, n_) != 1) ++a_;
  }
  uint64_t operator()(uint64_t i) const {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(a_) * (i % n_) + b_) % n_);
  }

 private:
  uint64_t n_, a_, b_;
};

Result<LoadSummary> RunLens(const QueryFlags& f, const std::string& lens) {
  auto options = LoadOptionsFor(f.http);
  if (!options.ok()) return options.status();
  options->warmup = Millis(f.warmup_seconds);
  options->measure = Millis(f.seconds);
  const auto headers = AuthHeaders(f.http);
  std::mt19937_64 rng(f.seed);
  const uint64_t pairs = f.shape.subjects * f.shape.predicates;  // both at least 1 (CLI ranges)
  std::optional<PairPermutation> permutation;
  if (f.each_pair_once) {
    permutation.emplace(pairs, f.seed);
    options->requests_max = pairs;
  }
  auto result = RunLoad(*options, [&](uint64_t n) {
    if (!f.path.empty()) return BuildRequest("GET", f.path, "", headers);
    uint64_t subject = 0, predicate = 0;
    if (permutation) {
      const uint64_t pair = (*permutation)(n);
      subject = pair / f.shape.predicates;
      predicate = pair % f.shape.predicates;
    } else {
      subject = rng() % f.shape.subjects;
      predicate = rng() % f.shape.predicates;
    }
    const std::string target = "/v1/query?subject=" + SubjectName(f.shape, subject) +
                               "&predicate=" + PredicateName(predicate) + "&lens=" + lens;
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
  cmd->add_flag("--each-pair-once", flags->each_pair_once,
                 "Query each (subject, predicate) at most once, scrambled: every query a candidate-cache miss");
  cmd->add_option("--path", flags->path, "GET this path instead of lens queries (e.g. /v1/health: the transport's floor)")
      ->check([](const std::string& p) { return p.starts_with('/') ? std::string() : "--path must start with /"; });
  cmd->callback([flags, &exit_code] { exit_code = RunQueryBench(*flags); });
}

}  // namespace stemedb::bench

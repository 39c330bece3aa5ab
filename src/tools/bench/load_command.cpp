// `stemedb-bench load`: writes the query benchmark's data set through the HTTP API: subjects x
// predicates x claims signed assertions in batches, then a signed vote on every Nth of them.
// Signing runs in chunks so memory stays bounded whatever the size.
#include <cstdio>

#include "bench_commands.h"
#include "http_bench.h"
#include "signed_corpus.h"

namespace stemedb::bench {
namespace {

constexpr uint64_t kChunkAssertions = 100000;

HttpBenchFlags WithConnections(int connections) {
  HttpBenchFlags f;
  f.connections = connections;
  return f;
}

struct LoadFlags {
  HttpBenchFlags http = WithConnections(8);  // batches are large: a few connections keep the disk busy
  CorpusShape shape;
  int batch = 1000;
  uint64_t vote_every = 10;  // 0: no votes
};

// Posts already built request bytes; fails on any non-2xx.
Status PostAll(const LoadFlags& f, const std::vector<std::string>& requests, const char* what) {
  auto result = SendAll(f.http, requests);
  if (!result.ok()) return result.status();
  LoadSummary s = Summarize(*result);
  if (s.not_ok != 0) return Status::FailedPrecondition(std::string(what) + " refused: " + s.statuses);
  return Status::OK();
}

Status LoadAssertions(const LoadFlags& f) {
  const auto headers = AuthHeaders(f.http);
  const uint64_t total = f.shape.assertions();
  for (uint64_t first = 0; first < total; first += kChunkAssertions) {
    const uint64_t count = std::min(kChunkAssertions, total - first);
    const std::vector<std::string> bodies =
        BuildParallel(count, [&](uint64_t i) { return AssertionJson(f.shape, first + i); });
    const std::vector<std::string> requests = AssertRequests(bodies, static_cast<size_t>(f.batch), headers);
    STEMEDB_RETURN_IF_ERROR(PostAll(f, requests, "assertion batch"));
    std::fprintf(stderr, "load: %llu / %llu assertions\n", static_cast<unsigned long long>(first + count),
                 static_cast<unsigned long long>(total));
  }
  return Status::OK();
}

Status LoadVotes(const LoadFlags& f) {
  if (f.vote_every == 0) return Status::OK();
  const auto headers = AuthHeaders(f.http);
  const uint64_t total = f.shape.assertions();
  const uint64_t votes_total = total / f.vote_every;
  for (uint64_t first = 0; first < votes_total; first += kChunkAssertions) {
    const uint64_t count = std::min(kChunkAssertions, votes_total - first);
    std::vector<std::string> requests = BuildParallel(count, [&](uint64_t i) {
      return BuildRequest("POST", "/v1/vote", VoteJson(f.shape, (first + i) * f.vote_every), headers);
    });
    STEMEDB_RETURN_IF_ERROR(PostAll(f, requests, "vote"));
  }
  return Status::OK();
}

int RunLoadCommand(const LoadFlags& f) {
  const auto start = std::chrono::steady_clock::now();
  Status s = LoadAssertions(f);
  if (s.ok()) s = LoadVotes(f);
  if (!s.ok()) {
    std::fprintf(stderr, "load: %s\n", s.ToString().c_str());
    return 1;
  }
  const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("loaded %llu assertions (%llu subjects x %llu predicates x %llu claims) and %llu votes in %.1f s\n",
              static_cast<unsigned long long>(f.shape.assertions()), static_cast<unsigned long long>(f.shape.subjects),
              static_cast<unsigned long long>(f.shape.predicates), static_cast<unsigned long long>(f.shape.claims),
              static_cast<unsigned long long>(f.vote_every ? f.shape.assertions() / f.vote_every : 0), elapsed_s);
  return 0;
}

}  // namespace

void AddLoadCommand(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<LoadFlags>();
  CLI::App* cmd = app.add_subcommand("load", "Write the query benchmark's data set (signed assertions and votes)");
  AddHttpFlags(*cmd, flags->http);
  AddCorpusFlags(*cmd, flags->shape);
  cmd->add_option("--batch", flags->batch, "Assertions per POST /v1/assert/batch")->check(CLI::Range(1, 1000));
  cmd->add_option("--vote-every", flags->vote_every, "A vote on every Nth assertion (0: none)");
  cmd->callback([flags, &exit_code] { exit_code = RunLoadCommand(*flags); });
}

}  // namespace stemedb::bench

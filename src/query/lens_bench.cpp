#include "stemedb/query/lens_bench.h"

#include <atomic>
#include <thread>

#include "stemedb/ground/check.h"
#include "stemedb/query/result_json.h"
#include "stemedb/query/weights.h"

namespace stemedb::query {
namespace {

constexpr int64_t kBenchNow = 1'700'000'000;
constexpr unsigned kThreadsMax = 256;

Id32 NumberedId(uint8_t kind, uint32_t n) {
  Id32 id{};
  id[0] = kind;
  for (int i = 0; i < 4; ++i) id[31 - i] = static_cast<uint8_t>(n >> (8 * i));
  return id;
}

void CheckOptions(const LensBenchOptions& o) {
  STEMEDB_CHECK(o.candidates_count >= 1 && o.candidates_count <= kCandidatesMax);
  STEMEDB_CHECK(o.values_count >= 1 && o.values_count <= o.candidates_count);
  STEMEDB_CHECK(o.agents_count >= 1 && o.agents_count <= 65535);
  STEMEDB_CHECK(o.threads >= 1 && o.threads <= kThreadsMax);
}

// One worker: resolve until `stop`, counting resolutions.
void ResolveLoop(const LensBenchOptions& options, const std::vector<Candidate>& candidates,
                 const std::atomic<bool>& stop, std::atomic<uint64_t>& total) {
  Context context{.now_s = kBenchNow};
  context.trust = [](const AgentId& agent) { return (agent[31] % 10) / 10.0; };
  context.epoch_state = [](const EpochId&) { return EpochState::kCurrent; };
  LensRequest request{.lens = options.lens};
  uint64_t count = 0;
  size_t bytes = 0;  // keeps the JSON work from being optimised away
  while (!stop.load(std::memory_order_relaxed)) {
    auto result = Resolve(candidates, request, context);
    STEMEDB_CHECK(result.ok());
    if (options.render_json) bytes += ToJsonText(*result, candidates).size();
    ++count;
  }
  STEMEDB_CHECK(!options.render_json || count == 0 || bytes > 0);
  total.fetch_add(count, std::memory_order_relaxed);
}

}  // namespace

std::vector<Candidate> SyntheticCandidates(const LensBenchOptions& options) {
  CheckOptions(options);
  std::vector<Candidate> candidates(options.candidates_count);
  for (size_t i = 0; i < candidates.size(); ++i) {
    Candidate& c = candidates[i];
    auto n = static_cast<uint32_t>(i);
    c.id = NumberedId(0, n);
    c.seq = n + 1;
    c.ingested_at_ms = (uint64_t{kBenchNow} - 400 * kSecondsPerDay + n) * 1000;
    c.timestamp_s = kBenchNow - static_cast<int64_t>((n * 7919u) % (365 * kSecondsPerDay));
    c.object = ObjectKey::Text("value-" + std::to_string(n % options.values_count));
    c.confidence = 0.5 + 0.05 * static_cast<double>(n % 10);
    c.tier = static_cast<Tier>(n % kTierCount);
    c.signers.push_back(NumberedId(0xa0, static_cast<uint32_t>(n % options.agents_count)));
    if (n % 9 == 0) c.signers.push_back(NumberedId(0xa1, n));  // a co-signer
    c.net_votes = static_cast<double>(n % 5) * 0.25 - 0.5;
    if (n % 13 == 0) c.epoch = NumberedId(0xe0, n % 3);
  }
  return candidates;
}

LensThroughput MeasureLensThroughput(const LensBenchOptions& options) {
  std::vector<Candidate> candidates = SyntheticCandidates(options);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> total{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < options.threads; ++t) {
    workers.emplace_back([&] { ResolveLoop(options, candidates, stop, total); });
  }
  std::this_thread::sleep_for(options.duration);
  stop.store(true);
  for (std::thread& worker : workers) worker.join();
  double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  uint64_t resolutions = total.load();
  return {resolutions, elapsed_s, static_cast<double>(resolutions) / elapsed_s};
}

}  // namespace stemedb::query

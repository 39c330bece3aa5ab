// `stemedb-bench bigpair`: one (subject, predicate) holding a million claims. Writes them (signed,
// in batches), checks every lens's winner and conflict score and the skeptic and layered views
// against a brute-force resolution of all the claims in this process, then measures each
// query's latency; with --server-pid, the server's resident memory before and after.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench_commands.h"
#include "http_bench.h"
#include "stemedb/client/http_connection.h"
#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/ed25519.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/record_json.h"
#include "stemedb/core/signature_check.h"
#include "stemedb/ground/check.h"
#include "stemedb/ops/process_metrics.h"
#include "stemedb/query/layered.h"
#include "stemedb/query/lens.h"
#include "stemedb/query/skeptic.h"

namespace stemedb::bench {
namespace {

using nlohmann::json;

constexpr const char* kSubject = "bigpair/s";
constexpr const char* kPredicate = "p";
constexpr int64_t kFirstTimestamp_s = 1700000000;
constexpr size_t kBatch = 1000;

struct BigPairFlags {
  HttpBenchFlags http{.server = "http://127.0.0.1:18180", .api_key = "", .connections = 2};
  uint64_t claims = 1000000;
  int agents = 1000;
  int values = 10;
  bool write = true;
  double seconds = 20;
  int server_pid = 0;
};

std::vector<core::Ed25519KeyPair> AgentKeys(int agents) {
  std::vector<core::Ed25519KeyPair> keys;
  keys.reserve(static_cast<size_t>(agents));
  for (int n = 0; n < agents; ++n) {
    core::Seed seed{};
    seed[0] = 0xb1;  // apart from the other benchmarks' and the tests' agents
    for (int b = 0; b < 4; ++b) seed[1 + b] = static_cast<uint8_t>(n >> (8 * b));
    keys.emplace_back(seed);
  }
  return keys;
}

// Claim i: a mixed author, value, tier and confidence; timestamps increase with i, so the
// last claim is the newest.
core::Assertion Claim(const BigPairFlags& f, uint64_t i) {
  const uint64_t h = Mix(i + 1);
  core::Assertion a;
  a.subject = kSubject;
  a.predicate = kPredicate;
  a.object = core::TextObject{"v" + std::to_string(Mix(h) % static_cast<uint64_t>(f.values))};
  a.confidence = 0.05 + static_cast<double>(h % 90) / 100.0;
  a.timestamp = kFirstTimestamp_s + static_cast<int64_t>(i);
  a.source_class = static_cast<core::SourceClass>((h >> 20) % 6);
  return a;
}

int AuthorOf(const BigPairFlags& f, uint64_t i) { return static_cast<int>(Mix(i ^ 0xa5a5) % static_cast<uint64_t>(f.agents)); }

// Every claim as the engine's input, for the brute-force answer: no votes (net 0), every agent
// the prior trust 0.5, log order = claim order.
std::vector<query::Candidate> AllCandidates(const BigPairFlags& f, const std::vector<core::Ed25519KeyPair>& keys) {
  std::vector<query::Candidate> all(f.claims);
  for (uint64_t i = 0; i < f.claims; ++i) {
    const core::Assertion a = Claim(f, i);
    query::Candidate& c = all[i];
    c.id = core::ContentId(a);
    c.seq = i + 1;
    c.timestamp_s = a.timestamp;
    c.object = query::ObjectKey::Text(std::get<core::TextObject>(a.object).value);
    c.confidence = a.confidence;
    c.tier = static_cast<query::Tier>(a.source_class);
    c.signers = {keys[static_cast<size_t>(AuthorOf(f, i))].public_key()};
  }
  return all;
}

Status WriteClaims(const BigPairFlags& f, const std::vector<core::Ed25519KeyPair>& keys) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<std::string> bodies = BuildParallel(f.claims, [&](uint64_t i) {
    core::Assertion a = Claim(f, i);
    a.signatures.push_back(core::SignId(keys[static_cast<size_t>(AuthorOf(f, i))], core::ContentId(a)));
    return core::ToJson(a).dump();
  });
  const double signed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto result = SendAll(f.http, AssertRequests(bodies, kBatch, AuthHeaders(f.http)));
  if (!result.ok()) return result.status();
  LoadSummary s = Summarize(*result);
  std::printf("wrote %llu claims in %.1f s (signing %.1f s): %s\n", static_cast<unsigned long long>(f.claims),
              result->measured_s, signed_s, s.statuses.c_str());
  return s.not_ok == 0 ? Status::OK() : Status::IOError("some batches were refused: " + s.statuses);
}

std::string Target(const std::string& path, const std::string& extra) {
  return path + "?subject=" + kSubject + "&predicate=" + kPredicate + "&decay=false" + extra;
}

Result<json> GetJson(client::HttpConnection& c, const BigPairFlags& f, const std::string& target) {
  auto r = c.Get(target, AuthHeaders(f.http));
  if (!r.ok()) return r.status();
  if (r->status != 200) return Status::IOError(target + " answered " + std::to_string(r->status) + ": " + r->body);
  return json::parse(r->body);
}

bool Near(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b)); }

// The server's answers against the engine over every claim at once.
int Verify(const BigPairFlags& f, const std::vector<query::Candidate>& all, client::HttpConnection& c) {
  const query::Context ctx{.now_s = kFirstTimestamp_s, .decay = false};
  int failures = 0;
  auto check = [&](const std::string& what, bool ok, const std::string& detail) {
    std::printf("| %s | %s | %s |\n", what.c_str(), ok ? "same" : "DIFFERENT", detail.c_str());
    if (!ok) ++failures;
  };
  std::printf("\n| answer | server vs brute force | server |\n|---|---|---|\n");
  for (const char* lens : {"recency", "confidence", "consensus", "vote", "authority"}) {
    auto expected = query::Resolve(all, {.lens = *query::LensFromName(lens)}, ctx);
    STEMEDB_CHECK(expected.ok());
    auto got = GetJson(c, f, Target("/v1/query", std::string("&limit=1&lens=") + lens));
    if (!got.ok()) {
      check(lens, false, got.status().ToString());
      continue;
    }
    const std::string winner = core::IdHex(all[expected->winner->index].id);
    const double conflict = (*got)["conflict_score"];
    check(std::string(lens) + " winner, conflict, count",
          (*got)["winner"]["id"] == winner && Near(conflict, expected->conflict_score) &&
              (*got)["candidates_count"] == expected->candidates_count,
          (*got)["winner"]["object"]["value"].get<std::string>() + ", " + std::to_string(conflict));
  }
  auto skeptic = query::ResolveSkeptic(all, {}, ctx);
  auto got_skeptic = GetJson(c, f, Target("/v1/skeptic", ""));
  if (got_skeptic.ok()) {
    bool same = Near((*got_skeptic)["conflict_score"], skeptic->conflict_score) &&
                (*got_skeptic)["claims_count"] == skeptic->claims.size();
    for (size_t i = 0; same && i < skeptic->claims.size(); ++i) {
      same = Near((*got_skeptic)["claims"][i]["support"], skeptic->claims[i].support) &&
             (*got_skeptic)["claims"][i]["assertions_count"] == skeptic->claims[i].assertions_count;
    }
    check("skeptic conflict, claims, supports", same,
          std::string((*got_skeptic)["status"]) + ", " + std::to_string((*got_skeptic)["conflict_score"].get<double>()));
  } else {
    check("skeptic", false, got_skeptic.status().ToString());
  }
  auto layered = query::ResolveLayered(all, {}, ctx);
  auto got_layered = GetJson(c, f, Target("/v1/layered", ""));
  if (got_layered.ok()) {
    bool same = (*got_layered)["winner"]["id"] == core::IdHex(all[layered->winner->index].id) &&
                (*got_layered)["tiers"].size() == layered->tiers.size();
    for (size_t i = 0; same && i < layered->tiers.size(); ++i) {
      same = (*got_layered)["tiers"][i]["winner"]["id"] == core::IdHex(all[layered->tiers[i].winner.index].id) &&
             Near((*got_layered)["tiers"][i]["conflict_score"], layered->tiers[i].conflict_score);
    }
    check("layered tier winners and conflicts", same, (*got_layered)["winner"]["object"]["value"]);
  } else {
    check("layered", false, got_layered.status().ToString());
  }
  return failures;
}

// VmRSS and VmHWM (peak) of a process, in MiB; 0 when unreadable.
std::pair<double, double> ResidentMiB(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  double rss = 0, hwm = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::stod(line.substr(6)) / 1024;
    if (line.rfind("VmHWM:", 0) == 0) hwm = std::stod(line.substr(6)) / 1024;
  }
  return {rss, hwm};
}

int Measure(const BigPairFlags& f) {
  std::printf("\n| query | queries | queries/s | p50 ms | p99 ms | max ms | server CPU ms/query | statuses |\n"
              "|---|---|---|---|---|---|---|---|\n");
  int exit_code = 0;
  const std::vector<std::pair<std::string, std::string>> queries = {
      {"recency", Target("/v1/query", "&lens=recency")},     {"confidence", Target("/v1/query", "&lens=confidence")},
      {"consensus", Target("/v1/query", "&lens=consensus")}, {"vote", Target("/v1/query", "&lens=vote")},
      {"authority", Target("/v1/query", "&lens=authority")}, {"skeptic", Target("/v1/skeptic", "")},
      {"layered", Target("/v1/layered", "")}};
  for (const auto& [name, target] : queries) {
    auto options = LoadOptionsFor(f.http);
    if (!options.ok()) return 1;
    options->measure = Millis(f.seconds);
    options->response_timeout = std::chrono::seconds(300);
    const std::string request = BuildRequest("GET", target, "", AuthHeaders(f.http));
    const double cpu_before_s = f.server_pid ? ops::ProcessCpuSeconds(f.server_pid) : 0;
    auto result = RunLoad(*options, [&](uint64_t) { return request; });
    const double cpu_s = f.server_pid ? ops::ProcessCpuSeconds(f.server_pid) - cpu_before_s : 0;
    if (!result.ok()) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), result.status().ToString().c_str());
      return 1;
    }
    LoadSummary s = Summarize(*result);
    // The CPU window includes requests still in flight when the measurement stops: a bound.
    const uint64_t sent = std::max<uint64_t>(1, result->requests_sent);
    std::printf("| %s | %llu | %.2f | %.0f | %.0f | %.0f | %.0f | %s |\n", name.c_str(),
                static_cast<unsigned long long>(s.stats.count), s.stats.per_second, s.stats.p50_ms, s.stats.p99_ms,
                s.stats.max_ms, cpu_s * 1000 / static_cast<double>(sent), s.statuses.c_str());
    std::fflush(stdout);
    if (s.not_ok) exit_code = 1;
  }
  return exit_code;
}

int RunBigPair(const BigPairFlags& f) {
  std::printf("stemedb-bench bigpair: %llu claims on one pair, %d agents, %d values, %d connections\n",
              static_cast<unsigned long long>(f.claims), f.agents, f.values, f.http.connections);
  const std::vector<core::Ed25519KeyPair> keys = AgentKeys(f.agents);
  if (f.write) {
    if (Status s = WriteClaims(f, keys); !s.ok()) {
      std::fprintf(stderr, "write: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  if (f.server_pid) {
    auto [rss, hwm] = ResidentMiB(f.server_pid);
    std::printf("server RSS after writing: %.0f MiB (peak %.0f MiB)\n", rss, hwm);
  }
  auto address = client::ParseServerUrl(f.http.server);
  if (!address.ok()) return 1;
  client::HttpConnection c(address->host, address->port, std::chrono::seconds(300));
  const int failures = Verify(f, AllCandidates(f, keys), c);
  int exit_code = Measure(f);
  if (f.server_pid) {
    auto [rss, hwm] = ResidentMiB(f.server_pid);
    std::printf("\nserver RSS after the queries: %.0f MiB (peak %.0f MiB)\n", rss, hwm);
  }
  return failures ? 1 : exit_code;
}

}  // namespace

void AddBigPairCommand(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<BigPairFlags>();
  CLI::App* cmd = app.add_subcommand("bigpair", "One subject/predicate with a million claims: answers checked, latency, RSS");
  AddHttpFlags(*cmd, flags->http);
  cmd->add_option("--claims", flags->claims, "Claims on the pair")->check(CLI::Range(1, 100000000));
  cmd->add_option("--agents", flags->agents, "Distinct signing agents")->check(CLI::Range(1, 10000000));
  cmd->add_option("--values", flags->values, "Distinct objects")->check(CLI::Range(1, 10000000));
  cmd->add_flag("!--no-write", flags->write, "The claims are there already: only check and measure");
  cmd->add_option("--seconds", flags->seconds, "Measured seconds per query kind")->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--server-pid", flags->server_pid, "The server's pid, to report its resident memory");
  cmd->callback([flags, &exit_code] { exit_code = RunBigPair(*flags); });
}

}  // namespace stemedb::bench

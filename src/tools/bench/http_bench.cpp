#include "http_bench.h"

#include <cstdlib>

#include "stemedb/client/http_connection.h"

namespace stemedb::bench {

void AddHttpFlags(CLI::App& cmd, HttpBenchFlags& flags) {
  if (const char* key = std::getenv("STEMEDB_API_KEY")) flags.api_key = key;
  cmd.add_option("--server", flags.server, "Server URL (http://host:port)");
  cmd.add_option("--api-key", flags.api_key, "API key sent as X-API-Key (default $STEMEDB_API_KEY)");
  cmd.add_option("--connections", flags.connections, "Keep-alive connections")->check(CLI::Range(1, 4096));
}

void AddCorpusFlags(CLI::App& cmd, CorpusShape& shape) {
  cmd.add_option("--subjects", shape.subjects, "Subjects")->check(CLI::Range(1, 10000000));
  cmd.add_option("--predicates", shape.predicates, "Predicates per subject")->check(CLI::Range(1, 1000));
  cmd.add_option("--claims", shape.claims, "Assertions per subject and predicate")->check(CLI::Range(1, 1000));
  cmd.add_option("--subject-prefix", shape.subject_prefix, "Subject names are <prefix>/s000123");
}

Result<LoadOptions> LoadOptionsFor(const HttpBenchFlags& flags) {
  auto address = client::ParseServerUrl(flags.server);
  if (!address.ok()) return address.status();
  LoadOptions o;
  o.host = address->host == "localhost" ? "127.0.0.1" : address->host;
  o.port = address->port;
  o.connections = flags.connections;
  return o;
}

std::vector<std::pair<std::string, std::string>> AuthHeaders(const HttpBenchFlags& flags) {
  if (flags.api_key.empty()) return {};
  return {{"X-API-Key", flags.api_key}};
}

Result<LoadResult> SendAll(const HttpBenchFlags& flags, const std::vector<std::string>& requests) {
  auto options = LoadOptionsFor(flags);
  if (!options.ok()) return options.status();
  options->requests_max = requests.size();
  options->measure = std::chrono::hours(24 * 365);
  return RunLoad(*options, [&](uint64_t n) { return requests[n]; });
}

std::vector<std::string> AssertRequests(const std::vector<std::string>& bodies, size_t batch,
                                        const std::vector<std::pair<std::string, std::string>>& headers) {
  std::vector<std::string> requests;
  for (size_t i = 0; i < bodies.size(); i += batch) {
    const size_t end = std::min(bodies.size(), i + batch);
    requests.push_back(batch == 1 ? BuildRequest("POST", "/v1/assert", bodies[i], headers)
                                  : BuildRequest("POST", "/v1/assert/batch", BatchBody(bodies, i, end), headers));
  }
  return requests;
}

LoadSummary Summarize(LoadResult& result) {
  LoadSummary s;
  s.stats = Summarize(result.latencies_ns, result.measured_s);
  for (const auto& [status, count] : result.status_counts) {
    (status >= 200 && status < 300 ? s.ok : s.not_ok) += count;
    if (!s.statuses.empty()) s.statuses += ", ";
    s.statuses += std::to_string(status) + " x " + std::to_string(count);
  }
  return s;
}

}  // namespace stemedb::bench

#pragma once
// What the HTTP benchmarks (ingest, load, query) share: the server flags, the run, the report.

#include <CLI/CLI.hpp>

#include <string>

#include "latency_stats.h"
#include "load_driver.h"
#include "signed_corpus.h"

namespace stemedb::bench {

struct HttpBenchFlags {
  std::string server = "http://127.0.0.1:18180";
  std::string api_key;  // sent as X-API-Key when set
  int connections = 64;
};

// --server, --api-key (default $STEMEDB_API_KEY), --connections.
void AddHttpFlags(CLI::App& cmd, HttpBenchFlags& flags);

// --subjects, --predicates, --claims, --subject-prefix: the data set's shape.
void AddCorpusFlags(CLI::App& cmd, CorpusShape& shape);

// LoadOptions for the flags' server; fails naming a bad URL.
Result<LoadOptions> LoadOptionsFor(const HttpBenchFlags& flags);

// The request headers every benchmark request carries (the API key, if any).
std::vector<std::pair<std::string, std::string>> AuthHeaders(const HttpBenchFlags& flags);

// Sends every request once, in order, over the flags' connections (closed loop, no time limit).
Result<LoadResult> SendAll(const HttpBenchFlags& flags, const std::vector<std::string>& requests);

// POST /v1/assert for each body when batch is 1, else POST /v1/assert/batch of `batch` bodies.
std::vector<std::string> AssertRequests(const std::vector<std::string>& bodies, size_t batch,
                                        const std::vector<std::pair<std::string, std::string>>& headers);

struct LoadSummary {
  LatencyStats stats;
  uint64_t ok = 0;      // 2xx
  uint64_t not_ok = 0;  // anything else
  std::string statuses;  // "201 x 1000, 503 x 2"
};
LoadSummary Summarize(LoadResult& result);

}  // namespace stemedb::bench

#pragma once
// The options every subcommand shares: where the server is, the API key, the output form.

#include <CLI/CLI.hpp>
#include <string>

namespace stemedb::cli {

inline constexpr const char* kDefaultServerUrl = "http://127.0.0.1:18180";

struct GlobalOptions {
  std::string server_url = kDefaultServerUrl;
  std::string api_key;  // empty: no key header
  bool json = false;    // print the server's JSON as is
  int timeout_s = 30;   // per read from the server; a feed stream gets keep-alives every 15 s
};

// Registers --server (env STEMEDB_URL), --api-key (env STEMEDB_API_KEY), --json, --timeout-s.
void AddGlobalOptions(CLI::App& app, GlobalOptions& options);

}  // namespace stemedb::cli

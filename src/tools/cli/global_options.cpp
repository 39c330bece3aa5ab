#include "global_options.h"

namespace stemedb::cli {

void AddGlobalOptions(CLI::App& app, GlobalOptions& options) {
  app.add_option("--server", options.server_url, "Server URL, http://host:port")
      ->envname("STEMEDB_URL")
      ->capture_default_str();
  app.add_option("--api-key", options.api_key, "API key sent as X-API-Key (admin commands need an admin key)")
      ->envname("STEMEDB_API_KEY");
  app.add_flag("--json", options.json, "Print the server's JSON answer as is instead of a readable summary");
  app.add_option("--timeout-s", options.timeout_s, "Seconds to wait for the server on each read")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
}

}  // namespace stemedb::cli

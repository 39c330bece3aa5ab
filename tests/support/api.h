#pragma once
// The read and write API of a running daemon, for integration tests: signed records posted as
// JSON, answers parsed. Each Api holds one keep-alive connection (one per thread). A helper that
// expects success records a test failure naming the request and the answer when it does not get
// it, and returns what it got.

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "stemedb/client/http_connection.h"
#include "stemedb/core/records.h"
#include "support/daemon.h"

namespace stemedb::testing {

// The root admin key the daemon generated into <data_dir>/root.key.
std::string RootKey(const Daemon& d);

// "path?name=value&..." with the values percent-encoded; names in the order given.
std::string Target(const std::string& path, const std::vector<std::pair<std::string, std::string>>& params);

struct Reply {
  int status = 0;           // 0: no answer (transport error)
  nlohmann::json body;      // null when the body is not JSON
  std::string text;         // the body as sent, for byte comparisons
  client::HttpResponse raw;
};

class Api {
 public:
  explicit Api(const Daemon& d) : connection_(d.Connect()) {}

  Reply Get(const std::string& target, const client::Headers& headers = {});
  Reply Post(const std::string& target, const std::string& body, const client::Headers& headers = {});
  // GET that must answer 200: its JSON body.
  nlohmann::json Ok(const std::string& target);
  // GET that must fail with `status`: the error object ({code, message, field, ...}).
  nlohmann::json Error(const std::string& target, int status);

  // Writes that must succeed (201 or 200): the answer's JSON.
  nlohmann::json Assert(const core::Assertion& a);
  nlohmann::json Vote(const core::Vote& v);
  nlohmann::json Epoch(const core::Epoch& e);
  nlohmann::json Source(const core::Source& s);
  // POST /v1/assert/batch of already encoded assertions (the JSON objects' text): the results.
  nlohmann::json Batch(const std::vector<std::string>& assertion_json);
  nlohmann::json Retract(const core::Hash32& source, const std::string& reason, const std::string& admin_key);

  client::HttpConnection& connection() { return *connection_; }

 private:
  nlohmann::json Write(const std::string& path, const std::string& body);

  std::unique_ptr<client::HttpConnection> connection_;
};

// The daemon flags integration tests of the read side use: no rate limit in the way.
std::vector<std::string> UnlimitedArgs();

// The wall clock, as the daemon stamps ingested_at (ms) and as timestamps count (s).
int64_t UnixNowMs();
inline int64_t UnixNowS() { return UnixNowMs() / 1000; }
// Returns once the clock has passed `ms`: a write after it is known strictly later (as_of).
void WaitForClockPast(uint64_t ms);

}  // namespace stemedb::testing

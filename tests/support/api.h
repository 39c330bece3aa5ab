#pragma once
// Speaking the JSON API to a harness daemon in tests: the root admin key, JSON posts, the error
// shape of http-api.md, the store's counts (to prove that a refused request wrote nothing), and
// the reads and signed writes of the read-side tests (Api).

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "stemedb/client/http_connection.h"
#include "stemedb/core/records.h"
#include "support/daemon.h"

namespace stemedb::testing {

// X-API-Key with the daemon's root admin key.
client::Headers AdminHeaders(const Daemon& d);

// A response with its body parsed (null when the body is not JSON). status is -1 and
// `transport` says why when no response came back.
struct JsonReply {
  int status = -1;
  nlohmann::json body;
  client::HttpResponse response;
  std::string transport;
};
JsonReply ParsedReply(Result<client::HttpResponse> response);
JsonReply Send(client::HttpConnection& c, const std::string& method, const std::string& path,
               const std::string& body = "", const client::Headers& headers = {});
// Sends bytes as they are (a whole HTTP request) and reads one response.
JsonReply SendRawRequest(client::HttpConnection& c, const std::string& request_bytes);
JsonReply PostJson(client::HttpConnection& c, const std::string& path, const nlohmann::json& body,
                   const client::Headers& headers = {});
JsonReply GetJson(client::HttpConnection& c, const std::string& path, const client::Headers& headers = {});

// The write route of a record: /v1/assert, /v1/vote, /v1/epoch or /v1/sources.
std::string WritePath(const core::Record& record);
JsonReply PostRecord(client::HttpConnection& c, const core::Record& record, const client::Headers& headers = {});
// Posts `record` and checks the answer: `status`, `write_status` ("created", "exists",
// "cosigned") and the id this side computes from docs/protocol.md. Returns the reply.
JsonReply ExpectWrite(client::HttpConnection& c, const core::Record& record, int status = 201,
                      const std::string& write_status = "created");
// ExpectWrite of a new record; returns its id (hex).
std::string Created(client::HttpConnection& c, const core::Record& record);

// Checks http-api.md's error body: {"error": {"code", "message", "field" (absent when empty),
// "request_id" (equal to X-Request-Id)}}, with a message that starts with the field it names.
void ExpectApiError(const JsonReply& reply, int status, const std::string& code, const std::string& field = "");

// What the daemon holds: record counts and the WAL head (GET /v1/admin/storage/stats).
struct StoreCounts {
  uint64_t assertions = 0;
  uint64_t votes = 0;
  uint64_t epochs = 0;
  uint64_t sources = 0;
  uint64_t wal_head_offset = 0;
  uint64_t wal_last_seq = 0;
  bool operator==(const StoreCounts&) const = default;
};
std::ostream& operator<<(std::ostream& out, const StoreCounts& counts);
StoreCounts ReadStoreCounts(client::HttpConnection& c, const Daemon& d);

// One sample of GET /metrics (see MetricSample); 0 when absent (a counter not yet incremented).
double ReadMetric(client::HttpConnection& c, const std::string& sample);

// ---- the read side ----

// "path?name=value&..." with the values percent-encoded; names in the order given.
using QueryList = std::vector<std::pair<std::string, std::string>>;
std::string Target(const std::string& path, const QueryList& params);

// One keep-alive connection to a daemon (one per thread) and the calls the read tests make. A
// call that expects success records a test failure naming the request and the answer when it
// does not get it, and returns what it got.
class Api {
 public:
  explicit Api(const Daemon& d) : daemon_(d), connection_(d.Connect()) {}

  JsonReply Get(const std::string& target, const client::Headers& headers = {});
  JsonReply Post(const std::string& target, const std::string& body, const client::Headers& headers = {});
  // GET that must answer 200: its JSON body.
  nlohmann::json Ok(const std::string& target);
  // GET that must fail with `status`: the error object ({code, message, field, request_id}).
  nlohmann::json Error(const std::string& target, int status);

  // A write that must succeed (201 created, or 200 exists / cosigned): the answer's JSON.
  nlohmann::json Write(const core::Record& record);
  nlohmann::json Assert(const core::Assertion& a) { return Write(a); }
  // POST /v1/assert/batch of already encoded assertions (each one's JSON text): the results.
  nlohmann::json Batch(const std::vector<std::string>& assertion_json);
  // Admin calls, with the root key.
  nlohmann::json Retract(const core::Hash32& source, const std::string& reason);
  void SetTrust(int agent, double score);

  client::HttpConnection& connection() { return *connection_; }

 private:
  const Daemon& daemon_;
  std::unique_ptr<client::HttpConnection> connection_;
};

// The daemon flags the read tests use: no rate limit in the way.
std::vector<std::string> UnlimitedArgs();

// The wall clock, as the daemon stamps ingested_at (ms) and as timestamps count (s).
int64_t UnixNowMs();
inline int64_t UnixNowS() { return UnixNowMs() / 1000; }
// Returns once the clock has passed `ms`: a write after it is known strictly later (as_of).
void WaitForClockPast(uint64_t ms);

}  // namespace stemedb::testing

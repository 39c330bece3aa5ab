#pragma once
// Speaking the JSON API to a harness daemon in tests: the root admin key, JSON posts, the error
// shape of http-api.md, and the store's counts (to prove that a refused request wrote nothing).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

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

}  // namespace stemedb::testing

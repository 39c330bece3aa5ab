#include "support/api.h"

#include <gtest/gtest.h>

#include <iterator>
#include <ostream>
#include <stdexcept>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/record_json.h"
#include "support/metrics_text.h"
#include "support/process.h"

namespace stemedb::testing {

using nlohmann::json;

client::Headers AdminHeaders(const Daemon& d) { return {{"X-API-Key", d.RootKey()}}; }

JsonReply ParsedReply(Result<client::HttpResponse> r) {
  JsonReply reply;
  if (!r.ok()) {
    reply.transport = r.status().ToString();
    return reply;
  }
  reply.status = r->status;
  reply.body = json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  reply.response = std::move(*r);
  return reply;
}

JsonReply Send(client::HttpConnection& c, const std::string& method, const std::string& path,
               const std::string& body, const client::Headers& headers) {
  return ParsedReply(c.Request(method, path, body, headers));
}

JsonReply SendRawRequest(client::HttpConnection& c, const std::string& request_bytes) {
  Status sent = c.SendRaw(request_bytes);
  if (!sent.ok()) return ParsedReply(sent);
  return ParsedReply(c.ReadResponse());
}

JsonReply PostJson(client::HttpConnection& c, const std::string& path, const json& body,
                   const client::Headers& headers) {
  return Send(c, "POST", path, body.dump(), headers);
}

JsonReply GetJson(client::HttpConnection& c, const std::string& path, const client::Headers& headers) {
  return Send(c, "GET", path, "", headers);
}

std::string WritePath(const core::Record& record) {
  static constexpr const char* kPaths[] = {"/v1/assert", "/v1/vote", "/v1/epoch", "/v1/sources"};
  if (record.index() >= std::size(kPaths)) throw std::invalid_argument("no write route for a source retraction");
  return kPaths[record.index()];
}

JsonReply PostRecord(client::HttpConnection& c, const core::Record& record, const client::Headers& headers) {
  return PostJson(c, WritePath(record), core::ToJson(record), headers);
}

JsonReply ExpectWrite(client::HttpConnection& c, const core::Record& record, int status,
                      const std::string& write_status) {
  JsonReply reply = PostRecord(c, record);
  EXPECT_EQ(reply.status, status) << reply.transport << reply.response.body;
  EXPECT_EQ(reply.body.value("status", ""), write_status) << reply.response.body;
  EXPECT_EQ(reply.body.value("id", ""), core::IdHex(core::ContentId(record))) << "server and client ids differ";
  return reply;
}

std::string Created(client::HttpConnection& c, const core::Record& record) {
  return ExpectWrite(c, record).body.value("id", "");
}

void ExpectApiError(const JsonReply& reply, int status, const std::string& code, const std::string& field) {
  ASSERT_EQ(reply.status, status) << reply.transport << reply.response.body;
  ASSERT_TRUE(reply.body.is_object() && reply.body.contains("error")) << reply.response.body;
  const json& error = reply.body["error"];
  EXPECT_EQ(error.value("code", ""), code) << reply.response.body;
  const std::string message = error.value("message", "");
  EXPECT_FALSE(message.empty()) << reply.response.body;
  if (field.empty()) {
    EXPECT_FALSE(error.contains("field")) << reply.response.body;
  } else {
    EXPECT_EQ(error.value("field", ""), field) << reply.response.body;
    EXPECT_EQ(message.rfind(field + ": ", 0), 0u) << "the message must start with the field: " << message;
  }
  EXPECT_FALSE(error.value("request_id", "").empty()) << reply.response.body;
  EXPECT_EQ(error.value("request_id", ""), reply.response.Header("x-request-id"));
}

std::ostream& operator<<(std::ostream& out, const StoreCounts& c) {
  return out << "{assertions " << c.assertions << ", votes " << c.votes << ", epochs " << c.epochs << ", sources "
             << c.sources << ", wal head " << c.wal_head_offset << ", last seq " << c.wal_last_seq << "}";
}

StoreCounts ReadStoreCounts(client::HttpConnection& c, const Daemon& d) {
  JsonReply r = GetJson(c, "/v1/admin/storage/stats", AdminHeaders(d));
  EXPECT_EQ(r.status, 200) << r.transport << r.response.body;
  if (r.status != 200) return {};
  const json& s = r.body;
  return {.assertions = s["assertions"],
          .votes = s["votes"],
          .epochs = s["epochs"],
          .sources = s["sources"],
          .wal_head_offset = s["wal"]["head_offset"],
          .wal_last_seq = s["wal"]["last_seq"]};
}

double ReadMetric(client::HttpConnection& c, const std::string& sample) {
  auto r = c.Get("/metrics");
  EXPECT_TRUE(r.ok() && r->status == 200);
  if (!r.ok()) return -1;
  return MetricSample(r->body, sample).value_or(0);
}

}  // namespace stemedb::testing

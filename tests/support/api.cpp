#include "support/api.h"

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <iterator>
#include <ostream>
#include <stdexcept>
#include <thread>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/record_json.h"
#include "support/metrics_text.h"
#include "support/process.h"
#include "support/records.h"

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

std::string Target(const std::string& path, const QueryList& params) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out = path;
  char sep = '?';
  for (const auto& [name, value] : params) {
    out += sep + name + '=';
    sep = '&';
    for (unsigned char ch : value) {
      if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~' || ch == '/') {
        out += static_cast<char>(ch);
      } else {
        out += '%';
        out += kHex[ch >> 4];
        out += kHex[ch & 15];
      }
    }
  }
  return out;
}

JsonReply Api::Get(const std::string& target, const client::Headers& headers) {
  JsonReply r = GetJson(*connection_, target, headers);
  if (r.status < 0) ADD_FAILURE() << "GET " << target << ": " << r.transport;
  return r;
}

JsonReply Api::Post(const std::string& target, const std::string& body, const client::Headers& headers) {
  JsonReply r = Send(*connection_, "POST", target, body, headers);
  if (r.status < 0) ADD_FAILURE() << "POST " << target << ": " << r.transport;
  return r;
}

json Api::Ok(const std::string& target) {
  JsonReply r = Get(target);
  EXPECT_EQ(r.status, 200) << "GET " << target << ": " << r.response.body;
  return r.body;
}

json Api::Error(const std::string& target, int status) {
  JsonReply r = Get(target);
  EXPECT_EQ(r.status, status) << "GET " << target << ": " << r.response.body;
  if (!r.body.is_object() || !r.body.contains("error")) {
    ADD_FAILURE() << "GET " << target << ": no error object in " << r.response.body;
    return json::object();
  }
  return r.body["error"];
}

json Api::Write(const core::Record& record) {
  JsonReply r = PostRecord(*connection_, record);
  EXPECT_TRUE(r.status == 200 || r.status == 201) << WritePath(record) << ": " << r.status << " " << r.response.body;
  return r.body;
}

json Api::Batch(const std::vector<std::string>& assertion_json) {
  std::string body = R"({"assertions":[)";
  for (size_t i = 0; i < assertion_json.size(); ++i) {
    if (i > 0) body += ',';
    body += assertion_json[i];
  }
  body += "]}";
  JsonReply r = Post("/v1/assert/batch", body);
  EXPECT_EQ(r.status, 200) << r.response.body;
  return r.body.is_object() ? r.body["results"] : json::array();
}

json Api::Retract(const core::Hash32& source, const std::string& reason) {
  const std::string path = "/v1/sources/" + core::IdHex(source) + "/retract";
  JsonReply r = Post(path, json{{"reason", reason}}.dump(), AdminHeaders(daemon_));
  EXPECT_EQ(r.status, 200) << "POST " << path << ": " << r.response.body;
  return r.body;
}

void Api::SetTrust(int agent, double score) {
  const std::string path = "/v1/admin/agents/" + core::IdHex(Agent(agent).public_key()) + "/trust";
  JsonReply r = Send(*connection_, "PUT", path, json{{"score", score}}.dump(), AdminHeaders(daemon_));
  EXPECT_EQ(r.status, 200) << "PUT " << path << ": " << r.response.body;
}

std::vector<std::string> UnlimitedArgs() { return {"--rate-limit-enabled", "false"}; }

int64_t UnixNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void WaitForClockPast(uint64_t ms) {
  while (uint64_t(UnixNowMs()) <= ms) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

}  // namespace stemedb::testing

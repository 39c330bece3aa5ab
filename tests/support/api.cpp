#include "support/api.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "stemedb/core/hex.h"
#include "stemedb/core/record_json.h"
#include "support/process.h"

namespace stemedb::testing {

using nlohmann::json;

std::string RootKey(const Daemon& d) {
  std::string k = ReadFile(d.data_dir() + "/root.key");
  while (!k.empty() && (k.back() == '\n' || k.back() == '\r')) k.pop_back();
  return k;
}

std::string Target(const std::string& path, const std::vector<std::pair<std::string, std::string>>& params) {
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

namespace {

Reply ToReply(const Result<client::HttpResponse>& r, const std::string& what) {
  Reply out;
  if (!r.ok()) {
    ADD_FAILURE() << what << ": " << r.status().ToString();
    return out;
  }
  out.status = r->status;
  out.text = r->body;
  out.body = json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  if (out.body.is_discarded()) out.body = nullptr;
  out.raw = *r;
  return out;
}

}  // namespace

Reply Api::Get(const std::string& target, const client::Headers& headers) {
  return ToReply(connection_->Get(target, headers), "GET " + target);
}

Reply Api::Post(const std::string& target, const std::string& body, const client::Headers& headers) {
  return ToReply(connection_->Post(target, body, headers), "POST " + target);
}

json Api::Ok(const std::string& target) {
  Reply r = Get(target);
  EXPECT_EQ(r.status, 200) << "GET " << target << ": " << r.text;
  return r.body;
}

json Api::Error(const std::string& target, int status) {
  Reply r = Get(target);
  EXPECT_EQ(r.status, status) << "GET " << target << ": " << r.text;
  if (!r.body.is_object() || !r.body.contains("error")) {
    ADD_FAILURE() << "GET " << target << ": no error object in " << r.text;
    return json::object();
  }
  return r.body["error"];
}

json Api::Write(const std::string& path, const std::string& body) {
  Reply r = Post(path, body);
  EXPECT_TRUE(r.status == 200 || r.status == 201) << "POST " << path << ": " << r.status << " " << r.text;
  return r.body;
}

json Api::Assert(const core::Assertion& a) { return Write("/v1/assert", core::ToJson(a).dump()); }
json Api::Vote(const core::Vote& v) { return Write("/v1/vote", core::ToJson(v).dump()); }
json Api::Epoch(const core::Epoch& e) { return Write("/v1/epoch", core::ToJson(e).dump()); }
json Api::Source(const core::Source& s) { return Write("/v1/sources", core::ToJson(s).dump()); }

json Api::Batch(const std::vector<std::string>& assertion_json) {
  std::string body = R"({"assertions":[)";
  for (size_t i = 0; i < assertion_json.size(); ++i) {
    if (i > 0) body += ',';
    body += assertion_json[i];
  }
  body += "]}";
  return Write("/v1/assert/batch", body)["results"];
}

json Api::Retract(const core::Hash32& source, const std::string& reason, const std::string& admin_key) {
  const std::string path = "/v1/sources/" + core::IdHex(source) + "/retract";
  Reply r = Post(path, json{{"reason", reason}}.dump(), {{"X-API-Key", admin_key}});
  EXPECT_EQ(r.status, 200) << "POST " << path << ": " << r.text;
  return r.body;
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

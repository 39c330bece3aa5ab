// server.cors_allowed_origins on the real daemon, as a browser would exercise it: the preflight
// of a signed write from a listed origin, the write itself and an error readable by the page,
// nothing readable by an unlisted origin, no Access-Control-Allow-Credentials anywhere; and a
// configuration no browser origin can match refused at start-up, naming the entry.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/daemon.h"
#include "support/records.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

const std::string kConsole = "http://console.example.com:8080";

TEST(CorsTest, AListedOriginCanWriteAndReadAnUnlistedOneCannot) {
  Daemon d({.args = {"--server-cors-allowed-origins", kConsole + ", https://other.example.com"}});
  auto c = d.Connect();
  auto preflight = c->Request("OPTIONS", "/v1/assert", "",
                              {{"Origin", kConsole},
                               {"Access-Control-Request-Method", "POST"},
                               {"Access-Control-Request-Headers", "content-type,x-api-key"}});
  ASSERT_TRUE(preflight.ok());
  EXPECT_EQ(preflight->status, 204) << preflight->body;
  EXPECT_EQ(preflight->Header("access-control-allow-origin"), kConsole);
  EXPECT_NE(preflight->Header("access-control-allow-methods").find("POST"), std::string::npos);
  EXPECT_NE(preflight->Header("access-control-allow-headers").find("Content-Type"), std::string::npos);
  EXPECT_EQ(preflight->Header("access-control-allow-credentials"), "");

  const core::Assertion claim = SignedAssertion({.subject = "cors/claim", .text = "from a browser"});
  auto written = c->Post("/v1/assert", core::ToJson(claim).dump(), {{"Content-Type", "application/json"}, {"Origin", kConsole}});
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(written->status, 201) << written->body;
  EXPECT_EQ(written->Header("access-control-allow-origin"), kConsole);
  EXPECT_NE(written->Header("access-control-expose-headers").find("X-Request-Id"), std::string::npos);
  auto refused = c->Post("/v1/assert", "{}", {{"Content-Type", "application/json"}, {"Origin", kConsole}});
  EXPECT_EQ(refused->status, 400);
  EXPECT_EQ(refused->Header("access-control-allow-origin"), kConsole);

  auto other = c->Request("OPTIONS", "/v1/assert", "",
                          {{"Origin", "https://evil.example.com"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(other->status, 403);
  EXPECT_EQ(json::parse(other->body)["error"]["code"], "cors_origin_not_allowed");
  EXPECT_EQ(other->Header("access-control-allow-origin"), "");
  auto read = c->Get("/v1/health", {{"Origin", "https://evil.example.com"}});
  EXPECT_EQ(read->status, 200);
  EXPECT_EQ(read->Header("access-control-allow-origin"), "");
  EXPECT_EQ(read->Header("access-control-allow-credentials"), "");
  EXPECT_EQ(read->Header("vary"), "Origin");

  // Preflights are counted under their own route label.
  EXPECT_NE(c->Get("/metrics")->body.find("stemedb_http_requests_total{method=\"OPTIONS\",route=\"preflight\",status=\"204\"} 1"),
            std::string::npos);
}

TEST(CorsTest, ByDefaultNoOriginMayReadAndEveryPreflightIsRefused) {
  Daemon d;
  auto c = d.Connect();
  auto preflight = c->Request("OPTIONS", "/v1/assert", "", {{"Origin", kConsole}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(preflight->status, 403);
  EXPECT_EQ(preflight->Header("access-control-allow-origin"), "");
  auto read = c->Get("/v1/health", {{"Origin", kConsole}});
  EXPECT_EQ(read->Header("access-control-allow-origin"), "");
}

TEST(CorsTest, AnOriginNoBrowserSendsIsRefusedAtStartUp) {
  for (const auto& [value, why] : std::vector<std::pair<std::string, std::string>>{
           {"*", "'*' is not accepted"}, {"https://console.example.com/", "trailing slash"}}) {
    ProcessResult r = RunApi({"--check-config", "--server-cors-allowed-origins", value});
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("server.cors_allowed_origins"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(why), std::string::npos) << r.out;
  }
}

}  // namespace
}  // namespace stemedb::testing

// deploy/nginx/stemedb.conf against the real thing: `nginx -t` on it, then Debian's nginx in
// front of a live daemon, with a throwaway certificate. The shipped file is used as is, with
// only its listen ports, upstream port and certificate paths rewritten for the test.

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/record_json.h"
#include "stemedb/ops/config.h"
#include "support/background_process.h"
#include "support/daemon.h"
#include "support/process.h"
#include "support/records.h"
#include "support/shipped_file.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

const std::string kSiteFile = std::string(STEMEDB_SOURCE_DIR) + "/deploy/nginx/stemedb.conf";

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  ReplaceInShippedFile(text, from, to, kSiteFile);
}

// An nginx prefix in a temporary directory: the shipped site, a certificate for 127.0.0.1, and
// a minimal main nginx.conf (one process, logs and temp files inside the prefix).
struct NginxPrefix {
  TempDir dir;
  uint16_t https_port = FreeLoopbackPort();
  uint16_t http_port = FreeLoopbackPort();

  std::string conf() const { return dir.Sub("nginx.conf"); }
  std::string cert() const { return dir.Sub("cert.pem"); }
  std::string https() const { return "https://127.0.0.1:" + std::to_string(https_port); }
  std::vector<std::string> Command(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> argv = {"nginx", "-p", dir.path() + "/", "-c", conf(), "-e", dir.Sub("error.log")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  void Write(uint16_t upstream_port) {
    WriteSelfSignedCertificate(cert(), dir.Sub("key.pem"));
    std::string site = ReadFile(kSiteFile);
    const std::string https_listen = "listen 127.0.0.1:" + std::to_string(https_port);
    const std::string http_listen = "listen 127.0.0.1:" + std::to_string(http_port);
    ReplaceAll(site, "server 127.0.0.1:18180 ", "server 127.0.0.1:" + std::to_string(upstream_port) + " ");
    ReplaceAll(site, "    listen [::]:443 ssl http2;\n", "");  // the test host may have no IPv6
    ReplaceAll(site, "    listen [::]:80;\n", "");
    ReplaceAll(site, "listen 443 ", https_listen + " ");
    ReplaceAll(site, "listen 80;", http_listen + ";");
    ReplaceAll(site, "/etc/stemedb/tls/fullchain.pem", cert());
    ReplaceAll(site, "/etc/stemedb/tls/privkey.pem", dir.Sub("key.pem"));
    WriteFile(dir.Sub("stemedb.conf"), site);
    const std::string p = dir.path() + "/";
    WriteFile(conf(), "daemon off;\nmaster_process off;\npid " + p + "nginx.pid;\n"
                      "events { worker_connections 256; }\n"
                      "http {\n  log_format ids '$request_id $request';\n  access_log " + p + "access.log ids;\n"
                      "  client_body_temp_path " + p + "client_body;\n  proxy_temp_path " + p + "proxy;\n"
                      "  fastcgi_temp_path " + p + "fastcgi;\n  uwsgi_temp_path " + p + "uwsgi;\n"
                      "  scgi_temp_path " + p + "scgi;\n  include " + p + "stemedb.conf;\n}\n");
  }
};

struct CurlResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// One request with curl (TLS against the test certificate); the body is sent from a file.
CurlResponse Curl(const NginxPrefix& nginx, const std::string& method, const std::string& url,
                  const std::string& body = "", const std::vector<std::string>& headers = {}) {
  TempDir tmp;
  std::vector<std::string> argv = {"curl", "-sS", "--max-time", "60", "--cacert", nginx.cert(), "-X", method,
                                   "-o", tmp.Sub("body"), "-D", tmp.Sub("headers"), "-w", "%{http_code}"};
  for (const auto& h : headers) argv.insert(argv.end(), {"-H", h});
  if (!body.empty()) {
    WriteFile(tmp.Sub("request"), body);
    argv.insert(argv.end(), {"-H", "Content-Type: application/json", "--data-binary", "@" + tmp.Sub("request")});
  }
  argv.push_back(url);
  ProcessResult r = RunProcess(argv);
  CurlResponse out;
  if (r.exit_code != 0) return out;
  out.status = std::stoi(r.out.substr(r.out.size() >= 3 ? r.out.size() - 3 : 0));
  out.body = ReadFile(tmp.Sub("body"));
  static const std::regex kHeader(R"(([A-Za-z0-9-]+):\s*(.*?)\r?)");
  std::istringstream raw(ReadFile(tmp.Sub("headers")));
  for (std::string line; std::getline(raw, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, kHeader)) continue;
    std::string name = m[1];
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    out.headers[name] = m[2];
  }
  return out;
}

double MetricValue(const std::string& metrics, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(metrics, m, std::regex("\n" + name + " ([0-9.e+]+)"))) return -1;
  return std::stod(m[1]);
}

bool HaveTools() { return HaveProgram("nginx") && HaveProgram("openssl") && HaveProgram("curl"); }

TEST(NginxConfigTest, PassesNginxTWithoutWarnings) {
  ASSERT_TRUE(HaveTools()) << "run scripts/setup.sh";
  NginxPrefix nginx;
  nginx.Write(18180);
  auto t = RunProcess(nginx.Command({"-t"}));
  EXPECT_EQ(t.exit_code, 0) << t.out;
  EXPECT_NE(t.out.find("test is successful"), std::string::npos) << t.out;
  EXPECT_EQ(t.out.find("[warn]"), std::string::npos) << t.out;
}

TEST(NginxConfigTest, BodyLimitIsTheDaemonsDefault) {
  std::smatch m;
  const std::string site = ReadFile(kSiteFile);
  ASSERT_TRUE(std::regex_search(site, m, std::regex(R"(\n\s*client_max_body_size (\d+)m;)")));
  EXPECT_EQ(std::stoll(m[1]) << 20, ops::ServerConfig{}.max_body_bytes);
}

TEST(NginxProxyTest, SignedWritesAndReadsThroughTlsWithRequestIds) {
  ASSERT_TRUE(HaveTools()) << "run scripts/setup.sh";
  Daemon d;
  NginxPrefix nginx;
  nginx.Write(d.port());
  BackgroundProcess server(nginx.Command(), nginx.dir.Sub("nginx.out"));
  CurlResponse ready;
  for (int i = 0; i < 400 && ready.status != 200; ++i) {
    ASSERT_TRUE(server.Running()) << server.Log() << ReadFile(nginx.dir.Sub("error.log"));
    ready = Curl(nginx, "GET", nginx.https() + "/v1/ready");
    if (ready.status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(ready.status, 200) << ReadFile(nginx.dir.Sub("error.log"));

  // A signed assertion and a signed vote, through TLS; the client's request id comes back.
  core::Assertion a = SignedAssertion({.subject = "drugs/nginx", .text = "proxied"});
  CurlResponse written = Curl(nginx, "POST", nginx.https() + "/v1/assert", core::ToJson(a).dump(),
                              {"X-Request-Id: deploy-nginx-write-1"});
  ASSERT_EQ(written.status, 201) << written.body;
  EXPECT_EQ(written.headers["x-request-id"], "deploy-nginx-write-1");
  const std::string id = json::parse(written.body)["id"];
  CurlResponse voted = Curl(nginx, "POST", nginx.https() + "/v1/vote",
                            core::ToJson(SignedVote(core::ContentId(a), 2, 1.0)).dump());
  EXPECT_EQ(voted.status, 201) << voted.body;
  // The same signed record again: content-addressed, so a client retry is safe.
  CurlResponse again = Curl(nginx, "POST", nginx.https() + "/v1/assert", core::ToJson(a).dump());
  EXPECT_EQ(again.status, 200) << again.body;

  CurlResponse got = Curl(nginx, "GET", nginx.https() + "/v1/assertions/" + id, "", {"X-Request-Id: deploy-nginx-read-2"});
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.headers["x-request-id"], "deploy-nginx-read-2");
  CurlResponse query = Curl(nginx, "GET", nginx.https() + "/v1/query?subject=drugs/nginx&predicate=gastroparesis_risk");
  ASSERT_EQ(query.status, 200) << query.body;
  EXPECT_EQ(json::parse(query.body)["winner"]["id"], id) << query.body;
  // Without a client id, nginx's own $request_id (in its access log) reaches the daemon and
  // comes back, rather than an id the daemon made up.
  const std::string generated = query.headers["x-request-id"];
  EXPECT_TRUE(std::regex_match(generated, std::regex("[0-9a-f]{32}"))) << generated;
  bool logged = false;  // nginx writes the line as it finishes the request: allow it a moment
  for (int i = 0; i < 100 && !logged; ++i) {
    logged = ReadFile(nginx.dir.Sub("access.log")).find(generated + " GET /v1/query") != std::string::npos;
    if (!logged) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(logged) << generated << " not in nginx's log:\n" << ReadFile(nginx.dir.Sub("access.log"));

  // The body limit is the daemon's: one byte more is refused by nginx, the limit itself passes.
  const int64_t limit = ops::ServerConfig{}.max_body_bytes;
  CurlResponse too_big = Curl(nginx, "POST", nginx.https() + "/v1/assert", std::string(limit + 1, ' '));
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(too_big.body.find("\"error\""), std::string::npos) << "nginx, not the daemon, refuses it";
  CurlResponse at_limit = Curl(nginx, "POST", nginx.https() + "/v1/assert", std::string(limit, ' '));
  EXPECT_EQ(at_limit.status, 400) << "the daemon judges it: " << at_limit.body;
  EXPECT_NE(at_limit.body.find("\"error\""), std::string::npos) << at_limit.body;

  // Plain HTTP is redirected to HTTPS; /metrics is not served publicly.
  ProcessResult plain = RunProcess({"curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                                    "http://127.0.0.1:" + std::to_string(nginx.http_port) + "/v1/health"});
  EXPECT_EQ(plain.out, "308 https://127.0.0.1/v1/health");
  EXPECT_EQ(Curl(nginx, "GET", nginx.https() + "/metrics").status, 404);

  // The upstream keep-alive pool: a dozen client connections to nginx, few to the daemon.
  for (int i = 0; i < 12; ++i) ASSERT_EQ(Curl(nginx, "GET", nginx.https() + "/v1/health").status, 200);
  const std::string metrics = d.Connect()->Get("/metrics")->body;
  const double accepted = MetricValue(metrics, "stemedb_http_connections_accepted_total");
  EXPECT_GE(accepted, 1);
  EXPECT_LE(accepted, 6) << "nginx opened a connection per request: keep-alive to the upstream is off";
}

}  // namespace
}  // namespace stemedb::testing

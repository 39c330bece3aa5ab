// The HTTP edge of the real daemon: routes, errors, request ids, limits, keep-alive,
// pipelining, timeouts and the connection caps (global and per client).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "support/api.h"
#include "support/daemon.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

TEST(ServerTest, HealthAndReadinessAndAliases) {
  Daemon d;
  auto c = d.Connect();
  for (const char* path : {"/v1/health", "/livez"}) {
    auto r = c->Get(path);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    json body = json::parse(r->body);
    EXPECT_EQ(body["status"], "ok");
    EXPECT_TRUE(body.contains("version"));
    EXPECT_TRUE(body.contains("uptime_s"));
  }
  for (const char* path : {"/v1/ready", "/readyz"}) {
    auto r = c->Get(path);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(json::parse(r->body)["status"], "ready");
  }
}

TEST(ServerTest, UnknownRouteIs404WithErrorBodyAndRequestId) {
  Daemon d;
  auto r = d.Connect()->Get("/v1/nope");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  json body = json::parse(r->body);
  EXPECT_EQ(body["error"]["code"], "not_found");
  EXPECT_EQ(body["error"]["request_id"], r->Header("x-request-id"));
  EXPECT_EQ(r->Header("x-request-id").size(), 32u);
}

TEST(ServerTest, WrongMethodIs405WithAllow) {
  Daemon d;
  auto r = d.Connect()->Request("DELETE", "/v1/health");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Header("allow"), "GET, HEAD");
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "method_not_allowed");
}

TEST(ServerTest, ClientRequestIdIsEchoedAndBadOnesReplaced) {
  Daemon d;
  auto c = d.Connect();
  auto r = c->Get("/v1/health", {{"X-Request-Id", "trace-42.a:b"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Header("x-request-id"), "trace-42.a:b");
  r = c->Get("/v1/health", {{"X-Request-Id", "bad id with spaces"}});
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->Header("x-request-id"), "bad id with spaces");
  EXPECT_EQ(r->Header("x-request-id").size(), 32u);
}

TEST(ServerTest, HeadAnswersWithoutBody) {
  Daemon d;
  auto c = d.Connect();
  auto r = c->Request("HEAD", "/v1/health");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.empty());
  EXPECT_NE(r->Header("content-length"), "0");
  auto again = c->Get("/v1/health");  // the connection is still in step
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 200);
}

TEST(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  Daemon d;
  auto c = d.Connect();
  for (int i = 0; i < 200; ++i) {
    auto r = c->Get("/v1/health");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200);
  }
  EXPECT_TRUE(c->connected());
}

TEST(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Daemon d;
  auto c = d.Connect();
  std::string batch;
  for (int i = 0; i < 10; ++i) {
    batch += "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Request-Id: pipe-" + std::to_string(i) + "\r\n\r\n";
  }
  batch += "GET /v1/nope HTTP/1.1\r\nHost: x\r\nX-Request-Id: pipe-last\r\n\r\n";
  ASSERT_TRUE(c->SendRaw(batch).ok());
  for (int i = 0; i < 10; ++i) {
    auto r = c->ReadResponse();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("x-request-id"), "pipe-" + std::to_string(i));
  }
  auto last = c->ReadResponse();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->status, 404);
  EXPECT_EQ(last->Header("x-request-id"), "pipe-last");
}

TEST(ServerTest, OversizedBodyIsRefusedFromTheHeaderBeforeItIsRead) {
  Daemon d;
  auto c = d.Connect();
  // Announce 100 MiB and send only a little: the 413 must come without the rest.
  std::string head = "POST /v1/assert HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "X-Request-Id: big-1\r\nContent-Length: 104857600\r\n\r\n";
  ASSERT_TRUE(c->SendRaw(head + std::string(1000, 'a')).ok());
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "body_too_large");
  // Refused before the dispatcher, but with the request id like every other answer.
  EXPECT_EQ(r->Header("x-request-id"), "big-1");
  EXPECT_EQ(json::parse(r->body)["error"]["request_id"], "big-1");
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c->PeerClosed(std::chrono::seconds(5)));
}

TEST(ServerTest, ChunkedBodyOverTheLimitIs413) {
  Daemon d({.args = {"--server-max-body-bytes", "2048"}});
  auto c = d.Connect();
  std::string req = "POST /v1/assert HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) req += "400\r\n" + std::string(1024, 'x') + "\r\n";
  req += "0\r\n\r\n";
  ASSERT_TRUE(c->SendRaw(req).ok());
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
}

TEST(ServerTest, OversizedHeadersAre431) {
  Daemon d;
  auto r = d.Connect()->Get("/v1/health", {{"X-Big", std::string(20000, 'h')}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 431);
}

TEST(ServerTest, MalformedRequestIs400) {
  Daemon d;
  auto c = d.Connect();
  ASSERT_TRUE(c->SendRaw("THIS IS NOT HTTP\r\n\r\n").ok());
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 400);
}

TEST(ServerTest, SlowHeadersAreCutAfterTheReadTimeout) {
  Daemon d({.args = {"--server-read-timeout-ms", "600"}});
  auto c = d.Connect();
  std::string req = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  for (char ch : req) {
    if (!c->SendRaw(std::string(1, ch)).ok()) {
      closed = true;
      break;
    }
    if (c->PeerClosed(std::chrono::milliseconds(200))) {
      closed = true;
      break;
    }
  }
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(closed) << "a client trickling one byte per 200 ms must not hold the connection";
  EXPECT_LT(elapsed, 5.0);
}

TEST(ServerTest, IdleKeepAliveConnectionsAreClosed) {
  Daemon d({.args = {"--server-idle-timeout-s", "1"}});
  auto c = d.Connect();
  ASSERT_TRUE(c->Get("/v1/health").ok());
  EXPECT_TRUE(c->PeerClosed(std::chrono::seconds(5)));
}

// Waits (at most 5 s) until the daemon counts `open` connections, read through `c` (itself one
// of them). A client's close reaches the server's count only when its session ends, a moment
// later: the harness's own readiness probes may still be counted right after start.
bool WaitForOpenConnections(client::HttpConnection& c, double open) {
  for (int i = 0; i < 250; ++i) {
    if (ReadMetric(c, "stemedb_http_connections") == open) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

using HeldConnections = std::vector<std::unique_ptr<client::HttpConnection>>;

// Opens `cap` connections, each served, into `held`; then one more: its answer, or an error
// when the daemon reset it before the answer could be read.
Result<client::HttpResponse> OneBeyondTheCap(const Daemon& d, int cap, HeldConnections& held) {
  held.push_back(d.Connect());
  EXPECT_TRUE(WaitForOpenConnections(*held[0], 1));
  for (int i = 1; i < cap; ++i) {
    held.push_back(d.Connect());
    auto r = held.back()->Get("/v1/health");
    EXPECT_TRUE(r.ok() && r->status == 200) << "connection " << i + 1 << " of " << cap << " must be served";
  }
  return d.Connect()->Get("/v1/health");
}

// A connection that closes gives its slot back.
void ExpectAFreedSlotIsServed(const Daemon& d, HeldConnections& held) {
  held.pop_back();
  ASSERT_TRUE(WaitForOpenConnections(*held[0], held.size()));
  auto again = d.Connect()->Get("/v1/health");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 200);
}

TEST(ServerTest, ConnectionCapRefusesExtraConnections) {
  Daemon d({.args = {"--server-max-connections", "3"}});
  HeldConnections held;
  auto r = OneBeyondTheCap(d, 3, held);
  // Refused with a 503 and closed (or reset before the answer could be read).
  if (r.ok()) {
    EXPECT_EQ(r->status, 503);
  }
  ExpectAFreedSlotIsServed(d, held);
}

// GET /v1/health over a new connection from the loopback address `from` (127.0.0.2 is another
// client to the daemon than 127.0.0.1): the answer's status line, or "" when none came.
std::string HealthFrom(const Daemon& d, const char* from) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in local{};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, from, &local.sin_addr);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(d.port());
  inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  std::string response;
  const std::string request = "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) == 0 &&
      connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof(server)) == 0 &&
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) response.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return response.substr(0, response.find("\r\n"));
}

// One client (a remote address, as the rate limiter keys a client without a key) cannot hold
// every connection: beyond server.max_connections_per_client its connections are refused as the
// global cap refuses them (503, closed), counted under their own reason; other clients are
// served, and a connection that closes gives its slot back.
TEST(ServerTest, PerClientConnectionCapRefusesOneClientsExtraConnections) {
  Daemon d({.args = {"--server-max-connections-per-client", "3"}});
  HeldConnections held;
  auto r = OneBeyondTheCap(d, 3, held);
  // Refused with a 503 and closed (or reset before the answer could be read).
  if (r.ok()) {
    EXPECT_EQ(r->status, 503);
    EXPECT_EQ(json::parse(r->body)["error"]["code"], "too_many_connections");
  }
  EXPECT_EQ(HealthFrom(d, "127.0.0.2"), "HTTP/1.1 200 OK") << "another client is served";
  EXPECT_EQ(ReadMetric(*held[0], "stemedb_http_connections_refused_total{reason=\"max_connections_per_client\"}"), 1);
  EXPECT_EQ(ReadMetric(*held[0], "stemedb_http_connections_refused_total{reason=\"max_connections\"}"), 0);
  ExpectAFreedSlotIsServed(d, held);
}

}  // namespace
}  // namespace stemedb::testing

// The production edge against the real daemon: rate limiting and load shedding, drain under
// load, the admin endpoints, native TLS.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "stemedb/core/hex.h"
#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/daemon.h"
#include "support/process.h"
#include "support/records.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

std::string AssertionBody(const std::string& subject, const std::string& text) {
  return core::ToJson(SignedAssertion({.subject = subject, .text = text})).dump();
}

TEST(RateLimitTest, BucketRunsDryThenRecoversAfterRetryAfter) {
  Daemon d({.args = {"--rate-limit-write-rps", "1", "--rate-limit-write-burst", "3"}});
  auto c = d.Connect();
  for (int i = 0; i < 3; ++i) {
    auto r = c->Post("/v1/assert", AssertionBody("rl", std::to_string(i)));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 201);
    EXPECT_EQ(r->Header("ratelimit-policy"), "\"write\";q=3;w=3");
    EXPECT_EQ(r->Header("ratelimit").rfind("\"write\";r=" + std::to_string(2 - i) + ";t=", 0), 0u) << r->Header("ratelimit");
  }
  auto limited = c->Post("/v1/assert", AssertionBody("rl", "3"));
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(json::parse(limited->body)["error"]["code"], "rate_limited");
  const int retry_after = std::stoi(limited->Header("retry-after"));
  EXPECT_GE(retry_after, 1);
  // Reads draw from another bucket: not limited by the write bucket running dry.
  EXPECT_EQ(c->Get("/v1/query?subject=rl")->status, 200);
  std::this_thread::sleep_for(std::chrono::seconds(retry_after));
  auto again = c->Post("/v1/assert", AssertionBody("rl", "4"));
  EXPECT_EQ(again->status, 201);
  auto metrics = c->Get("/metrics");
  EXPECT_NE(metrics->body.find("stemedb_http_rate_limited_total{class=\"write\"} 1"), std::string::npos);
}

TEST(RateLimitTest, HealthReadinessAndMetricsAreNeverLimited) {
  Daemon d({.args = {"--rate-limit-read-rps", "1", "--rate-limit-read-burst", "1"}});
  auto c = d.Connect();
  for (int i = 0; i < 50; ++i) {
    for (const char* path : {"/v1/health", "/v1/ready", "/metrics"}) {
      auto r = c->Get(path);
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->status, 200) << path;
      EXPECT_TRUE(r->Header("ratelimit").empty());
    }
  }
  EXPECT_EQ(c->Get("/v1/query?subject=x")->status, 200);
  EXPECT_EQ(c->Get("/v1/query?subject=x")->status, 429);
}

TEST(RateLimitTest, ClientsAreSeparateByApiKey) {
  Daemon d({.args = {"--rate-limit-write-rps", "0.1", "--rate-limit-write-burst", "1"}});
  auto c = d.Connect();
  const std::string root = d.RootKey();
  auto key = c->Post("/v1/admin/keys", R"({"role":"write"})", {{"X-API-Key", root}});
  ASSERT_EQ(key->status, 201);
  const std::string writer = json::parse(key->body)["key"];
  EXPECT_EQ(c->Post("/v1/assert", AssertionBody("k", "1"))->status, 201);
  EXPECT_EQ(c->Post("/v1/assert", AssertionBody("k", "2"))->status, 429);
  EXPECT_EQ(c->Post("/v1/assert", AssertionBody("k", "3"), {{"X-API-Key", writer}})->status, 201);
}

// Failed authentications count against the client's rate limit, so nobody guesses keys at an
// unlimited speed: each 401 takes a token of the route's class from the client (its address,
// the key being no key of its own), a wrong key also one of the address's bucket for failed keys,
// and once that one is dry no key from the address is even checked (429 with Retry-After), a
// right one included, until it refills. Requests without a key count like any request.
// (ClientsAreSeparateByApiKey: a good key is not held back by its address's other requests.)
TEST(RateLimitTest, FailedAuthenticationsCountAgainstTheClientsLimit) {
  Daemon d({.args = {"--auth-mode", "all", "--rate-limit-read-rps", "0.1", "--rate-limit-read-burst", "4",
                     "--rate-limit-write-rps", "0.1", "--rate-limit-write-burst", "2"}});
  auto c = d.Connect();
  auto key = c->Post("/v1/admin/keys", R"({"role":"read"})", {{"X-API-Key", d.RootKey()}});
  ASSERT_EQ(key->status, 201);
  const std::string reader = json::parse(key->body)["key"];
  for (int i = 0; i < 4; ++i) {
    auto guess = c->Get("/v1/query?subject=x", {{"X-API-Key", "sdb_guess_" + std::to_string(i)}});
    ASSERT_TRUE(guess.ok());
    EXPECT_EQ(guess->status, 401) << "guess " << i;
  }
  auto limited = c->Get("/v1/query?subject=x", {{"X-API-Key", "sdb_guess_4"}});
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(json::parse(limited->body)["error"]["code"], "rate_limited");
  EXPECT_GE(std::stoi(limited->Header("retry-after")), 1);
  auto right = c->Get("/v1/query?subject=x", {{"X-API-Key", reader}});
  EXPECT_EQ(right->status, 429) << "a key is not checked while its client's bucket is dry";

  for (int i = 0; i < 2; ++i) EXPECT_EQ(c->Post("/v1/assert", AssertionBody("anon", std::to_string(i)))->status, 401);
  EXPECT_EQ(c->Post("/v1/assert", AssertionBody("anon", "2"))->status, 429);

  EXPECT_EQ(ReadMetric(*c, "stemedb_http_auth_failures_total{reason=\"invalid_api_key\"}"), 4);
  EXPECT_EQ(ReadMetric(*c, "stemedb_http_auth_failures_total{reason=\"missing_api_key\"}"), 3);
  EXPECT_EQ(ReadMetric(*c, "stemedb_http_rate_limited_total{class=\"read\"}"), 2);
  EXPECT_EQ(ReadMetric(*c, "stemedb_http_rate_limited_total{class=\"write\"}"), 1);
}

TEST(LoadSheddingTest, InflightCapShedsWith503) {
  Daemon d({.args = {"--rate-limit-max-inflight", "1", "--rate-limit-enabled", "false"}});
  std::atomic<bool> shed{false};
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      auto c = d.Connect();
      for (int i = 0; !shed.load() && std::chrono::steady_clock::now() < deadline; ++i) {
        auto r = c->Post("/v1/assert", AssertionBody("shed", std::to_string(t) + "-" + std::to_string(i)));
        if (!r.ok()) continue;
        if (r->status == 503) {
          EXPECT_EQ(json::parse(r->body)["error"]["code"], "overloaded");
          EXPECT_FALSE(r->Header("retry-after").empty());
          shed.store(true);
        } else if (r->status != 201) {
          unexpected.fetch_add(1);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_TRUE(shed.load());
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_NE(d.Connect()->Get("/metrics")->body.find("stemedb_http_shed_total"), std::string::npos);
}

// A batch of `items` assertions with 16 signers each (the signature checks of a large batch: CPU
// work), about 3.6 KiB an item.
std::string SixteenSignerBatch(const std::string& subject, int items) {
  std::vector<int> signers;
  for (int n = 1; n <= 16; ++n) signers.push_back(n);
  json list = json::array();
  for (int i = 0; i < items; ++i) {
    list.push_back(core::ToJson(SignedAssertion({.subject = subject + "/" + std::to_string(i)}, signers)));
  }
  return json{{"assertions", std::move(list)}}.dump();
}

// Signature checks run on the worker pool, not on the I/O threads: with its one thread busy and
// its queue full, more batches are refused 503 overloaded with Retry-After, while health and
// readiness, served by the I/O threads, answer all along.
TEST(LoadSheddingTest, FullWorkerPoolShedsBatchesAndHealthIsStillAnswered) {
  Daemon d({.args = {"--server-worker-threads", "1", "--server-worker-queue-max", "1", "--rate-limit-enabled",
                     "false"}});
  const std::string batch = SixteenSignerBatch("pool", 200);  // 0.7 MiB, 3,200 signatures
  std::atomic<int> done{0}, overloaded{0}, unexpected{0};
  std::vector<std::thread> posters;
  constexpr int kPosters = 8;
  for (int t = 0; t < kPosters; ++t) {
    posters.emplace_back([&] {
      auto c = d.Connect();
      auto r = c->Post("/v1/assert/batch", batch);
      if (r.ok() && r->status == 503 && json::parse(r->body)["error"]["code"] == "overloaded" &&
          !r->Header("retry-after").empty()) {
        overloaded.fetch_add(1);
      } else if (!r.ok() || r->status != 200) {
        unexpected.fetch_add(1);
      }
      done.fetch_add(1);
    });
  }
  auto probe = d.Connect();
  int answered = 0, failed = 0;
  while (done.load() < kPosters) {
    for (const char* path : {"/v1/health", "/readyz"}) {
      auto r = probe->Get(path);
      (r.ok() && r->status == 200 ? answered : failed) += 1;
    }
  }
  for (auto& t : posters) t.join();
  EXPECT_GE(overloaded.load(), 1) << "one worker, one queued: the others are shed";
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_GT(answered, 0);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(ReadMetric(*probe, "stemedb_http_worker_threads"), 1);
  EXPECT_EQ(ReadMetric(*probe, "stemedb_http_worker_rejected_total"), overloaded.load());
  EXPECT_GE(ReadMetric(*probe, "stemedb_http_worker_queue_wait_seconds_count"), kPosters - overloaded.load());
}

// 64 clients write while the node is drained: every request gets a whole answer, either a 2xx
// (and the write is durable: it survives a restart) or a 503 with Retry-After.
TEST(DrainTest, DrainWhileSixtyFourClientsWrite) {
  TempDir dir;
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<int> refused{0}, broken{0};
  {
    Daemon d({.args = {"--rate-limit-enabled", "false"}, .data_dir = dir.Sub("data")});
    const std::string root = d.RootKey();
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int t = 0; t < 64; ++t) {
      writers.emplace_back([&, t] {
        auto c = d.Connect();
        for (int i = 0; !stop.load(); ++i) {
          auto r = c->Post("/v1/assert", AssertionBody("drain/" + std::to_string(t), std::to_string(i)));
          if (!r.ok()) {
            broken.fetch_add(1);
            return;
          }
          if (r->status == 201) {
            std::lock_guard lock(mu);
            acknowledged.push_back(json::parse(r->body)["id"]);
          } else if (r->status == 503 && !r->Header("retry-after").empty() &&
                     json::parse(r->body)["error"]["code"] == "draining") {
            refused.fetch_add(1);
            if (refused.load() > 64 * 3) return;
          } else {
            broken.fetch_add(1);
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto admin = d.Connect();
    auto drained = admin->Post("/v1/admin/node/drain", "", {{"X-API-Key", root}});
    ASSERT_TRUE(drained.ok());
    EXPECT_EQ(drained->status, 200);
    json body = json::parse(drained->body);
    EXPECT_EQ(body["state"], "drained");
    EXPECT_EQ(body["inflight"], 0);
    EXPECT_EQ(admin->Get("/v1/ready")->status, 503);
    // Idempotent.
    EXPECT_EQ(admin->Post("/v1/admin/node/drain", "", {{"X-API-Key", root}})->status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop.store(true);
    for (auto& w : writers) w.join();
    auto node = admin->Get("/v1/admin/node", {{"X-API-Key", root}});
    EXPECT_EQ(json::parse(node->body)["state"], "drained");
    EXPECT_EQ(admin->Post("/v1/admin/node/undrain", "", {{"X-API-Key", root}})->status, 200);
    EXPECT_EQ(admin->Get("/v1/ready")->status, 200);
    EXPECT_EQ(d.Stop(), 0);
  }
  EXPECT_EQ(broken.load(), 0);
  EXPECT_GT(refused.load(), 0);
  ASSERT_GT(acknowledged.size(), 64u);
  Daemon d({.data_dir = dir.Sub("data")});
  auto c = d.Connect();
  for (const auto& id : acknowledged) {
    auto r = c->Get("/v1/assertions/" + id);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << "acknowledged write " << id << " lost";
  }
}

TEST(AdminTest, RotateStatsTrustAndCheckpoint) {
  TempDir dir;
  Daemon d({.args = {"--rate-limit-enabled", "false"}});
  auto c = d.Connect();
  const client::Headers key = {{"X-API-Key", d.RootKey()}};
  ASSERT_EQ(c->Post("/v1/assert", AssertionBody("admin", "x"))->status, 201);

  auto rotated = c->Post("/v1/admin/wal/rotate", "", key);
  ASSERT_EQ(rotated->status, 200);
  EXPECT_EQ(json::parse(rotated->body)["sealed"], "segment.001.wal");
  EXPECT_EQ(json::parse(rotated->body)["active"], "segment.002.wal");

  auto stats = c->Get("/v1/admin/storage/stats", key);
  ASSERT_EQ(stats->status, 200);
  json s = json::parse(stats->body);
  for (const char* k : {"memory_tier_bytes", "applied_offset", "block_cache_capacity_bytes", "assertions"}) {
    EXPECT_TRUE(s.contains(k)) << k;
  }
  EXPECT_EQ(s["assertions"], 1);

  const std::string agent = core::IdHex(Agent(1).public_key());
  EXPECT_EQ(c->Request("PUT", "/v1/admin/agents/" + agent + "/trust", R"({"score":0.9})", key)->status, 200);
  json a = json::parse(c->Get("/v1/agents/" + agent)->body);
  EXPECT_EQ(a["trust"], 0.9);
  EXPECT_EQ(a["trust_overridden"], true);
  EXPECT_EQ(c->Request("PUT", "/v1/admin/agents/" + agent + "/trust", R"({"score":1.5})", key)->status, 422);
  EXPECT_EQ(c->Request("DELETE", "/v1/admin/agents/" + agent + "/trust", "", key)->status, 200);
  EXPECT_EQ(json::parse(c->Get("/v1/agents/" + agent)->body)["trust_overridden"], false);

  const std::string cp = dir.Sub("checkpoint");
  auto made = c->Post("/v1/admin/checkpoint", json{{"dir", cp}}.dump(), key);
  ASSERT_EQ(made->status, 201) << made->body;
  json info = json::parse(made->body);
  EXPECT_EQ(info["assertions_count"], 1);
  EXPECT_TRUE(std::filesystem::exists(cp + "/checkpoint.json"));
  EXPECT_TRUE(std::filesystem::exists(cp + "/rocksdb/CURRENT"));
  // The WAL range on top of the RocksDB checkpoint: from the segment holding its last applied
  // record (the trust overrides, in segment 2 after the rotation) to the last sealed one.
  ASSERT_FALSE(info["segments"].empty());
  EXPECT_EQ(info["segments"][0]["name"], "segment.002.wal");
  for (const auto& seg : info["segments"]) EXPECT_TRUE(std::filesystem::exists(cp + "/wal/" + seg["name"].get<std::string>()));
  EXPECT_EQ(c->Post("/v1/admin/checkpoint", json{{"dir", cp}}.dump(), key)->status, 409);
  EXPECT_EQ(c->Post("/v1/admin/checkpoint", R"({"dir":"relative/path"})", key)->status, 422);
  EXPECT_EQ(c->Post("/v1/admin/checkpoint", R"({"path":"/x"})", key)->status, 400);
}

TEST(AdminTest, CheckpointRestoresToTheSameData) {
  TempDir dir;
  std::vector<std::string> ids;
  {
    Daemon d({.args = {"--rate-limit-enabled", "false"}});
    auto c = d.Connect();
    for (int i = 0; i < 20; ++i) ids.push_back(json::parse(c->Post("/v1/assert", AssertionBody("cp", std::to_string(i)))->body)["id"]);
    auto made = c->Post("/v1/admin/checkpoint", json{{"dir", dir.Sub("cp")}}.dump(), {{"X-API-Key", d.RootKey()}});
    ASSERT_EQ(made->status, 201) << made->body;
  }
  // A restore is the checkpoint's directories as the data dir.
  std::filesystem::create_directories(dir.Sub("restored"));
  std::filesystem::rename(dir.Sub("cp/rocksdb"), dir.Sub("restored/rocksdb"));
  std::filesystem::rename(dir.Sub("cp/wal"), dir.Sub("restored/wal"));
  Daemon d({.data_dir = dir.Sub("restored")});
  auto c = d.Connect();
  for (const auto& id : ids) EXPECT_EQ(c->Get("/v1/assertions/" + id)->status, 200) << id;
  EXPECT_EQ(json::parse(c->Get("/v1/health")->body)["assertions_count"], 20);
  EXPECT_EQ(c->Post("/v1/assert", AssertionBody("cp", "after-restore"))->status, 201);
}

TEST(TlsTest, ServesHttpsWithAThrowawayCertificate) {
  ASSERT_TRUE(HaveProgram("openssl") && HaveProgram("curl")) << "run scripts/setup.sh";
  TempDir dir;
  auto gen = RunProcess({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                         "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout",
                         dir.Sub("key.pem"), "-out", dir.Sub("cert.pem")});
  ASSERT_EQ(gen.exit_code, 0) << gen.out;
  Daemon d({.args = {"--tls-cert-file", dir.Sub("cert.pem"), "--tls-key-file", dir.Sub("key.pem")},
            .wait_ready = false});
  const std::string url = "https://127.0.0.1:" + std::to_string(d.port());
  ProcessResult health;
  for (int i = 0; i < 100; ++i) {
    health = RunProcess({"curl", "-sS", "--cacert", dir.Sub("cert.pem"), url + "/v1/ready"});
    if (health.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(health.exit_code, 0) << health.out;
  EXPECT_NE(health.out.find("\"ready\""), std::string::npos) << health.out;
  auto write = RunProcess({"curl", "-sS", "--cacert", dir.Sub("cert.pem"), "-H", "Content-Type: application/json",
                           "-d", AssertionBody("tls", "secure"), "-w", "%{http_code}", url + "/v1/assert"});
  EXPECT_NE(write.out.find("201"), std::string::npos) << write.out;
  // Plain HTTP to a TLS port gets no HTTP answer.
  auto plain = d.Connect()->Get("/v1/health");
  EXPECT_FALSE(plain.ok() && plain->status == 200);
}

}  // namespace
}  // namespace stemedb::testing

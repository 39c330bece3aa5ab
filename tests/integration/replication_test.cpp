// Streaming replication (docs/replication.md; issue 14): a real primary and real standbys on
// loopback. A standby's WAL is a byte-for-byte prefix of its primary's record stream, every
// acknowledged write is readable on the standby with its causal token (min_position), writes
// on a standby are refused naming the primary, and synchronous commit waits for a standby.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/daemon.h"
#include "support/fault_proxy.h"
#include "support/ops_scripts.h"
#include "support/process.h"
#include "support/records.h"
#include "support/runbook.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

#ifdef STEMEDB_SANITIZER_PROBE_BINARY
constexpr int kWritesPerWriter = 50;
constexpr int kKillRounds = 3;
#else
constexpr int kWritesPerWriter = 250;  // 2,000 in all
constexpr int kKillRounds = 20;
#endif
constexpr int kWriters = 8;

DaemonOptions StandbyOf(const Daemon& primary, const std::string& name, std::vector<std::string> env = {},
                        const std::string& data_dir = "", const std::string& via_url = "") {
  DaemonOptions o;
  o.args = UnlimitedArgs();
  o.data_dir = data_dir;
  o.env = {"STEMEDB_REPLICATION_ROLE=standby",
           "STEMEDB_REPLICATION_PRIMARY_URL=" + (via_url.empty() ? primary.url() : via_url),
           "STEMEDB_REPLICATION_API_KEY=" + primary.RootKey(), "STEMEDB_REPLICATION_NAME=" + name,
           // A causal read waits up to 5 s (the default is 1 s): a sanitizer build on a slow CI
           // machine may lag that far, and a miss here would be the machine, not the promise.
           "STEMEDB_REPLICATION_CAUSAL_WAIT_MS=5000"};
  for (auto& e : env) o.env.push_back(std::move(e));
  return o;
}

// The record bytes of a node's WAL, segment headers left out, in offset order: what two nodes
// must agree on, byte for byte, up to the shorter one's end.
std::string WalRecordBytes(const std::string& data_dir) {
  std::vector<fs::path> segments;
  for (const auto& e : fs::directory_iterator(data_dir + "/wal")) {
    const std::string n = e.path().filename().string();
    if (n.rfind("segment.", 0) == 0 && n.size() > 4 && n.substr(n.size() - 4) == ".wal") segments.push_back(e.path());
  }
  std::sort(segments.begin(), segments.end());
  std::string bytes;
  for (const auto& p : segments) {
    std::ifstream in(p, std::ios::binary);
    std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (file.size() > 40) bytes.append(file, 40, std::string::npos);
  }
  return bytes;
}

json Replication(const Daemon& d) {
  auto c = d.Connect();
  JsonReply r = GetJson(*c, "/v1/admin/replication", AdminHeaders(d));
  EXPECT_EQ(r.status, 200) << r.response.body;
  return r.body;
}

// Waits until the standby has applied everything the primary holds durably.
void WaitCaughtUp(const Daemon& primary, const Daemon& standby, std::chrono::seconds timeout = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const uint64_t flushed = Replication(primary)["flushed"];
    const json s = Replication(standby);
    if (s["applied"] == flushed && s["flushed"] == flushed) return;
    if (std::chrono::steady_clock::now() > deadline) {
      FAIL() << "standby not caught up: primary at " << flushed << ", standby " << s.dump();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// The digest of a node's record stream at `offset` (GET /v1/admin/replication/digest).
std::string DigestAt(const Daemon& d, uint64_t offset, uint64_t from = 0) {
  auto c = d.Connect();
  JsonReply r = GetJson(*c, "/v1/admin/replication/digest?offset=" + std::to_string(offset) + "&from=" + std::to_string(from),
                        AdminHeaders(d));
  EXPECT_EQ(r.status, 200) << r.response.body;
  return r.status == 200 ? r.body["sha256"].get<std::string>() : "";
}

// After a fault: the standby caught up, its WAL the primary's byte for byte, the digests equal.
void ExpectSameRecords(const Daemon& primary, const Daemon& standby) {
  WaitCaughtUp(primary, standby);
  EXPECT_EQ(WalRecordBytes(standby.data_dir()), WalRecordBytes(primary.data_dir()));
  const uint64_t flushed = Replication(primary)["flushed"];
  EXPECT_EQ(DigestAt(standby, flushed), DigestAt(primary, flushed));
}

struct Written {
  std::string id;
  uint64_t position;
};

// kWriters threads post kWritesPerWriter claims each to the primary; every answer carries a
// position. Returns them all.
std::vector<Written> WriteLoad(const Daemon& primary, const std::string& tag, std::atomic<bool>* stop = nullptr,
                               int writers_count = kWriters, int writes_per_writer = kWritesPerWriter) {
  std::mutex mu;
  std::vector<Written> all;
  std::vector<std::thread> writers;
  for (int t = 0; t < writers_count; ++t) {
    writers.emplace_back([&, t] {
      Api api(primary);
      for (int i = 0; i < writes_per_writer && !(stop && stop->load()); ++i) {
        const std::string subject = "repl/" + tag + "/" + std::to_string(t) + "/" + std::to_string(i % 5);
        JsonReply w = api.Post("/v1/assert", core::ToJson(SignedAssertion({.subject = subject, .predicate = "p",
                                                                           .text = tag + std::to_string(i),
                                                                           .timestamp = 1700000000 + i},
                                                                          {1 + t % 4}))
                                                 .dump());
        ASSERT_EQ(w.status, 201) << w.response.body;
        ASSERT_TRUE(w.body.contains("position")) << w.response.body;
        std::lock_guard lock(mu);
        all.push_back({w.body["id"], w.body["position"]});
      }
    });
  }
  for (auto& w : writers) w.join();
  return all;
}

TEST(ReplicationTest, StandbyHoldsThePrimarysRecordsAndServesCausalReads) {
  Daemon primary({.args = UnlimitedArgs()});
  Daemon standby(StandbyOf(primary, "s1"));
  const std::vector<Written> written = WriteLoad(primary, "a");
  ASSERT_EQ(written.size(), static_cast<size_t>(kWriters * kWritesPerWriter));

  // Each acknowledged write, read on the standby with its causal token: 200, never a miss.
  auto sc = standby.Connect();
  size_t behind = 0;
  for (const Written& w : written) {
    JsonReply r = GetJson(*sc, "/v1/assertions/" + w.id + "?min_position=" + std::to_string(w.position));
    if (r.status == 503 && r.body["error"]["code"] == "replica_behind") {
      ++behind;
      continue;
    }
    EXPECT_EQ(r.status, 200) << w.id << " at " << w.position << ": " << r.response.body;
  }
  EXPECT_EQ(behind, 0u);

  WaitCaughtUp(primary, standby);
  const json p = Replication(primary);
  const json s = Replication(standby);
  EXPECT_EQ(p["last_seq"], s["last_seq"]);
  ASSERT_EQ(p["standbys"].size(), 1u) << p.dump();
  EXPECT_EQ(p["standbys"][0]["name"], "s1");
  EXPECT_EQ(p["standbys"][0]["connected"], true);
  EXPECT_EQ(s["standby"]["primary"], primary.url());
  const std::string primary_wal = WalRecordBytes(primary.data_dir());
  EXPECT_EQ(WalRecordBytes(standby.data_dir()), primary_wal) << "the standby's WAL is not the primary's";
  const uint64_t flushed = p["flushed"];
  const std::string digest = DigestAt(primary, flushed);
  EXPECT_EQ(digest.size(), 64u);
  EXPECT_EQ(DigestAt(standby, flushed), digest);
  EXPECT_NE(DigestAt(primary, written[0].position), digest);

  // The same winner through a lens on both nodes (the id and the stored fields; the recency
  // lens's effective confidence decays with the time of the query, so it is not compared).
  auto pc = primary.Connect();
  const std::string query = Target("/v1/query", {{"subject", "repl/a/3/2"}, {"predicate", "p"}});
  json on_standby = GetJson(*sc, query).body["winner"], on_primary = GetJson(*pc, query).body["winner"];
  ASSERT_TRUE(on_primary.is_object());
  on_standby.erase("effective_confidence");
  on_primary.erase("effective_confidence");
  EXPECT_EQ(on_standby, on_primary);

  // Writes on the standby: 503 not_primary naming the primary; nothing written.
  JsonReply refused = PostJson(*sc, "/v1/assert", core::ToJson(SignedAssertion({.subject = "repl/x", .predicate = "p"})));
  ExpectApiError(refused, 503, "not_primary");
  EXPECT_EQ(refused.body["error"]["primary"], primary.url());
  EXPECT_EQ(GetJson(*pc, "/v1/role").status, 200);
  EXPECT_EQ(GetJson(*sc, "/v1/role").status, 503);
  EXPECT_EQ(GetJson(*sc, "/v1/replica").status, 200);
  EXPECT_EQ(GetJson(*pc, "/v1/replica").status, 503);
  EXPECT_EQ(ReadMetric(*pc, "stemedb_replication_standbys_connected"), 1);
  EXPECT_EQ(ReadMetric(*sc, "stemedb_replication_role{role=\"standby\"}"), 1);

  // The CLI and the Python client follow not_primary once, to the primary.
  ProcessResult node = RunProcess({STEMEDB_CLI_BINARY, "--server", standby.url(), "--api-key", standby.RootKey(),
                                   "node", "--json"});
  EXPECT_EQ(node.exit_code, 0) << node.out;
  EXPECT_EQ(json::parse(node.out, nullptr, false)["replication"]["role"], "standby") << node.out;
  const json followed_body = core::ToJson(SignedAssertion({.subject = "repl/python", .predicate = "p"}));
  ProcessResult py = RunProcess(
      {"python3", "-c",
       "import json, sys; sys.path.insert(0, sys.argv[1]); import stemedb_client as c; "
       "r = c.post_assertion(sys.argv[2], json.loads(sys.argv[3])); print(r.status)",
       std::string(STEMEDB_SOURCE_DIR) + "/tests/clients/python", standby.url(), followed_body.dump()});
  EXPECT_EQ(py.exit_code, 0) << py.out;
  EXPECT_NE(py.out.find("201"), std::string::npos) << py.out;

  // A read asking for a position nobody has reached: 503 replica_behind with Retry-After.
  JsonReply ahead = GetJson(*sc, "/v1/assertions/" + written[0].id + "?min_position=" + std::to_string(1ull << 40));
  ExpectApiError(ahead, 503, "replica_behind", "min_position");
  EXPECT_EQ(ahead.response.Header("retry-after"), "1");
}

TEST(ReplicationTest, KilledStandbyResumesFromItsOwnFlushedOffset) {
  Daemon primary({.args = UnlimitedArgs()});
  TempDir standby_dir;
  std::atomic<bool> stop{false};
  std::thread load([&] {
    for (int pass = 0; !stop.load(); ++pass) WriteLoad(primary, "k" + std::to_string(pass), &stop);
  });
  for (int round = 0; round < kKillRounds; ++round) {
    Daemon standby(StandbyOf(primary, "s1", {}, standby_dir.Sub("data")));
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + 37 * round));
    standby.Kill();
  }
  stop.store(true);
  load.join();
  Daemon standby(StandbyOf(primary, "s1", {}, standby_dir.Sub("data")));
  WaitCaughtUp(primary, standby);
  EXPECT_EQ(WalRecordBytes(standby.data_dir()), WalRecordBytes(primary.data_dir()));
  EXPECT_EQ(Replication(standby)["last_seq"], Replication(primary)["last_seq"]);
}

TEST(ReplicationTest, SynchronousCommitWaitsForAStandby) {
  Daemon primary({.args = UnlimitedArgs(),
                  .env = {"STEMEDB_REPLICATION_SYNCHRONOUS_STANDBYS=1", "STEMEDB_REPLICATION_SYNC_TIMEOUT_MS=2000"}});
  auto pc = primary.Connect();
  // No standby: durable here, not acknowledged; the answer names the id so a retry is safe.
  const core::Assertion first = SignedAssertion({.subject = "sync/a", .predicate = "p", .text = "1"});
  JsonReply lone = PostJson(*pc, "/v1/assert", core::ToJson(first));
  ExpectApiError(lone, 503, "replication_timeout");
  EXPECT_NE(lone.body["error"]["message"].get<std::string>().find(core::IdHex(core::ContentId(first))),
            std::string::npos);

  Daemon standby(StandbyOf(primary, "s1"));
  WaitCaughtUp(primary, standby);
  JsonReply w = PostJson(*pc, "/v1/assert", core::ToJson(SignedAssertion({.subject = "sync/a", .predicate = "p", .text = "2"})));
  ASSERT_EQ(w.status, 201) << w.response.body;
  // Acknowledged means on the standby's disk already.
  EXPECT_GE(Replication(standby)["flushed"].get<uint64_t>(), w.body["position"].get<uint64_t>());
  // The retried first write: stored already, answered as such once the standby has it.
  JsonReply retried = PostJson(*pc, "/v1/assert", core::ToJson(first));
  EXPECT_EQ(retried.status, 200) << retried.response.body;
}

TEST(ReplicationTest, StandbyRefusesToStreamWhenItIsAheadOfThePrimary) {
  TempDir standby_dir;
  {
    Daemon old_primary({.args = UnlimitedArgs()});
    Daemon standby(StandbyOf(old_primary, "s1", {}, standby_dir.Sub("data")));
    WriteLoad(old_primary, "old");
    WaitCaughtUp(old_primary, standby);
  }
  // A primary with less history (as if restored from an older backup): the standby refuses.
  Daemon primary({.args = UnlimitedArgs()});
  Daemon standby(StandbyOf(primary, "s1", {}, standby_dir.Sub("data")));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    last_error = Replication(standby)["standby"]["last_error"];
    if (last_error.find("standby_ahead") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(last_error.find("standby_ahead"), std::string::npos) << last_error;
  EXPECT_NE(last_error.find("the primary's at offset 0"), std::string::npos) << last_error;
  EXPECT_EQ(GetJson(*standby.Connect(), "/v1/replica").status, 503);
}

}  // namespace
}  // namespace stemedb::testing

namespace stemedb::testing {
namespace {

// Writes until told to stop, each pass under fresh subjects.
class BackgroundLoad {
 public:
  explicit BackgroundLoad(const Daemon& primary) : thread_([this, &primary] {
    for (int pass = 0; !stop_.load(); ++pass) WriteLoad(primary, "bg" + std::to_string(pass), &stop_);
  }) {}
  ~BackgroundLoad() { Stop(); }
  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(ReplicationTest, CutStalledOrDamagedStreamsNeverCorruptTheStandby) {
  Daemon primary({.args = UnlimitedArgs()});
  FaultProxy proxy(primary.port());
  Daemon standby(StandbyOf(primary, "s1", {}, "", proxy.url()));
  {
    BackgroundLoad load(primary);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    proxy.CutAll();
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    proxy.CutAll();
    // Longer than the standby's read timeout (5 s): it gives the stream up and reconnects.
    proxy.Stall(std::chrono::milliseconds(6500));
    std::this_thread::sleep_for(std::chrono::milliseconds(7000));
    for (int flip = 1; flip <= 3; ++flip) {
      proxy.FlipDownstreamByte(30000);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (proxy.flipped() < static_cast<uint64_t>(flip) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      EXPECT_EQ(proxy.flipped(), static_cast<uint64_t>(flip));
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  }
  ExpectSameRecords(primary, standby);
  EXPECT_GE(ReadMetric(*standby.Connect(), "stemedb_replication_reconnects_total"), 3);
}

TEST(ReplicationTest, StandbyReconnectsToARestartedPrimary) {
  TempDir primary_dir;
  auto primary = std::make_unique<Daemon>(DaemonOptions{.args = UnlimitedArgs(), .data_dir = primary_dir.Sub("data")});
  FaultProxy proxy(primary->port());
  Daemon standby(StandbyOf(*primary, "s1", {}, "", proxy.url()));
  WriteLoad(*primary, "before");
  WaitCaughtUp(*primary, standby);
  primary.reset();  // SIGTERM; the standby loses its stream and retries with backoff
  primary = std::make_unique<Daemon>(DaemonOptions{.args = UnlimitedArgs(), .data_dir = primary_dir.Sub("data")});
  proxy.SetTarget(primary->port());
  WriteLoad(*primary, "after");
  ExpectSameRecords(*primary, standby);
  EXPECT_GE(ReadMetric(*standby.Connect(), "stemedb_replication_reconnects_total"), 1);
}

TEST(ReplicationTest, FsyncFailureStopsTheStandbyNotThePrimary) {
  ASSERT_TRUE(HaveProgram("fiu-run") && HaveProgram("fiu-ctrl")) << "run scripts/setup.sh (fiu-utils)";
  Daemon primary({.args = UnlimitedArgs()});
  Daemon standby(UnderLibfiu(StandbyOf(primary, "s1")));
  WriteLoad(primary, "before");
  WaitCaughtUp(primary, standby);
  ProcessResult ctrl = RunProcess({"fiu-ctrl", "-c", "enable name=posix/io/sync/fdatasync", std::to_string(standby.pid())});
  ASSERT_EQ(ctrl.exit_code, 0) << ctrl.out;
  WriteLoad(primary, "after");  // every write acknowledged: the primary is asynchronous
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  json s;
  while (std::chrono::steady_clock::now() < deadline) {
    s = Replication(standby);
    if (s["standby"]["stopped_by_journal_failure"] == true) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(s["standby"]["stopped_by_journal_failure"], true) << s.dump();
  EXPECT_EQ(GetJson(*standby.Connect(), "/v1/replica").status, 503);
  EXPECT_EQ(ReadMetric(*standby.Connect(), "stemedb_wal_state"), 0);
  EXPECT_EQ(GetJson(*primary.Connect(), "/v1/role").status, 200);
  EXPECT_NE(standby.Log().find("stops streaming until restarted"), std::string::npos);
}

}  // namespace
}  // namespace stemedb::testing

namespace stemedb::testing {
namespace {

TEST(ReplicationTest, StandbyClonedFromACheckpointStreamsFromItsOffset) {
  // 1 MiB segments, so the log spans several and a checkpoint needs only the later ones.
  std::vector<std::string> args = UnlimitedArgs();
  for (const char* a : {"--wal-segment-size-mb", "1", "--server-max-body-bytes", "65536"}) args.push_back(a);
  Daemon primary({.args = args});
  // 6,400 claims of about 250 bytes: two segments at least, in every build.
  WriteLoad(primary, "early-a", nullptr, kWriters, 400);
  WriteLoad(primary, "early-b", nullptr, kWriters, 400);
  {
    // A drain persists the store: the checkpoint's applied offset is then well into the log.
    auto c = primary.Connect();
    ASSERT_EQ(PostJson(*c, "/v1/admin/node/drain", json::object(), AdminHeaders(primary)).status, 200);
    ASSERT_EQ(PostJson(*c, "/v1/admin/node/undrain", json::object(), AdminHeaders(primary)).status, 200);
  }
  TempDir dir;
  ProcessResult clone;
  {
    BackgroundLoad load(primary);  // a live primary: writes go on through the clone
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    clone = RunScript("standby-clone.sh", {"--url", primary.url(), "--checkpoint-dir", dir.Sub("checkpoints"),
                                           "--data-dir", dir.Sub("standby")},
                      {"STEMEDB_API_KEY=" + primary.RootKey()});
  }
  ASSERT_EQ(clone.exit_code, 0) << clone.out;
  const json cloned = json::parse(clone.out.substr(clone.out.rfind('{')), nullptr, false);
  ASSERT_TRUE(cloned.is_object()) << clone.out;
  const uint64_t from = cloned["wal_to_offset"];
  EXPECT_GT(from, 0u);

  Daemon standby(StandbyOf(primary, "clone", {}, dir.Sub("standby")));
  WaitCaughtUp(primary, standby);
  EXPECT_NE(standby.Log().find("streaming from " + primary.url() + " at offset " + std::to_string(from)),
            std::string::npos)
      << standby.Log();
  // The clone's WAL holds the primary's records from its first segment on, byte for byte.
  const std::string p = WalRecordBytes(primary.data_dir());
  const std::string s = WalRecordBytes(standby.data_dir());
  ASSERT_LE(s.size(), p.size());
  const uint64_t first = p.size() - s.size();
  EXPECT_GT(first, 0u) << "the clone holds the whole log: the test proves nothing about a later start";
  EXPECT_EQ(p.substr(first), s);
  const uint64_t flushed = Replication(primary)["flushed"];
  EXPECT_EQ(DigestAt(standby, flushed, first), DigestAt(primary, flushed, first));
  // No digest from offset 0 where the WAL starts later: 422 naming the first offset.
  JsonReply no_digest = GetJson(*standby.Connect(), "/v1/admin/replication/digest", AdminHeaders(standby));
  ExpectApiError(no_digest, 422, "invalid_offset", "offset");

  // A node whose WAL no longer starts at 0 (the clone, now run as a primary) refuses an empty
  // standby, naming the first offset it has and the fix.
  standby.Stop();
  Daemon clone_primary({.args = UnlimitedArgs(), .data_dir = dir.Sub("standby")});
  Daemon empty(StandbyOf(clone_primary, "empty"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline && last_error.find("wal_unavailable") == std::string::npos) {
    last_error = Replication(empty)["standby"]["last_error"];
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(last_error.find("wal_unavailable"), std::string::npos) << last_error;
  EXPECT_NE(last_error.find("starts at offset " + std::to_string(first)), std::string::npos) << last_error;
  EXPECT_NE(last_error.find("standby-clone.sh"), std::string::npos) << last_error;
}

#ifdef STEMEDB_SANITIZER_PROBE_BINARY
constexpr int kWritesPerWriterAtScale = 16;
#else
constexpr int kWritesPerWriterAtScale = 1563;  // 64 writers: 100,032 assertions
#endif

// Issue 14's "done when": a primary and two standbys on loopback, 64 writers, 100,000
// assertions; each standby ends with the primary's digest, and every acknowledged write is
// readable on each standby with its causal token.
TEST(ReplicationTest, TwoStandbysHoldEveryAcknowledgedWriteOfSixtyFourWriters) {
  Daemon primary({.args = UnlimitedArgs()});
  Daemon s1(StandbyOf(primary, "s1"));
  Daemon s2(StandbyOf(primary, "s2"));
  const std::vector<Written> written = WriteLoad(primary, "scale", nullptr, 64, kWritesPerWriterAtScale);
  ASSERT_EQ(written.size(), static_cast<size_t>(64 * kWritesPerWriterAtScale));
  for (const Daemon* standby : {&s1, &s2}) {
    std::atomic<size_t> misses{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 8; ++r) {
      readers.emplace_back([&, r] {
        auto c = standby->Connect();
        for (size_t i = r; i < written.size(); i += 8) {
          auto got = c->Get("/v1/assertions/" + written[i].id + "?min_position=" + std::to_string(written[i].position));
          if (!got.ok() || got->status != 200) misses.fetch_add(1);
        }
      });
    }
    for (auto& t : readers) t.join();
    EXPECT_EQ(misses.load(), 0u);
    WaitCaughtUp(primary, *standby);
  }
  const uint64_t flushed = Replication(primary)["flushed"];
  const std::string digest = DigestAt(primary, flushed);
  EXPECT_EQ(DigestAt(s1, flushed), digest);
  EXPECT_EQ(DigestAt(s2, flushed), digest);
  EXPECT_EQ(Replication(primary)["standbys"].size(), 2u);
}

}  // namespace
}  // namespace stemedb::testing

namespace stemedb::testing {
namespace {

// failover-to-replica.md's manual promotion: the old primary stops, a standby restarts with
// role primary and takes writes from its own WAL end, the other standby follows the new one.
TEST(ReplicationTest, StandbyPromotedByHandTakesWritesAndTheOtherStandbyFollowsIt) {
  TempDir dir;
  auto primary = std::make_unique<Daemon>(DaemonOptions{.args = UnlimitedArgs()});
  auto a = std::make_unique<Daemon>(StandbyOf(*primary, "a", {}, dir.Sub("a")));
  auto b = std::make_unique<Daemon>(StandbyOf(*primary, "b", {}, dir.Sub("b")));
  WriteLoad(*primary, "before");
  WaitCaughtUp(*primary, *a);
  WaitCaughtUp(*primary, *b);
  const json before = Replication(*primary);
  primary->Kill();
  a.reset();
  b.reset();

  Daemon promoted({.args = UnlimitedArgs(), .data_dir = dir.Sub("a")});
  EXPECT_EQ(GetJson(*promoted.Connect(), "/v1/role").status, 200);
  EXPECT_EQ(Replication(promoted)["last_seq"], before["last_seq"]);
  Daemon follower(StandbyOf(promoted, "b", {}, dir.Sub("b")));
  const std::vector<Written> after = WriteLoad(promoted, "after");
  ASSERT_FALSE(after.empty());
  EXPECT_GT(after.front().position, before["flushed"].get<uint64_t>() - 1);
  ExpectSameRecords(promoted, follower);
  auto fc = follower.Connect();
  EXPECT_EQ(GetJson(*fc, "/v1/assertions/" + after.back().id + "?min_position=" + std::to_string(after.back().position)).status,
            200);
}

}  // namespace
}  // namespace stemedb::testing

// The disaster-recovery drill of scripts/dr-drill.sh against a live daemon taking writes, and
// the failover path of docs/operations/runbooks/failover-to-replica.md (the newest backup plus
// the archived WAL). After each, a daemon started on the restored directory is asked for every
// acknowledged write.

#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/record_json.h"
#include "support/daemon.h"
#include "support/ops_scripts.h"
#include "support/records.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// A small data set of every kind: assertions, votes on them, two epochs (one superseding).
struct Seeded {
  std::vector<std::string> assertion_ids;
  int votes = 0;
  int epochs = 0;
};

Seeded SeedData(const Daemon& d) {
  Seeded s;
  auto c = d.Connect();
  for (int i = 0; i < 40; ++i) s.assertion_ids.push_back(PostAssertion(*c, "drill/seed/" + std::to_string(i % 8), std::to_string(i)));
  for (int i = 0; i < 10; ++i) {
    auto id = core::HexDecodeArray<32>(s.assertion_ids[i]);
    auto r = c->Post("/v1/vote", core::ToJson(SignedVote(*id, 2, i % 2 ? 1.0 : -0.5)).dump());
    EXPECT_TRUE(r.ok() && r->status == 201) << (r.ok() ? r->body : "");
    ++s.votes;
  }
  core::Epoch first = SignedEpoch("drill-2024");
  EXPECT_EQ(c->Post("/v1/epoch", core::ToJson(first).dump())->status, 201);
  EXPECT_EQ(c->Post("/v1/epoch", core::ToJson(SignedEpoch("drill-2025", core::ContentId(first))).dump())->status, 201);
  s.epochs = 2;
  return s;
}

int StatusOf(client::HttpConnection& c, const std::string& id) {
  auto r = c.Get("/v1/assertions/" + id);
  return r.ok() ? r->status : -1;
}

TEST(DrDrillTest, WholeDrillWhileWritesContinue) {
  TempDir dir;
  const std::string scratch = dir.Sub("scratch");
  Daemon d({.args = {"--rate-limit-enabled", "false"}});
  const Seeded seeded = SeedData(d);

  BackgroundWriters writers(d, 2, "drill/live");
  ASSERT_TRUE(writers.WaitForAcks(20));
  const Clock::time_point drill_started = Clock::now();
  ProcessResult drill = RunScript("dr-drill.sh", {"--scratch-dir", scratch, "--url", d.url(), "--api-key-file",
                                                  d.data_dir() + "/root.key", "--checkpoint-dir",
                                                  dir.Sub("checkpoints"), "--keep"});
  const Clock::time_point drill_ended = Clock::now();
  writers.Stop();
  KillPidFile(scratch + "/daemon.pid");
  ASSERT_EQ(drill.exit_code, 0) << drill.out;
  EXPECT_NE(drill.out.find("RESULT: PASS"), std::string::npos) << drill.out;
  for (const char* step : {"backup", "verify", "wipe", "restore", "start", "counts", "ids"}) {
    EXPECT_NE(drill.out.find("  " + std::string(step) + std::string(8 - std::strlen(step), ' ') + " PASS"), std::string::npos)
        << step << "\n" << drill.out;
  }
  EXPECT_EQ(writers.failures(), 0);

  const std::vector<AckedWrite> acked = writers.acked();
  size_t during = 0;
  for (const auto& w : acked) during += w.acked_at > drill_started && w.acked_at < drill_ended;
  EXPECT_GT(during, 0u) << "the writers must keep writing while the drill runs";

  const json meta = json::parse(ReadFile(scratch + "/data/restored-from.json"));
  const uint64_t to_seq = meta["wal"]["to_seq"];
  Daemon restored({.args = {"--rate-limit-enabled", "false"}, .data_dir = scratch + "/data"});
  auto c = restored.Connect();
  for (const auto& id : seeded.assertion_ids) EXPECT_EQ(StatusOf(*c, id), 200) << id;
  size_t in_backup = 0;
  for (const auto& w : acked) {
    // Acknowledged before the drill asked for the checkpoint: in the backup, and so within its
    // WAL range. Everything in the range is restored; nothing after it is.
    if (w.acked_at < drill_started) {
      EXPECT_LE(w.seq, to_seq) << w.id;
    }
    EXPECT_EQ(StatusOf(*c, w.id), w.seq <= to_seq ? 200 : 404) << w.id << " seq " << w.seq << " to_seq " << to_seq;
    in_backup += w.seq <= to_seq;
  }
  // The counts in metadata.json describe exactly the backup's WAL range.
  EXPECT_EQ(meta["counts"]["assertions"], seeded.assertion_ids.size() + in_backup);
  EXPECT_EQ(meta["counts"]["votes"], seeded.votes);
  EXPECT_EQ(meta["counts"]["epochs"], seeded.epochs);
  auto stats = c->Get("/v1/admin/storage/stats", {{"X-API-Key", ReadRootKey(scratch + "/data")}});
  ASSERT_EQ(stats->status, 200) << stats->body;
  const json s = json::parse(stats->body);
  for (const char* kind : {"assertions", "votes", "epochs", "sources"}) EXPECT_EQ(s[kind], meta["counts"][kind]) << kind;
  // The restored node takes writes.
  EXPECT_FALSE(PostAssertion(*c, "drill/after", "restore").empty());
}

TEST(DrDrillTest, WarmStandbyFromTheNewestBackupPlusTheArchivedWal) {
  TempDir dir;
  const std::string scratch = dir.Sub("scratch");
  const std::string backups = "file://" + dir.Sub("backups");
  const std::string wal_archive = "file://" + dir.Sub("wal-archive");
  Daemon d({.args = {"--rate-limit-enabled", "false"}});
  const std::string key_file = d.data_dir() + "/root.key";
  auto c = d.Connect();

  std::vector<std::string> before_backup, archived, not_archived;
  for (int i = 0; i < 20; ++i) before_backup.push_back(PostAssertion(*c, "standby/a", std::to_string(i)));
  ProcessResult backup = RunScript("backup.sh", {"--url", d.url(), "--api-key-file", key_file, "--checkpoint-dir",
                                                 dir.Sub("checkpoints"), "--target", backups});
  ASSERT_EQ(backup.exit_code, 0) << backup.out;
  for (int i = 0; i < 20; ++i) archived.push_back(PostAssertion(*c, "standby/b", std::to_string(i)));
  // The archiver seals the active segment first, so it ships every write acknowledged before it.
  ProcessResult archive = RunScript("wal-archive.sh", {"--target", wal_archive, "--wal-dir", d.data_dir() + "/wal",
                                                       "--url", d.url(), "--api-key-file", key_file});
  ASSERT_EQ(archive.exit_code, 0) << archive.out;
  for (int i = 0; i < 5; ++i) not_archived.push_back(PostAssertion(*c, "standby/c", std::to_string(i)));

  ProcessResult drill = RunScript("dr-drill.sh", {"--scratch-dir", scratch, "--url", d.url(), "--api-key-file", key_file,
                                                  "--from-latest", backups, "--wal-archive", wal_archive, "--keep"});
  KillPidFile(scratch + "/daemon.pid");
  ASSERT_EQ(drill.exit_code, 0) << drill.out;
  EXPECT_NE(drill.out.find("RESULT: PASS"), std::string::npos) << drill.out;

  Daemon standby({.data_dir = scratch + "/data"});
  auto s = standby.Connect();
  for (const auto& id : before_backup) EXPECT_EQ(StatusOf(*s, id), 200) << id;
  for (const auto& id : archived) EXPECT_EQ(StatusOf(*s, id), 200) << id;
  for (const auto& id : not_archived) EXPECT_EQ(StatusOf(*s, id), 404) << id;
  EXPECT_EQ(json::parse(s->Get("/v1/health")->body)["assertions_count"], before_backup.size() + archived.size());
}

}  // namespace
}  // namespace stemedb::testing

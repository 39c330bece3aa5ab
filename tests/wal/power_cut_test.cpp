// Power cuts through the Env seam (PowerCutEnv): at random points of a write workload (8
// writers, 1 KiB batches, 4 KiB segments so rotations are frequent, and now and then a disk so
// small that it fills up and is freed again), the machine stops. A reboot keeps only what was
// synced: the bytes of each file up to its last fdatasync/fsync and the directory entries up to
// each directory's last fsync; half the reboots also keep a random prefix of the unsynced bytes,
// as a disk that wrote part of them does; one restart in four is a process crash instead, which
// keeps everything written. Sometimes the power fails again during the recovery.
// Then recovery runs, and:
// - every acknowledged record is there, with its seq, offsets and body;
// - every record there is whole and one that a writer sent (nothing half there), the log ends
//   cleanly (no torn tail left past the cut, no corruption), and it takes appends again;
// - what a recovery found stays found: recovery syncs it, so later cuts cannot take it back.
//
// 100 cut points by default (the CI run, a few seconds); STEMEDB_POWER_CUT_POINTS=N runs more
// (docs/crash-testing.md reports 1,000), STEMEDB_POWER_CUT_SEED=S another sequence.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "stemedb/ground/power_cut_env.h"
#include "stemedb/wal/journal.h"
#include "stemedb/wal/verifier.h"
#include "support/campaign_size.h"
#include "support/metrics_text.h"
#include "wal/wal_test_helpers.h"

namespace stemedb::wal {
namespace {

constexpr const char* kDir = "/data/wal";
constexpr int kWriters = 8;
constexpr int kAcksPerWriter = 20;
constexpr int kPointsPerLog = 10;  // cuts on one log before starting a fresh one

struct Record {
  uint64_t end_offset = 0;
  uint64_t seq = 0;
  std::string body;
  bool acked = true;  // false: not acknowledged, found by a recovery (which synced it)
};

// What the writers of one log sent and were told.
struct Ledger {
  std::mutex mu;
  std::set<std::string> sent;
  std::map<uint64_t, Record> acked;  // by offset: durable by the journal's word
  uint64_t acked_total = 0;
  std::string history;  // what happened at each point of this log, for a failure's message
};

struct Stats {
  uint64_t points = 0;
  uint64_t cuts_after_workload = 0;  // the workload ended before its cut point
  uint64_t recovery_cuts = 0;
  uint64_t process_crashes = 0;  // restarts after a process crash instead of a power cut
  uint64_t disk_full_episodes = 0;
  uint64_t acked = 0;
  uint64_t unacked_whole = 0;  // records found that no writer was told about: whole, allowed
  uint64_t torn_bytes_cut = 0;
  std::map<std::string, uint64_t> cut_calls;  // "pwrite", "fdatasync", "rename", ...
};

JournalOptions Options(Env* env) {
  JournalOptions o = wal::testing::OptionsFor(kDir, env);
  o.segment_bytes = 4096;
  o.max_batch_bytes = 1024;
  o.disk_full_probe_interval_ms = 1;
  return o;
}

// The kind of call the cut met: "pwrite /data/wal/segment.002.wal" -> "pwrite".
std::string CallKind(const std::string& call) {
  if (call.rfind("fsync directory", 0) == 0) return "fsync directory";
  return call.substr(0, call.find(' '));
}

// Appends until kAcksPerWriter acks or a refusal other than a full disk (the power is off).
// On a full disk, the writer that meets it the `free_after`th time frees space.
void Write(Journal& journal, PowerCutEnv& env, Ledger& ledger, int point, int writer,
           std::atomic<int>& full_refusals, int free_after) {
  int acks = 0;
  for (int i = 0; acks < kAcksPerWriter; ++i) {
    std::string body = "point " + std::to_string(point) + " writer " + std::to_string(writer) +
                       " record " + std::to_string(i) + " " +
                       std::string(static_cast<size_t>(20 + (writer * 37 + i * 11) % 180), 'a' + writer);
    {
      std::lock_guard lock(ledger.mu);
      ledger.sent.insert(body);
    }
    wal::testing::AppendOutcome o = wal::testing::AppendOne(journal, body);
    if (o.status.ok()) {
      std::lock_guard lock(ledger.mu);
      ledger.acked[o.result.offsets[0]] = {o.result.end_offset, o.result.first_seq, body};
      ++ledger.acked_total;
      ++acks;
      continue;
    }
    // A full disk heals; a journal failed for good (the power is off) does not.
    if (o.status.code() != StatusCode::kDiskFull || journal.state() == JournalState::kFailed) return;
    if (full_refusals.fetch_add(1) + 1 == free_after) env.SetCapacityBytes(UINT64_MAX);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

// Recovery's view of the log, checked against the ledger; what it found becomes durable.
void CheckRecovered(Journal& journal, PowerCutEnv& env, Ledger& ledger, Stats& stats,
                    const std::string& where) {
  std::map<uint64_t, Record> present;
  Status replayed = journal.Replay(0, [&](const RecordView& v) {
    present[v.offset] = {v.end_offset, v.seq, std::string(v.body)};
    return Status::OK();
  });
  ASSERT_TRUE(replayed.ok()) << where << replayed.ToString();
  std::lock_guard lock(ledger.mu);
  for (const auto& [offset, ack] : ledger.acked) {
    auto it = present.find(offset);
    ASSERT_NE(it, present.end()) << where << "offset " << offset << " (seq " << ack.seq << "), "
                                 << (ack.acked ? "acknowledged" : "found by an earlier recovery")
                                 << ", is missing; this log's history:\n" << ledger.history;
    ASSERT_EQ(it->second.seq, ack.seq) << where << "offset " << offset;
    ASSERT_EQ(it->second.end_offset, ack.end_offset) << where << "offset " << offset;
    ASSERT_EQ(it->second.body, ack.body) << where << "offset " << offset;
  }
  for (auto& [offset, record] : present) {
    ASSERT_EQ(ledger.sent.count(record.body), 1u)
        << where << "offset " << offset << " holds a record no writer sent: " << record.body;
    auto known = ledger.acked.find(offset);
    record.acked = known != ledger.acked.end() && known->second.acked;
    if (known == ledger.acked.end()) ++stats.unacked_whole;
  }
  // Recovery synced the last segment: everything it found must survive every later cut.
  ledger.acked = std::move(present);
  auto report = VerifyDir(env, kDir);
  ASSERT_TRUE(report.ok()) << where << report.status().ToString();
  ASSERT_FALSE(report->corrupt()) << where << report->corruption->Describe("corrupt");
  ASSERT_FALSE(report->torn_tail.has_value()) << where << "a torn tail survived recovery";
}

// After the cut: a power cut (what was synced; half the time with a torn prefix of the rest),
// or one time in four a process crash (everything written stays, as after SIGKILL).
// Returns which.
const char* Restart(PowerCutEnv& env, std::mt19937_64& rng, Stats& stats) {
  switch (rng() % 4) {
    case 0:
      ++stats.process_crashes;
      env.RestartProcess();
      return "process crash";
    case 1:
      env.Reboot();
      return "power cut";
    default:
      env.Reboot(&rng);
      return "power cut, torn";
  }
}

// Opens the journal (recovery), with a second power cut during it now and then. The journal's
// metrics live in `registry`, which must outlive it.
std::unique_ptr<Journal> Recover(PowerCutEnv& env, std::mt19937_64& rng, Stats& stats,
                                 ops::Registry& registry, std::string& history) {
  if (rng() % 8 == 0) {
    env.CutPowerAtCall(1 + rng() % 12);
    {
      ops::Registry registry;
      auto cut_short = Journal::Open(Options(&env), registry);
    }
    if (env.power_off()) {
      ++stats.recovery_cuts;
      const bool torn = rng() % 2 == 0;
      history += "  recovery cut at '" + env.cut_call() + "', " + (torn ? "torn" : "not torn") + "\n";
      env.Reboot(torn ? &rng : nullptr);
    }
    env.CutPowerAtCall(0);
  }
  auto journal = Journal::Open(Options(&env), registry);
  EXPECT_TRUE(journal.ok()) << journal.status().ToString();
  if (!journal.ok()) return nullptr;
  stats.torn_bytes_cut += static_cast<uint64_t>(
      stemedb::testing::MetricSample(registry.Render(), "stemedb_wal_truncated_bytes_total")
          .value_or(0));
  return std::move(journal).value();
}

// One workload on an opened journal, with the power cut at its cut_at-th changing call (0: at
// its end); returns the changing calls it made when it ended before the cut (else 0).
uint64_t RunWorkload(std::unique_ptr<Journal> journal, PowerCutEnv& env, Ledger& ledger, int point,
                 uint64_t cut_at, bool small_disk, std::mt19937_64& rng, Stats& stats) {
  std::atomic<int> full_refusals{0};
  const int free_after = 1 + static_cast<int>(rng() % 20);
  if (small_disk) env.SetCapacityBytes(env.used_bytes() + 1000 + rng() % 16000);
  env.CutPowerAtCall(cut_at);
  const uint64_t calls_before = env.changing_calls();
  journal->Start();
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      Write(*journal, env, ledger, point, w, full_refusals, free_after);
    });
  }
  for (auto& t : writers) t.join();
  if (full_refusals.load() > 0) ++stats.disk_full_episodes;
  uint64_t calls = 0;
  if (!env.power_off()) {
    ++stats.cuts_after_workload;
    calls = env.changing_calls() - calls_before;
    env.CutPowerNow();
  }
  journal.reset();  // the dead process's files and lock are gone
  env.SetCapacityBytes(UINT64_MAX);
  return calls;
}

TEST(WalPowerCutTest, EveryAcknowledgedRecordSurvivesAPowerCutAndNothingIsHalfThere) {
  // Every cut fails the journal with a logged error; the assertions say what matters.
  wal::testing::LogCapture quiet;
  const uint64_t points = stemedb::testing::CampaignSize("STEMEDB_POWER_CUT_POINTS", 100);
  const uint64_t seed = stemedb::testing::CampaignSize("STEMEDB_POWER_CUT_SEED", 20260112);
  std::mt19937_64 rng(seed);
  // How many changing calls a workload makes varies with how the writers' appends group into
  // batches; the cut point is drawn below the fewest seen so far, so it lands inside the
  // workload (a workload that ends first is cut right after its last call).
  uint64_t calls = UINT64_MAX;
  const auto started = std::chrono::steady_clock::now();
  Stats stats;
  std::unique_ptr<PowerCutEnv> env;
  std::unique_ptr<Ledger> ledger;
  for (uint64_t point = 0; point < points; ++point) {
    if (point % kPointsPerLog == 0) {
      if (ledger) stats.acked += ledger->acked_total;
      env = std::make_unique<PowerCutEnv>();
      ledger = std::make_unique<Ledger>();
    }
    const std::string where = "point " + std::to_string(point) + " (seed " +
                              std::to_string(seed) + "): ";
    ops::Registry registry;
    std::unique_ptr<Journal> journal = Recover(*env, rng, stats, registry, ledger->history);
    ASSERT_NE(journal, nullptr) << where;
    CheckRecovered(*journal, *env, *ledger, stats, where);
    if (HasFatalFailure()) return;
    // Anywhere in the workload; one time in eight among its first calls (right after a
    // recovery, before the workload's first sync has made everything durable anyway).
    uint64_t cut_at = calls == UINT64_MAX ? 0 : 1 + rng() % calls;  // 0: no cut
    if (rng() % 8 == 0) cut_at = 1 + rng() % 3;
    const bool small_disk = rng() % 4 == 0;
    const uint64_t ran = RunWorkload(std::move(journal), *env, *ledger, static_cast<int>(point),
                                     cut_at, small_disk, rng, stats);
    if (ran > 0 && !small_disk) calls = std::min(calls, ran);
    ++stats.cut_calls[CallKind(env->cut_call())];
    ++stats.points;
    const char* restart = Restart(*env, rng, stats);
    ledger->history += "point " + std::to_string(point) + ": cut at call " + std::to_string(cut_at) +
                       " '" + env->cut_call() + "', " + restart + (small_disk ? ", small disk" : "") + "\n";
  }
  // The last cut, checked too.
  ops::Registry registry;
  std::unique_ptr<Journal> journal = Recover(*env, rng, stats, registry, ledger->history);
  ASSERT_NE(journal, nullptr);
  CheckRecovered(*journal, *env, *ledger, stats, "after the last point: ");
  journal->Start();
  ASSERT_TRUE(wal::testing::AppendOne(*journal, "after").status.ok());
  stats.acked += ledger->acked_total;

  std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  std::string calls_text;
  for (const auto& [kind, n] : stats.cut_calls) calls_text += " " + kind + "=" + std::to_string(n);
  std::printf(
      "power cut summary: points=%llu seed=%llu acked=%llu lost=0 unacked_whole=%llu "
      "torn_bytes_cut=%llu recovery_cuts=%llu process_crashes=%llu disk_full_episodes=%llu "
      "cuts_after_workload=%llu seconds=%.1f cut_calls:%s\n",
      static_cast<unsigned long long>(stats.points), static_cast<unsigned long long>(seed),
      static_cast<unsigned long long>(stats.acked),
      static_cast<unsigned long long>(stats.unacked_whole),
      static_cast<unsigned long long>(stats.torn_bytes_cut),
      static_cast<unsigned long long>(stats.recovery_cuts),
      static_cast<unsigned long long>(stats.process_crashes),
      static_cast<unsigned long long>(stats.disk_full_episodes),
      static_cast<unsigned long long>(stats.cuts_after_workload), took.count(),
      calls_text.c_str());
  RecordProperty("points", static_cast<int>(stats.points));
  RecordProperty("acknowledged_records", static_cast<int>(stats.acked));
}

// The cases the random campaign found, each pinned down.

std::vector<std::string> Bodies(PowerCutEnv& env) {
  auto records = wal::testing::ReadBack(Options(&env));
  EXPECT_TRUE(records.ok()) << records.status().ToString();
  std::vector<std::string> out;
  if (records.ok()) {
    for (const auto& r : *records) out.push_back(r.body);
  }
  return out;
}

// The first start creates the WAL directory; its entry in the parent must be durable before a
// record in it is acknowledged.
TEST(WalPowerCutTest, TheNewWalDirectorySurvivesAPowerCut) {
  PowerCutEnv env;
  {
    ops::Registry registry;
    auto journal = Journal::Open(Options(&env), registry);
    ASSERT_TRUE(journal.ok()) << journal.status().ToString();
    (*journal)->Start();
    ASSERT_TRUE(wal::testing::AppendOne(**journal, "acked").status.ok());
  }
  env.CutPowerNow();
  env.Reboot();
  EXPECT_EQ(Bodies(env), std::vector<std::string>{"acked"});
}

// A process killed between a new segment's rename and the directory's fsync: the restart
// appends to that segment, so recovery must make its entry durable first.
TEST(WalPowerCutTest, ASegmentRenamedJustBeforeACrashSurvivesTheNextPowerCut) {
  PowerCutEnv env;
  {
    ops::Registry registry;
    auto journal = Journal::Open(Options(&env), registry);
    ASSERT_TRUE(journal.ok());
    (*journal)->Start();
    ASSERT_TRUE(wal::testing::AppendOne(**journal, "before").status.ok());
    // A rotation: fsync (seal), open .tmp, pwrite header, fdatasync, rename, fsync directory.
    env.CutPowerAtCall(6);
    EXPECT_FALSE((*journal)->Rotate().ok());
    ASSERT_EQ(env.cut_call(), "fsync directory /data/wal");
  }
  env.RestartProcess();  // a crash, not a power cut: the rename is still there
  {
    ops::Registry registry;
    auto journal = Journal::Open(Options(&env), registry);
    ASSERT_TRUE(journal.ok()) << journal.status().ToString();
    ASSERT_EQ((*journal)->Segments().back().name, "segment.002.wal");
    (*journal)->Start();
    ASSERT_TRUE(wal::testing::AppendOne(**journal, "after").status.ok());
  }
  env.CutPowerNow();
  env.Reboot();
  EXPECT_EQ(Bodies(env), (std::vector<std::string>{"before", "after"}));
}

// A process killed between a batch's write and its fdatasync leaves whole records in the page
// cache; recovery hands them out (Replay), so it must sync them before.
TEST(WalPowerCutTest, RecordsRecoveryFoundSurviveTheNextPowerCut) {
  PowerCutEnv env;
  {
    ops::Registry registry;
    auto journal = Journal::Open(Options(&env), registry);
    ASSERT_TRUE(journal.ok());
    (*journal)->Start();
    env.CutPowerAtCall(2);  // the pwrite goes through, the fdatasync meets the cut
    EXPECT_FALSE(wal::testing::AppendOne(**journal, "written, not synced").status.ok());
  }
  env.RestartProcess();
  EXPECT_EQ(Bodies(env), std::vector<std::string>{"written, not synced"});
  env.CutPowerNow();
  env.Reboot();
  EXPECT_EQ(Bodies(env), std::vector<std::string>{"written, not synced"});
}

}  // namespace
}  // namespace stemedb::wal

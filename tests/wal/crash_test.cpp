// Crash test: stemedb-wal-crash-writer appends from 64 threads and prints each acknowledged
// record; this driver SIGKILLs it at random moments, reopens the WAL and checks that every
// acknowledged record is present and intact and that the log ends cleanly.
//
// 30 rounds by default (the CI run); STEMEDB_CRASH_ROUNDS=N runs more (scripts/crash-rounds.sh,
// docs/crash-testing.md), STEMEDB_CRASH_WRITERS=W another number of threads,
// STEMEDB_CRASH_SEED=S another sequence of kill points.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>

#include "stemedb/wal/journal.h"
#include "stemedb/wal/verifier.h"
#include "support/campaign_size.h"
#include "support/metrics_text.h"
#include "support/temp_dir.h"
#include "wal/wal_test_helpers.h"

extern char** environ;

namespace stemedb::wal {
namespace {

struct Ack {
  uint64_t offset = 0;
  uint64_t end_offset = 0;
  uint64_t seq = 0;
  uint64_t body_hash = 0;
};

// Runs the writer until it has acknowledged kill_after records, waits kill_delay_us more (so
// the kill lands anywhere in the next batch, not always just after an ack), SIGKILLs it, and
// returns every ack it printed (lines already in the pipe when it died count: they were
// durable).
std::vector<Ack> RunAndKill(const std::vector<std::string>& args, size_t kill_after,
                            unsigned kill_delay_us) {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  EXPECT_EQ(rc, 0) << "spawn " << argv[0];

  std::vector<Ack> acks;
  std::string pending;
  char buf[8192];
  bool killed = false;
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    pending.append(buf, static_cast<size_t>(n));
    for (size_t eol; (eol = pending.find('\n')) != std::string::npos;) {
      std::istringstream line(pending.substr(0, eol));
      pending.erase(0, eol + 1);
      std::string word;
      Ack a;
      line >> word >> a.offset >> a.end_offset >> a.seq >> std::hex >> a.body_hash;
      EXPECT_EQ(word, "ack");
      acks.push_back(a);
    }
    if (!killed && acks.size() >= kill_after) {
      ::usleep(kill_delay_us);
      ::kill(pid, SIGKILL);
      killed = true;
    }
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the writer died on its own, status " << status;
  EXPECT_TRUE(pending.empty()) << "a partial ack line: " << pending;
  return acks;
}

// Reopens the WAL, checks every ack against what is there, and that the log is clean. Sets
// torn_bytes to the bytes of torn tail recovery cut.
void CheckRecovered(const std::string& dir, const std::map<uint64_t, Ack>& acked, uint64_t round,
                    uint64_t& torn_bytes) {
  ops::Registry registry;
  auto journal = Journal::Open(wal::testing::OptionsFor(dir), registry);
  ASSERT_TRUE(journal.ok()) << "round " << round << ": " << journal.status().ToString();
  torn_bytes = static_cast<uint64_t>(
      stemedb::testing::MetricSample(registry.Render(), "stemedb_wal_truncated_bytes_total").value_or(0));
  std::map<uint64_t, wal::testing::StoredRecord> present;
  uint64_t expect_seq = 1;
  Status replayed = (*journal)->Replay(0, [&](const RecordView& v) {
    EXPECT_EQ(v.seq, expect_seq++) << "round " << round;
    present[v.offset] = {v.offset, v.end_offset,     v.type,
                         v.seq,    v.ingested_at_ms, std::string(v.body)};
    return Status::OK();
  });
  ASSERT_TRUE(replayed.ok()) << replayed.ToString();
  for (const auto& [offset, ack] : acked) {
    auto it = present.find(offset);
    ASSERT_NE(it, present.end()) << "round " << round << ": acknowledged offset " << offset
                                 << " is missing";
    const auto& r = it->second;
    ASSERT_EQ(r.seq, ack.seq) << "offset " << offset;
    ASSERT_EQ(r.end_offset, ack.end_offset) << "offset " << offset;
    ASSERT_EQ(XXH64(r.body.data(), r.body.size(), 0), ack.body_hash) << "offset " << offset;
  }
  (*journal)->Close();
  auto report = VerifyDir(*Env::Default(), dir);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->corrupt()) << report->corruption->Describe("corrupt");
  EXPECT_FALSE(report->torn_tail.has_value()) << "recovery left a torn tail";
}

TEST(WalCrashTest, EveryAcknowledgedRecordSurvivesSigkill) {
  const uint64_t rounds = stemedb::testing::CampaignSize("STEMEDB_CRASH_ROUNDS", 30);
  const uint64_t writers = stemedb::testing::CampaignSize("STEMEDB_CRASH_WRITERS", 64);
  const uint64_t seed = stemedb::testing::CampaignSize("STEMEDB_CRASH_SEED", 20251125);
  std::mt19937_64 rng(seed);
  const auto started = std::chrono::steady_clock::now();
  uint64_t torn_rounds = 0;
  stemedb::testing::TempDir dir;
  std::map<uint64_t, Ack> acked;  // by offset, over all rounds
  for (uint64_t round = 0; round < rounds; ++round) {
    size_t kill_after = 1 + rng() % 300;
    // Odd rounds write each batch in slow small pieces, so the kill lands inside a batch
    // (a torn tail) most of the time; even rounds run at full speed.
    bool slow = round % 2 == 1;
    std::string short_writes = slow ? std::to_string(16 + rng() % 200) : "0";
    std::string delay_us = slow ? "50" : "0";
    std::vector<Ack> acks = RunAndKill(
        {STEMEDB_WAL_CRASH_WRITER_BINARY, "--dir", dir.path(), "--threads", std::to_string(writers), "--segment-bytes",
         "65536", "--short-write-bytes", short_writes, "--write-delay-us", delay_us},
        kill_after, static_cast<unsigned>(rng() % 3000));
    ASSERT_GE(acks.size(), kill_after) << "round " << round;
    for (const Ack& a : acks) {
      auto [it, inserted] = acked.emplace(a.offset, a);
      ASSERT_TRUE(inserted) << "offset " << a.offset << " acknowledged twice";
    }
    uint64_t torn_bytes = 0;
    CheckRecovered(dir.path(), acked, round, torn_bytes);
    if (torn_bytes > 0) ++torn_rounds;
    if (HasFatalFailure()) return;
  }
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  std::printf("crash summary: rounds=%llu writers=%llu seed=%llu acked=%zu lost=0 torn_tails_cut=%llu seconds=%.1f\n",
              static_cast<unsigned long long>(rounds), static_cast<unsigned long long>(writers),
              static_cast<unsigned long long>(seed), acked.size(), static_cast<unsigned long long>(torn_rounds),
              took.count());
  RecordProperty("acknowledged_records", static_cast<int>(acked.size()));
}

}  // namespace
}  // namespace stemedb::wal

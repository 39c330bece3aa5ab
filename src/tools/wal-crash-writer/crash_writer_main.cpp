// stemedb-wal-crash-writer: a test helper (not installed) for the WAL crash test. It appends
// from many threads forever and prints one line per acknowledged record, only after the
// journal's callback reported it durable:
//
//   ack <offset> <end_offset> <seq> <xxh64 of the body, hex>
//
// The driver (tests/wal/crash_test.cpp) kills it with SIGKILL at a random moment, reopens the
// WAL and checks that every acknowledged record is there, intact.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <xxhash.h>

#include <CLI/CLI.hpp>
#include <cinttypes>
#include <cstdio>
#include <future>
#include <thread>
#include <vector>

#include "stemedb/ops/metrics.h"
#include "stemedb/ground/fault_injection_env.h"
#include "stemedb/wal/journal.h"

namespace {

struct Flags {
  std::string dir;
  int threads = 8;
  uint64_t segment_bytes = 64 << 10;
  size_t short_write_bytes = 0;
  int64_t write_delay_us = 0;
  size_t body_bytes_max = 400;
};

// A body that names its writer, so two records never look alike.
std::string Body(int thread, uint64_t index, size_t body_bytes_max) {
  std::string body = "thread " + std::to_string(thread) + " record " + std::to_string(index) + " ";
  size_t fill = (thread * 7919 + index * 104729) % body_bytes_max;
  for (size_t i = 0; i < fill; ++i) body += static_cast<char>('a' + (thread + index + i) % 26);
  return body;
}

// One line, one write(2): lines from different threads never interleave in the pipe.
void PrintAck(const stemedb::wal::AppendResult& r, const std::string& body) {
  char line[160];
  int n = std::snprintf(
      line, sizeof line, "ack %" PRIu64 " %" PRIu64 " %" PRIu64 " %016" PRIx64 "\n", r.offsets[0],
      r.end_offset, r.first_seq, static_cast<uint64_t>(XXH64(body.data(), body.size(), 0)));
  if (::write(STDOUT_FILENO, line, static_cast<size_t>(n)) != n) std::_Exit(3);
}

void AppendForever(stemedb::wal::Journal& journal, int thread, const Flags& flags) {
  for (uint64_t index = 0;; ++index) {
    std::string body = Body(thread, index, flags.body_bytes_max);
    std::promise<std::pair<stemedb::Status, stemedb::wal::AppendResult>> done;
    journal.Append({{1, body}},
                   [&done](const stemedb::Status& s, const stemedb::wal::AppendResult& r) {
                     done.set_value({s, r});
                   });
    auto [status, result] = done.get_future().get();
    if (!status.ok()) {
      std::fprintf(stderr, "append failed: %s\n", status.ToString().c_str());
      std::_Exit(4);
    }
    PrintAck(result, body);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Appends to a WAL from many threads until killed; prints each acknowledged record.",
               "stemedb-wal-crash-writer"};
  Flags flags;
  app.add_option("--dir", flags.dir, "WAL directory")->required();
  app.add_option("--threads", flags.threads, "Appending threads")->check(CLI::Range(1, 256));
  app.add_option("--segment-bytes", flags.segment_bytes, "Segment size (small: many rotations)");
  app.add_option("--short-write-bytes", flags.short_write_bytes,
                 "Split every write into pieces of at most this many bytes (0: off), so a kill "
                 "lands inside a batch more often");
  app.add_option("--write-delay-us", flags.write_delay_us,
                 "Sleep before every write (with --short-write-bytes: kills land mid-batch)")
      ->check(CLI::Range(0, 100000));
  app.add_option("--body-bytes-max", flags.body_bytes_max, "Largest filler per body")
      ->check(CLI::Range(1, 4096));
  CLI11_PARSE(app, argc, argv);

  // stdout carries the acks; logs go to stderr.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("stderr"));
  spdlog::set_level(spdlog::level::warn);

  stemedb::FaultInjectionEnv env;
  env.SetShortWriteBytes(flags.short_write_bytes);
  env.SetWriteDelay(std::chrono::microseconds(flags.write_delay_us));
  stemedb::wal::JournalOptions options;
  options.dir = flags.dir;
  options.segment_bytes = flags.segment_bytes;
  options.env = &env;
  stemedb::ops::Registry registry;
  auto journal = stemedb::wal::Journal::Open(options, registry);
  if (!journal.ok()) {
    std::fprintf(stderr, "open failed: %s\n", journal.status().ToString().c_str());
    return 2;
  }
  (*journal)->Start();
  std::vector<std::thread> threads;
  for (int t = 0; t < flags.threads; ++t) {
    threads.emplace_back([&, t] { AppendForever(**journal, t, flags); });
  }
  for (auto& t : threads) t.join();  // never: the driver kills us
  return 0;
}

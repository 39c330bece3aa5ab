#pragma once
// Shared helpers of the WAL tests: synchronous appends, reading a log back, raw file bytes.

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "stemedb/ops/metrics.h"
#include "stemedb/wal/journal.h"
#include "support/file_bytes.h"

namespace stemedb::wal::testing {

struct AppendOutcome {
  Status status;
  AppendResult result;
};

// Appends and waits for the callback (tests only: a network thread never waits like this).
inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline AppendOutcome AppendAndWait(Journal& journal, std::vector<Entry> entries) {
  std::promise<AppendOutcome> done;
  auto future = done.get_future();
  journal.Append(std::move(entries), [&done](const Status& s, const AppendResult& r) {
    done.set_value({s, r});
  });
  return future.get();
}

inline AppendOutcome AppendOne(Journal& journal, std::string body, uint8_t type = 1) {
  std::vector<Entry> entries;
  entries.push_back({type, std::move(body)});
  return AppendAndWait(journal, std::move(entries));
}

// A RecordView with its body copied out.
struct StoredRecord {
  uint64_t offset = 0;
  uint64_t end_offset = 0;
  uint8_t type = 0;
  uint64_t seq = 0;
  uint64_t ingested_at_ms = 0;
  std::string body;
};

inline Status ReplayAll(Journal& journal, std::vector<StoredRecord>& out, uint64_t from = 0) {
  return journal.Replay(from, [&out](const RecordView& v) {
    out.push_back({v.offset, v.end_offset, v.type, v.seq, v.ingested_at_ms, std::string(v.body)});
    return Status::OK();
  });
}

inline JournalOptions OptionsFor(const std::string& dir, Env* env = nullptr) {
  JournalOptions o;
  o.dir = dir;
  o.env = env;
  return o;
}

// Opens, replays everything and closes; the open runs recovery.
inline Result<std::vector<StoredRecord>> ReadBack(const JournalOptions& options) {
  ops::Registry registry;
  Result<std::unique_ptr<Journal>> journal = Journal::Open(options, registry);
  if (!journal.ok()) return journal.status();
  std::vector<StoredRecord> records;
  STEMEDB_RETURN_IF_ERROR(ReplayAll(**journal, records));
  return records;
}

using ::stemedb::testing::ReadFileBytes;
using ::stemedb::testing::WriteFileBytes;

// Captures what spdlog's default logger writes while it lives.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return stream_.str(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream stream_;
};

}  // namespace stemedb::wal::testing

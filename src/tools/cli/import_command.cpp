// `stemedb import FILE`: post the records of an export (`stemedb export`, GET /v1/export) to a
// node. Assertions go in batches (POST /v1/assert/batch) on several connections at once; votes,
// epochs and sources one by one. Ids are content hashes, so a record the node holds already
// answers "exists": an import that stopped halfway is resumed by running it again.
//
// Order matters in two ways. A record may name another (a vote its assertion, an assertion its
// parent, an epoch the one it supersedes): lines are taken in runs of one kind, and a run waits
// for the ones before it. And the lenses break ties between claims of one subject+predicate by
// their order in the log: each connection takes the claims of its own share of the pairs (by a
// hash of subject and predicate; a parent is always of the same pair) and the votes on its own
// share of the assertions, in file order, so the node logs every pair's claims in the order of
// the export and answers every lens as the exporting node did. A refusal for a record that is
// not there yet (which file order rules out, unless the file was edited) is kept and posted
// again, in file order, after everything else.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli_error.h"
#include "commands.h"

namespace stemedb::cli {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr size_t kBatchRecordsMax = 1000;   // the server's bound on a batch
constexpr size_t kBatchBytesMax = 900'000;  // under the server's default 1 MiB body
constexpr int kConnectionsMax = 16;
constexpr int kBusyRetriesMax = 20;         // 503/429 answers to one request before giving up
constexpr int kRetryAfterSMax = 30;
constexpr int kDeferredPassesMax = 5;
constexpr size_t kRefusalsShownMax = 20;

enum class Kind { kAssertion, kVote, kEpoch, kSource };

const char* PathOf(Kind kind) {
  switch (kind) {
    case Kind::kAssertion: return "/v1/assert";
    case Kind::kVote: return "/v1/vote";
    case Kind::kEpoch: return "/v1/epoch";
    case Kind::kSource: return "/v1/sources";
  }
  return "";
}

// Which record a line of an export is, by the member only that kind has.
std::optional<Kind> KindOf(const json& record) {
  if (!record.is_object()) return std::nullopt;
  if (record.contains("subject")) return Kind::kAssertion;
  if (record.contains("assertion_hash")) return Kind::kVote;
  if (record.contains("started_at")) return Kind::kEpoch;
  if (record.contains("uri")) return Kind::kSource;
  return std::nullopt;
}

// Refusals that mean "what it names is not there yet": worth a second try once everything
// before it has landed.
bool WaitsForAnother(const std::string& code) {
  return code == "unknown_parent" || code == "unknown_epoch" || code == "assertion_not_found" ||
         code == "source_not_found";
}

struct Line {
  uint64_t number;  // in the file, from 1
  Kind kind;
  std::string text;
};

struct Counts {
  uint64_t created = 0, existing = 0, refused = 0;
};

// What the workers share: the queue of requests, the tallies, the refusals to try again.
class Import {
 public:
  Import(const GlobalOptions& options, int connections) : queues_(connections) {
    for (int i = 0; i < connections; ++i) workers_.emplace_back([this, &options, i] { Work(options, i); });
  }
  ~Import() { Finish(); }
  size_t connections() const { return queues_.size(); }

  // Sends `lines` (a batch of assertions, or one record) on connection `lane`, after what that
  // connection was given before.
  void Post(std::vector<Line> lines, size_t lane = 0) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return queues_[lane].size() < kQueuedPerLaneMax || failure_; });
    if (failure_) throw *failure_;
    queues_[lane].push_back(std::move(lines));
    ++pending_;
    cv_.notify_all();
  }
  // Until every request posted so far is answered.
  void Barrier() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return pending_ == 0 || failure_; });
    if (failure_) throw *failure_;
  }
  void Finish() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
      cv_.notify_all();
    }
    for (auto& w : workers_) {
      if (w.joinable()) w.join();
    }
  }
  Counts counts() {
    std::lock_guard lock(mu_);
    return counts_;
  }
  std::vector<Line> TakeDeferred() {
    std::lock_guard lock(mu_);
    std::vector<Line> out(deferred_.begin(), deferred_.end());
    deferred_.clear();
    std::sort(out.begin(), out.end(), [](const Line& a, const Line& b) { return a.number < b.number; });
    return out;
  }
  // The refusals of the last pass become final.
  void Refuse(const std::vector<Line>& lines, const std::string& why) {
    std::lock_guard lock(mu_);
    for (const Line& l : lines) NoteRefusal(l, why);
  }

 private:
  static constexpr size_t kQueuedPerLaneMax = 2;

  void Work(const GlobalOptions& options, size_t lane) {
    std::optional<ApiClient> api;
    std::deque<std::vector<Line>>& queue = queues_[lane];
    for (;;) {
      std::vector<Line> lines;
      bool failed = false;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !queue.empty() || done_; });
        if (queue.empty()) return;
        lines = std::move(queue.front());
        queue.pop_front();
        failed = failure_.has_value();  // after a failure nothing more is sent
        cv_.notify_all();
      }
      try {
        if (!api && !failed) api.emplace(options);
        if (!failed) Send(*api, lines);
      } catch (const CliError& e) {
        std::lock_guard lock(mu_);
        if (!failure_) failure_ = e;
      }
      std::lock_guard lock(mu_);
      --pending_;
      cv_.notify_all();
    }
  }

  // One request (a batch, or one record), retried while the node says it is busy.
  client::HttpResponse Request(ApiClient& api, const std::vector<Line>& lines) {
    std::string body;
    if (lines.front().kind == Kind::kAssertion) {
      body = "{\"assertions\":[";
      for (size_t i = 0; i < lines.size(); ++i) body += (i ? "," : "") + lines[i].text;
      body += "]}";
    } else {
      body = lines.front().text;
    }
    const std::string path = lines.front().kind == Kind::kAssertion ? "/v1/assert/batch" : PathOf(lines.front().kind);
    for (int attempt = 0;; ++attempt) {
      client::HttpResponse r = api.Send("POST", path, body);
      if ((r.status != 503 && r.status != 429) || attempt == kBusyRetriesMax) return r;
      const int wait_s = std::clamp(std::atoi(r.Header("retry-after").c_str()), 1, kRetryAfterSMax);
      std::this_thread::sleep_for(std::chrono::seconds(wait_s));
    }
  }

  void Send(ApiClient& api, const std::vector<Line>& lines) {
    client::HttpResponse r = Request(api, lines);
    if (r.status >= 500 || r.status == 429 || r.status == 401 || r.status == 403) {
      throw CliError(r.status >= 500 || r.status == 429 ? kExitUnreachable : kExitRefused,
                     "line " + std::to_string(lines.front().number) + ": " + DescribeRefusal(r) +
                         "; nothing after it was sent (run the import again to resume)");
    }
    const json answer = json::parse(r.body, nullptr, false);
    std::lock_guard lock(mu_);
    if (lines.front().kind != Kind::kAssertion) return Tally(lines.front(), r.status, answer);
    const json& results = answer.is_object() ? answer.value("results", json()) : json();
    if (r.status != 200 || !results.is_array() || results.size() != lines.size()) {
      for (const Line& l : lines) NoteRefusal(l, DescribeRefusal(r));
      return;
    }
    for (size_t i = 0; i < lines.size(); ++i) Tally(lines[i], results[i].contains("error") ? 422 : 201, results[i]);
  }

  // One record's answer: its status and, for a refusal, the body (or the batch item) holding
  // "error". Under mu_.
  void Tally(const Line& line, int status, const json& answer) {
    const json error = answer.is_object() ? answer.value("error", json()) : json();
    if (status < 300 && !error.is_object()) {
      (answer.value("status", std::string()) == "created" ? counts_.created : counts_.existing)++;
      return;
    }
    const std::string code = error.is_object() ? error.value("code", std::string()) : std::string();
    if (WaitsForAnother(code)) {
      deferred_.push_back(line);
      return;
    }
    NoteRefusal(line, "HTTP " + std::to_string(status) + " " + code + ": " +
                          (error.is_object() ? error.value("message", std::string()) : std::string()));
  }

  void NoteRefusal(const Line& line, const std::string& why) {
    if (counts_.refused++ < kRefusalsShownMax) std::fprintf(stderr, "stemedb: line %llu refused: %s\n",
                                                            static_cast<unsigned long long>(line.number), why.c_str());
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::deque<std::vector<Line>>> queues_;  // one a connection
  size_t pending_ = 0;
  bool done_ = false;
  std::optional<CliError> failure_;
  Counts counts_;
  std::vector<Line> deferred_;
  std::vector<std::thread> workers_;
};

// "imported 41% (412,000 records, 9,800 a second)" on a terminal, at most twice a second.
class Progress {
 public:
  explicit Progress(uint64_t file_bytes) : file_bytes_(file_bytes), shown_(isatty(STDERR_FILENO) == 1) {}
  void Update(uint64_t bytes_read, uint64_t lines) {
    if (!shown_ || Clock::now() < next_) return;
    next_ = Clock::now() + std::chrono::milliseconds(500);
    const double s = std::chrono::duration<double>(Clock::now() - start_).count();
    std::fprintf(stderr, "\rimported %3.0f%% (%llu records, %.0f a second)   ",
                 file_bytes_ ? 100.0 * bytes_read / file_bytes_ : 0.0, static_cast<unsigned long long>(lines),
                 s > 0 ? lines / s : 0.0);
  }
  void Done() {
    if (shown_) std::fprintf(stderr, "\n");
  }
  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  uint64_t file_bytes_;
  bool shown_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point next_ = start_;
};

struct ImportFlags {
  std::string file;
  int connections = 4;
  size_t batch = 500;
};

// The connection a record goes on: one per pair for claims, one per assertion for votes.
size_t LaneOf(Kind kind, const json& record, size_t lanes) {
  if (kind == Kind::kAssertion) {
    return std::hash<std::string>{}(record.value("subject", std::string()) + '\0' +
                                    record.value("predicate", std::string())) % lanes;
  }
  if (kind == Kind::kVote) return std::hash<std::string>{}(record.value("assertion_hash", std::string())) % lanes;
  return 0;
}

// Reads the file and posts it in runs; returns the number of records read.
uint64_t PostFile(std::istream& in, Import& import, const ImportFlags& f, Progress& progress) {
  // The batch being filled for each connection.
  std::vector<std::vector<Line>> batches(import.connections());
  std::vector<size_t> batch_bytes(import.connections(), 0);
  std::optional<Kind> run;
  uint64_t number = 0, bytes = 0;
  auto flush = [&](size_t lane) {
    if (!batches[lane].empty()) import.Post(std::move(batches[lane]), lane);
    batches[lane].clear();
    batch_bytes[lane] = 0;
  };
  auto flush_all = [&] {
    for (size_t lane = 0; lane < batches.size(); ++lane) flush(lane);
  };
  for (std::string text; std::getline(in, text);) {
    ++number;
    bytes += text.size() + 1;
    if (text.empty()) continue;
    const json record = json::parse(text, nullptr, false);
    if (record.is_object() && record.contains("error")) {
      throw CliError(kExitUsage, f.file + " line " + std::to_string(number) +
                                     ": the export was cut short by the server (" + text.substr(0, 300) + ")");
    }
    const auto kind = KindOf(record);
    if (!kind) throw CliError(kExitUsage, f.file + " line " + std::to_string(number) + ": not a record of an export");
    if (run != kind) {
      flush_all();
      import.Barrier();  // what this run names is in the runs before it
      run = kind;
    }
    const size_t lane = LaneOf(*kind, record, import.connections());
    if (*kind != Kind::kAssertion) {
      import.Post({Line{number, *kind, std::move(text)}}, lane);
    } else {
      if (batches[lane].size() == f.batch || batch_bytes[lane] + text.size() > kBatchBytesMax) flush(lane);
      batch_bytes[lane] += text.size() + 1;
      batches[lane].push_back(Line{number, *kind, std::move(text)});
    }
    progress.Update(bytes, number);
  }
  flush_all();
  import.Barrier();
  return number;
}

void ImportFile(const GlobalOptions& options, const ImportFlags& f) {
  if (f.connections < 1 || f.connections > kConnectionsMax) UsageError("--connections: 1.." + std::to_string(kConnectionsMax));
  if (f.batch < 1 || f.batch > kBatchRecordsMax) UsageError("--batch: 1.." + std::to_string(kBatchRecordsMax));
  std::ifstream file;
  const bool from_stdin = f.file == "-";
  if (!from_stdin) {
    file.open(f.file, std::ios::binary);
    if (!file) throw CliError(kExitUsage, "cannot read " + f.file);
  }
  std::error_code ec;
  const uint64_t size = from_stdin ? 0 : std::filesystem::file_size(f.file, ec);
  Progress progress(ec ? 0 : size);
  Import import(options, f.connections);
  const uint64_t lines = PostFile(from_stdin ? std::cin : file, import, f, progress);
  // The refusals that waited for a record posted alongside, in file order, one at a time.
  std::vector<Line> deferred = import.TakeDeferred();
  for (int pass = 0; pass < kDeferredPassesMax && !deferred.empty(); ++pass) {
    const size_t before = deferred.size();
    for (Line& l : deferred) {
      import.Post({std::move(l)});
      import.Barrier();
    }
    deferred = import.TakeDeferred();
    if (deferred.size() == before) break;  // nothing landed: what they name is not in the file
  }
  import.Refuse(deferred, "what it names is neither on the node nor in the file");
  import.Finish();
  progress.Done();
  const Counts c = import.counts();
  std::printf("imported %llu lines in %.1f s: created %llu, already there %llu, refused %llu\n",
              static_cast<unsigned long long>(lines), progress.seconds(), static_cast<unsigned long long>(c.created),
              static_cast<unsigned long long>(c.existing), static_cast<unsigned long long>(c.refused));
  if (c.refused > 0) throw CliError(kExitRefused, std::to_string(c.refused) + " records were refused");
}

}  // namespace

void AddImportCommand(CLI::App& app, const GlobalOptions& options) {
  auto f = std::make_shared<ImportFlags>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Post the records of an export to the server (resumable: run it again after a stop)");
  cmd->add_option("FILE", f->file, "The export (stemedb export), or - for stdin")->required();
  cmd->add_option("--connections", f->connections, "Requests in flight at once, 1..16 (default 4)");
  cmd->add_option("--batch", f->batch, "Assertions a batch, 1..1000 (default 500)");
  cmd->callback([&options, f] { ImportFile(options, *f); });
}

}  // namespace stemedb::cli

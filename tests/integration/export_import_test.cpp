// GET /v1/export, `stemedb export` and `stemedb import` between real daemons: every kind of
// record an agent posts moves (sources, epochs and a supersession, claims with a revision and a
// co-signature, votes including a changed one, claims that tie on their timestamp), each line
// is the signed record and nothing else, and the new node answers every lens, the skeptic and
// the layered view exactly as the old one; a second import creates nothing; an export the server
// cut short is refused by the import. And the size case (ExportImportScaleTest, which the
// sanitizer builds leave to the release run): a 100,000-record store (STEMEDB_EXPORT_RECORDS for
// another size) moved to a fresh node, every pair's lens answers compared, the import rate
// printed beside the rate the same records were first posted at.

#include <gtest/gtest.h>

#include <chrono>
#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <set>
#include <thread>

#include "stemedb/client/request_target.h"
#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/campaign_size.h"
#include "support/daemon.h"
#include "support/ops_scripts.h"
#include "support/process.h"
#include "support/records.h"
#include "support/temp_dir.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kLenses = {"recency", "confidence", "consensus", "vote", "authority", "epoch"};

ProcessResult Cli(const Daemon& d, std::vector<std::string> args) {
  std::vector<std::string> argv = {STEMEDB_CLI_BINARY, "--server", d.url(), "--api-key", d.RootKey()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, {}, std::chrono::seconds(600));
}

// What differs between two nodes holding the same records: where and when each was logged.
void DropLogPlaces(json& j) {
  if (j.is_object()) {
    for (const char* k : {"seq", "ingested_at", "position", "request_id"}) j.erase(k);
    for (auto& [k, v] : j.items()) DropLogPlaces(v);
  } else if (j.is_array()) {
    for (auto& v : j) DropLogPlaces(v);
  }
}

// Every (subject, predicate) of the node, through the browsing routes.
std::vector<std::pair<std::string, std::string>> Pairs(Api& api) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string cursor;
  do {
    json page = api.Ok("/v1/subjects?limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const std::string s : page["subjects"]) {
      std::string pcursor;
      do {
        json preds = api.Ok("/v1/subjects/" + client::PercentEncode(s) + "/predicates?limit=100" +
                            (pcursor.empty() ? "" : "&cursor=" + pcursor));
        for (const auto& p : preds["predicates"]) out.emplace_back(s, p["predicate"]);
        pcursor = preds["next_cursor"].is_null() ? "" : preds["next_cursor"].get<std::string>();
      } while (!pcursor.empty());
    }
    cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
  } while (!cursor.empty());
  return out;
}

// Every lens, the skeptic and the layered view of every pair, the same on both nodes; returns
// how many answers were compared. Without decay, which is computed at the second a request
// arrives and would differ between two requests a second apart. Four connections to each node
// share the pairs, so the comparison keeps both cores busy.
size_t CompareEveryAnswer(const Daemon& from_node, const Daemon& to_node) {
  constexpr size_t kThreads = 4;
  Api from_pairs(from_node), to_pairs(to_node);
  const auto pairs = Pairs(from_pairs);
  EXPECT_EQ(pairs, Pairs(to_pairs));
  std::atomic<size_t> compared{0};
  std::atomic<bool> differed{false};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Api from(from_node), to(to_node);
      for (size_t i = t; i < pairs.size() && !differed; i += kThreads) {
        const auto& [s, p] = pairs[i];
        const std::string q = "subject=" + client::PercentEncode(s) + "&predicate=" + client::PercentEncode(p);
        std::vector<std::string> targets;
        for (const auto& lens : kLenses) targets.push_back("/v1/query?" + q + "&lens=" + lens + "&decay=false");
        targets.push_back("/v1/skeptic?" + q + "&decay=false");
        targets.push_back("/v1/layered?" + q + "&decay=false");
        for (const auto& target : targets) {
          json a = from.Ok(target), b = to.Ok(target);
          DropLogPlaces(a);
          DropLogPlaces(b);
          ++compared;
          if (a != b && !differed.exchange(true)) {
            EXPECT_EQ(a, b) << target;  // one difference says enough
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  return compared;
}

int64_t NowS() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TEST(ExportImportTest, EveryKindMovesAndEveryAnswerStaysTheSame) {
  Daemon a({.args = UnlimitedArgs()});
  Api api(a);
  const int64_t t = NowS() - 3600;
  const json source = api.Write(core::Source{.uri = "https://example.org/trial-42", .content = "evidence"});
  const core::Epoch e1 = SignedEpoch("2024-guidelines", std::nullopt, 1, t - 100);
  api.Write(e1);
  api.Write(SignedEpoch("2025-guidelines", core::ContentId(e1), 1, t - 50));
  const core::Assertion first = SignedAssertion(
      {.subject = "drugs/x", .predicate = "risk", .text = "rare", .timestamp = t,
       .source_hash = *core::HexDecodeArray<32>(source["id"].get<std::string>()), .epoch = core::ContentId(e1)});
  api.Assert(first);
  api.Assert(SignedAssertion({.subject = "drugs/x", .predicate = "risk", .text = "rare", .timestamp = t + 10,
                              .lifecycle = core::Lifecycle::kUnderReview, .parent_hash = core::ContentId(first)}));
  api.Assert(Resigned(first, {1, 2}));  // co-signed: the export carries both signatures
  for (int agent = 3; agent < 7; ++agent) {
    // Same timestamp: the lenses break the tie by log order, which the import must keep.
    api.Assert(SignedAssertion({.subject = "drugs/x", .predicate = "risk", .text = "common",
                                .confidence = 0.5 + agent / 20.0, .timestamp = t + 20},
                               {agent}));
  }
  api.Write(SignedVote(core::ContentId(first), 4, 1.0));
  api.Write(SignedVote(core::ContentId(first), 5, -1.0, 1700000100));
  api.Write(SignedVote(core::ContentId(first), 5, 1.0, 1700000200));  // changed its mind
  for (int i = 0; i < 30; ++i) {
    api.Assert(SignedAssertion({.subject = "people/" + std::to_string(i % 7), .predicate = "p" + std::to_string(i % 3),
                                .text = "v" + std::to_string(i % 4), .timestamp = t + i % 5}, {1 + i % 6}));
  }

  // The route: admin only, NDJSON, the cut named; each line one record and nothing more.
  EXPECT_EQ(a.Connect()->Get("/v1/export")->status, 401);
  auto raw = a.Connect()->Get("/v1/export", {{"X-API-Key", a.RootKey()}});
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->status, 200);
  EXPECT_EQ(raw->Header("content-type"), "application/x-ndjson");
  EXPECT_FALSE(raw->Header("x-stemedb-export-to-seq").empty());
  std::istringstream lines(raw->body);
  std::set<std::string> kinds;
  size_t count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    const json r = json::parse(line);
    EXPECT_FALSE(r.contains("id") || r.contains("seq") || r.contains("ingested_at")) << line;
    kinds.insert(r.contains("subject") ? "assertion" : r.contains("assertion_hash") ? "vote"
                 : r.contains("started_at") ? "epoch" : "source");
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"assertion", "vote", "epoch", "source"}));
  EXPECT_EQ(count, 1u + 2 + 2 + 4 + 3 + 30) << raw->body;

  // stemedb export | stemedb import into a fresh node.
  TempDir dir;
  const std::string file = dir.Sub("export.ndjson");
  ProcessResult exported = Cli(a, {"export", "--output", file});
  ASSERT_EQ(exported.exit_code, 0) << exported.out;
  EXPECT_EQ(ReadFile(file), raw->body);
  Daemon b({.args = UnlimitedArgs()});
  ProcessResult imported = Cli(b, {"import", file});
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  EXPECT_NE(imported.out.find("created " + std::to_string(count) + ", already there 0, refused 0"), std::string::npos)
      << imported.out;
  EXPECT_GT(CompareEveryAnswer(a, b), 100u);
  // Resumable: a second run finds everything there.
  ProcessResult again = Cli(b, {"import", file, "--connections", "2", "--batch", "7"});
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_NE(again.out.find("created 0, already there " + std::to_string(count)), std::string::npos) << again.out;

  // An export the server cut short is refused, not taken for a whole one.
  std::ofstream(dir.Sub("cut.ndjson")) << ReadFile(file).substr(0, raw->body.find('\n') + 1)
                                       << R"({"error":{"code":"export_failed","message":"the server is stopping"}})"
                                       << "\n";
  ProcessResult cut = Cli(b, {"import", dir.Sub("cut.ndjson")});
  EXPECT_EQ(cut.exit_code, 2) << cut.out;
  EXPECT_NE(cut.out.find("the export was cut short"), std::string::npos) << cut.out;
  std::ofstream(dir.Sub("junk.ndjson")) << "{\"hello\":1}\n";
  ProcessResult junk = Cli(b, {"import", dir.Sub("junk.ndjson")});
  EXPECT_EQ(junk.exit_code, 2) << junk.out;
  EXPECT_NE(junk.out.find("line 1: not a record of an export"), std::string::npos) << junk.out;
}

size_t RecordsWanted() {
  return std::max<size_t>(1000, CampaignSize("STEMEDB_EXPORT_RECORDS", 100'000));
}

// The records, signed once (the slow part), as JSON lines: distinct claims over 2,000 pairs (400
// subjects, five predicates), 50 a pair, two at each timestamp (ties the lenses break by log
// order), by eight agents; and a vote on every hundredth.
std::vector<std::string> SignedLines(size_t n) {
  std::vector<std::string> lines;
  lines.reserve(n);
  const int64_t t = NowS() - 7200;
  for (size_t i = 0; lines.size() < n; ++i) {
    const core::Assertion claim = SignedAssertion({.subject = "bulk/" + std::to_string(i % 400),
                                                   .predicate = "p" + std::to_string(i / 400 % 5),
                                                   .text = "v" + std::to_string(i % 13),
                                                   .confidence = 0.5 + (i % 5) / 10.0,
                                                   .timestamp = t + static_cast<int64_t>(i / 4000)},
                                                  {1 + static_cast<int>(i % 8)});
    lines.push_back(core::ToJson(claim).dump());
    if (i % 100 == 99 && lines.size() < n) {
      lines.push_back(core::ToJson(SignedVote(core::ContentId(claim), 1 + static_cast<int>(i % 7), 1.0)).dump());
    }
  }
  return lines;
}

TEST(ExportImportScaleTest, AStoreOfAHundredThousandRecordsMovesToAFreshNode) {
  const size_t n = RecordsWanted();
  TempDir dir;
  const std::string original = dir.Sub("original.ndjson");
  {
    std::ofstream out(original);
    for (const auto& line : SignedLines(n)) out << line << "\n";
  }
  Daemon a({.args = UnlimitedArgs()});
  // First posted by the importer too (same batches, same connections): the rate to compare with.
  const auto posted_start = Clock::now();
  ProcessResult posted = Cli(a, {"import", original});
  const double posted_s = std::chrono::duration<double>(Clock::now() - posted_start).count();
  ASSERT_EQ(posted.exit_code, 0) << posted.out;

  const std::string file = dir.Sub("export.ndjson");
  const auto export_start = Clock::now();
  ProcessResult exported = Cli(a, {"export", "--output", file});
  const double export_s = std::chrono::duration<double>(Clock::now() - export_start).count();
  ASSERT_EQ(exported.exit_code, 0) << exported.out;
  // The same lines; in another order across pairs (the importer's connections raced), in file
  // order within each pair.
  auto sorted_lines = [](const std::string& path) {
    std::vector<std::string> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::sort(lines.begin(), lines.end());
    return lines;
  };
  EXPECT_TRUE(sorted_lines(file) == sorted_lines(original)) << "the export differs from what was posted";

  Daemon b({.args = UnlimitedArgs()});
  const auto import_start = Clock::now();
  ProcessResult imported = Cli(b, {"import", file});
  const double import_s = std::chrono::duration<double>(Clock::now() - import_start).count();
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  EXPECT_NE(imported.out.find("created " + std::to_string(n) + ","), std::string::npos) << imported.out;

  Api from(a), to(b);
  EXPECT_EQ(from.Ok("/v1/health")["assertions_count"], to.Ok("/v1/health")["assertions_count"]);
  const size_t compared = CompareEveryAnswer(a, b);
  std::cout << n << " records: export " << export_s << " s (" << n / export_s << "/s), import " << import_s << " s ("
            << n / import_s << "/s) into a fresh node; the same file posted to the first node " << posted_s << " s ("
            << n / posted_s << "/s); " << compared << " answers compared\n";
}

}  // namespace
}  // namespace stemedb::testing

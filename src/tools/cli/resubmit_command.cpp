// `stemedb resubmit DIR`: post the signed records of a diverged WAL tail to the primary
// (docs/replication.md, "Rejoining"). A deposed primary moves the records the new primary's log
// never had into wal/diverged/fork-<offset>-<ms>/; they are signed, so posting them again is
// safe and idempotent (ids are content hashes): a record the primary holds already answers
// "exists". The server's own records there (API keys, trust overrides, term starts) are not
// agents' claims and are skipped, counted.
#include <cstdio>

#include "cli_error.h"
#include "commands.h"
#include "stemedb/core/record_json.h"
#include "stemedb/core/record_kind.h"
#include "stemedb/core/stored_record.h"
#include "stemedb/ground/env.h"
#include "stemedb/wal/log_reader.h"
#include "stemedb/wal/record_payload.h"
#include "stemedb/wal/segment_name.h"

namespace stemedb::cli {
namespace {

struct ResubmitCounts {
  uint64_t posted = 0;     // 201 created
  uint64_t existing = 0;   // 200: the primary had it already
  uint64_t refused = 0;    // 4xx: printed, the rest goes on
  uint64_t skipped = 0;    // server records, source retractions
};

// The path an agent's record is posted to; nullptr for what is not resubmitted.
const char* WritePath(core::RecordKind kind) {
  switch (kind) {
    case core::RecordKind::kAssertion: return "/v1/assert";
    case core::RecordKind::kVote: return "/v1/vote";
    case core::RecordKind::kEpoch: return "/v1/epoch";
    case core::RecordKind::kSource: return "/v1/sources";
    default: return nullptr;  // a retraction is an operator's act: the runbook says to redo it by hand
  }
}

void PostOne(ApiClient& api, const char* path, const core::Record& record, ResubmitCounts& counts) {
  try {
    ApiAnswer answer = api.Post(path, core::ToJson(record).dump());
    (answer.status == 201 ? counts.posted : counts.existing)++;
  } catch (const CliError& e) {
    if (e.code() != kExitRefused) throw;  // unreachable: stop, a rerun starts over safely
    ++counts.refused;
    std::fprintf(stderr, "stemedb: refused: %s\n", e.what());
  }
}

void ResubmitSegment(ApiClient& api, const std::string& path, ResubmitCounts& counts) {
  auto reader = wal::LogReader::Open(*Env::Default(), path);
  if (!reader.ok()) throw CliError(kExitUsage, path + ": " + reader.status().ToString());
  wal::LogReader::Record raw;
  for (;;) {
    auto next = (*reader)->Next(raw);
    if (!next.ok()) throw CliError(kExitUsage, path + ": " + next.status().ToString());
    if (*next == wal::LogReader::Outcome::kEnd) return;
    if (*next == wal::LogReader::Outcome::kBad) {
      throw CliError(kExitUsage, path + ": damaged record at file position " + std::to_string((*reader)->position()) +
                                     ": " + (*reader)->problem());
    }
    auto payload = wal::DecodeJournalPayload(raw.payload);
    auto kind = core::RecordKindFromByte(raw.type);
    const char* write_path = kind ? WritePath(*kind) : nullptr;
    if (!payload || write_path == nullptr) {
      ++counts.skipped;
      continue;
    }
    auto record = core::DecodeStored(*kind, payload->body);
    if (!record.ok()) throw CliError(kExitUsage, path + ": " + record.status().ToString());
    PostOne(api, write_path, *record, counts);
  }
}

void Resubmit(const GlobalOptions& options, const std::string& dir) {
  auto segments = wal::ListSegments(*Env::Default(), dir);
  if (!segments.ok()) throw CliError(kExitUsage, dir + ": " + segments.status().ToString());
  if (segments->empty()) throw CliError(kExitUsage, dir + ": no WAL segment (segment.NNN.wal) in it");
  ApiClient api(options);
  ResubmitCounts counts;
  for (const wal::SegmentFile& s : *segments) ResubmitSegment(api, dir + "/" + s.name, counts);
  std::printf("posted %llu, already on the primary %llu, refused %llu, skipped %llu (server records)\n",
              static_cast<unsigned long long>(counts.posted), static_cast<unsigned long long>(counts.existing),
              static_cast<unsigned long long>(counts.refused), static_cast<unsigned long long>(counts.skipped));
  if (counts.refused > 0) throw CliError(kExitRefused, std::to_string(counts.refused) + " records were refused");
}

}  // namespace

void AddResubmitCommand(CLI::App& app, const GlobalOptions& options) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "resubmit", "Post the signed records of a diverged WAL tail (wal/diverged/fork-*/) to the primary; idempotent");
  cmd->add_option("dir", *dir, "The directory the rejoin moved them to")->required()->check(CLI::ExistingDirectory);
  cmd->callback([&options, dir] { Resubmit(options, *dir); });
}

}  // namespace stemedb::cli

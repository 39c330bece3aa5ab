// stemedb-wal-repair: writes a copy of a damaged segment cut at a record boundary.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "stemedb/ground/env.h"
#include "stemedb/wal/repair.h"

namespace {

constexpr int kExitRepaired = 0;
constexpr int kExitUnrepairable = 1;
constexpr int kExitUsage = 2;

constexpr const char* kFooter =
    R"(The input is never modified. OUT must not exist; it is written as OUT.tmp, synced,
renamed and verified. The copy ends at the last record boundary at or before OFFSET,
and never past the first damaged record (an OFFSET inside a record keeps the records
before it). OFFSET is a byte offset in the segment file, as printed by
stemedb-wal-verify and by the daemon's "WAL corrupt" log line. Run with the daemon stopped.

Exit codes:
  0  OUT written and verified clean
  1  the input cannot be repaired (unreadable header) or OUT failed verification
  2  usage or I/O error (bad arguments, OUT exists, cannot read or write)

Example:
  mv segment.001.wal segment.001.wal.corrupted
  stemedb-wal-repair --segment segment.001.wal.corrupted --output segment.001.wal \
      --truncate-at 1234)";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Copy a damaged StemeDB WAL segment, cut at a record boundary.",
               "stemedb-wal-repair"};
  std::string in;
  std::string out;
  uint64_t truncate_at = 0;
  app.add_option("--segment", in, "The damaged segment (read only)")->required();
  app.add_option("--output", out, "The repaired copy to create")->required();
  app.add_option("--truncate-at", truncate_at, "Byte offset in the segment file to cut at")
      ->required();
  app.footer(kFooter);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitRepaired : kExitUsage;
  }

  auto outcome = stemedb::wal::RepairSegment(*stemedb::Env::Default(), in, out, truncate_at);
  if (!outcome.ok()) {
    std::fprintf(stderr, "stemedb-wal-repair: %s\n", outcome.status().ToString().c_str());
    return outcome.status().code() == stemedb::StatusCode::kCorruption ? kExitUnrepairable
                                                                       : kExitUsage;
  }
  const auto& o = *outcome;
  std::printf("wrote %s: %llu records", out.c_str(),
              static_cast<unsigned long long>(o.records_kept));
  if (o.records_kept > 0) {
    std::printf(" (seq %llu..%llu)", static_cast<unsigned long long>(o.first_seq),
                static_cast<unsigned long long>(o.last_seq));
  }
  std::printf(
      ", cut at byte offset %llu (requested %llu); dropped %llu of %llu bytes; verified "
      "clean\n",
      static_cast<unsigned long long>(o.cut_pos), static_cast<unsigned long long>(o.requested_pos),
      static_cast<unsigned long long>(o.input_bytes - o.cut_pos),
      static_cast<unsigned long long>(o.input_bytes));
  if (!o.note.empty()) std::printf("note: %s\n", o.note.c_str());
  return kExitRepaired;
}

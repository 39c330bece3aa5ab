// stemedb-wal-verify: checks WAL segments the way start-up recovery does, without changing them.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "stemedb/ground/env.h"
#include "stemedb/wal/verifier.h"
#include "verify_output.h"

namespace {

constexpr int kExitClean = 0;
constexpr int kExitCorrupt = 1;
constexpr int kExitUsage = 2;

constexpr const char* kFooter = R"(Exit codes:
  0  clean. A torn tail at the end of the last segment (an interrupted write, never
     acknowledged; recovery cuts it) is reported but is not corruption.
  1  corruption found; the first bad byte offset is printed (give it to
     stemedb-wal-repair --truncate-at).
  2  usage or I/O error.

Read-only and takes no lock: safe on a live WAL directory.
Example: cd /var/lib/stemedb/wal; for s in segment.*.wal; do stemedb-wal-verify --file $s; done)";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Verify StemeDB WAL segments: header, record framing and checksums, seq order, "
      "and the chain of segments.",
      "stemedb-wal-verify"};
  std::string file;
  std::string dir;
  bool json = false;
  auto* target = app.add_option_group("target", "What to verify (exactly one)");
  target->add_option("--file", file, "One segment file, e.g. segment.001.wal");
  target->add_option("--dir", dir, "A WAL directory: every segment and the chain between them");
  target->require_option(1);
  app.add_flag("--json", json, "Print one JSON object instead of text");
  app.footer(kFooter);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitClean : kExitUsage;
  }

  stemedb::Env& env = *stemedb::Env::Default();
  auto report =
      file.empty() ? stemedb::wal::VerifyDir(env, dir) : stemedb::wal::VerifyFile(env, file);
  if (!report.ok()) {
    std::fprintf(stderr, "stemedb-wal-verify: %s\n", report.status().ToString().c_str());
    return kExitUsage;
  }
  if (json) {
    std::cout << stemedb::tools::FormatJson(*report, file.empty() ? dir : file).dump(2) << "\n";
  } else {
    std::cout << stemedb::tools::FormatText(*report);
  }
  return report->corrupt() ? kExitCorrupt : kExitClean;
}

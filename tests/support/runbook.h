#pragma once
// Walking an operations runbook in a test (docs/operations/runbooks/*.md): its fenced code
// blocks, run with bash as written, with only what differs on a test machine changed: the
// daemon's address, the data directory, the backup directory, and the systemd journal (the
// daemon's log file here).

#include <string>
#include <vector>

#include "support/daemon.h"
#include "support/process.h"

namespace stemedb::testing {

// docs/operations/runbooks/<name>.
std::string ReadRunbook(const std::string& name);

// The fenced code block of `markdown` that contains `needle`, without its indentation; fails
// the test when there is none.
std::string CodeBlock(const std::string& markdown, const std::string& needle);

// Where a runbook's production paths are on this machine; empty fields are left as written.
struct RunbookPlaces {
  std::string url;          // for http://localhost:18180
  std::string data_dir;     // for /var/lib/stemedb
  std::string log_file;     // `journalctl -u stemedb-api [--since "..."]` becomes `cat <log_file>`
  std::string backups_dir;  // for /var/backups/stemedb
};

// The runbook's commands for this daemon. Lines starting with `systemctl ` or `chown ` (no
// systemd unit, no stemedb user here) are dropped, `sudo -u stemedb ` is dropped, and
// /usr/lib/stemedb/ (where the operations scripts are installed) becomes the source's scripts/.
std::string Localized(std::string block, const RunbookPlaces& places);
inline std::string Localized(std::string block, const std::string& url, const std::string& data_dir) {
  return Localized(std::move(block), RunbookPlaces{.url = url, .data_dir = data_dir});
}

// Runs commands with `bash -c` under `set -o pipefail`, this build's tools first on PATH.
ProcessResult RunCommands(const std::string& commands, const std::vector<std::string>& env = {});

// The daemon with libfiu's POSIX wrappers preloaded (fiu-run -x). fiu-run sets LD_PRELOAD to
// its own libraries; in a sanitizer build the sanitizer's runtime must come before them (ASan
// refuses to start otherwise, and libfiu's malloc wrapper must not stand in front of the
// sanitizer's allocator), so it is put first in the list the daemon is started with. Inline:
// STEMEDB_SANITIZER_RUNTIME is defined for the integration tests only.
inline DaemonOptions UnderLibfiu(DaemonOptions options) {
#ifdef STEMEDB_SANITIZER_RUNTIME
  options.wrapper = {"fiu-run", "-x", "sh", "-c",
                     "LD_PRELOAD=\"" STEMEDB_SANITIZER_RUNTIME " $LD_PRELOAD\" exec \"$0\" \"$@\""};
#else
  options.wrapper = {"fiu-run", "-x"};
#endif
  return options;
}

}  // namespace stemedb::testing

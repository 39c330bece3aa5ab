#pragma once
// Logging for the daemon and tools: spdlog's default logger, writing text or JSON lines to
// stderr or a file. SIGHUP calls ReopenLogFile() so logrotate can move the file away.

#include <string>

#include "stemedb/ground/status.h"
#include "stemedb/ops/config.h"

namespace stemedb::ops {

// Installs the default logger. kInvalidArgument naming log.file if it cannot be opened (the
// logger in place is then left as it was).
Status ConfigureLogging(const LogConfig& config);

// Reopens the configured log file (appending); no-op when logging to stderr. Safe to call
// from any thread while others log. On failure logging goes on to the old file; the Status
// says why (the caller logs it there).
Status ReopenLogFile();

}  // namespace stemedb::ops

#pragma once
// Logging for the daemon and tools: spdlog's default logger, writing text or JSON lines to
// stderr or a file. SIGHUP calls ReopenLogFile() so logrotate can move the file away.

#include <string>

#include "stemedb/ops/config.h"

namespace stemedb::ops {

// Installs the default logger. Throws ConfigError naming log.file if it cannot be opened.
void ConfigureLogging(const LogConfig& config);

// Reopens the configured log file (appending); no-op when logging to stderr. Safe to call
// from any thread while others log.
void ReopenLogFile();

}  // namespace stemedb::ops

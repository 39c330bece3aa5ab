#pragma once
// The stemedb-api process: wires configuration, metrics, storage and the HTTP server together,
// and owns the life cycle (start, SIGHUP, SIGTERM/SIGINT drain and exit).

#include <signal.h>

#include "stemedb/ops/config.h"

namespace stemedb::api {

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread. Call first in main, before any
// thread exists (spdlog's flusher included): threads inherit the mask, so these signals reach
// only the sigwait loop and never kill or interrupt another thread.
sigset_t BlockControlSignals();

// Runs until SIGTERM or SIGINT; returns the process exit code.
int RunDaemon(const ops::Config& config, const sigset_t& signals);

}  // namespace stemedb::api

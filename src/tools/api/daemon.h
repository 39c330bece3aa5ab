#pragma once
// The stemedb-api process: wires configuration, metrics, storage and the HTTP server together,
// and owns the life cycle (start, SIGHUP, SIGTERM/SIGINT drain and exit).

#include "stemedb/ops/config.h"

namespace stemedb::api {

// Runs until SIGTERM or SIGINT; returns the process exit code.
int RunDaemon(const ops::Config& config);

}  // namespace stemedb::api

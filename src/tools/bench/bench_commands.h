#pragma once
// The subcommands of stemedb-bench. Each registers itself on the app and, when it runs,
// stores the process exit code in exit_code.

#include <CLI/CLI.hpp>

namespace stemedb::bench {

void AddWalCommand(CLI::App& app, int& exit_code);  // wal_bench.cpp

}  // namespace stemedb::bench

#pragma once
// The subcommands of stemedb-bench. Each registers itself on the app and, when it runs,
// stores the process exit code in exit_code.

#include <CLI/CLI.hpp>

namespace stemedb::bench {

void AddWalCommand(CLI::App& app, int& exit_code);     // wal_bench.cpp
void AddIngestCommand(CLI::App& app, int& exit_code);  // ingest_bench.cpp
void AddLoadCommand(CLI::App& app, int& exit_code);    // load_command.cpp
void AddQueryCommand(CLI::App& app, int& exit_code);   // query_bench.cpp
void AddBigPairCommand(CLI::App& app, int& exit_code); // big_pair_bench.cpp

}  // namespace stemedb::bench

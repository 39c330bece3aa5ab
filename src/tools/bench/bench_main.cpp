// stemedb-bench: load generator and benchmarks, one subcommand per file.
#include <CLI/CLI.hpp>

#include "bench_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"StemeDB benchmarks and load generator.", "stemedb-bench"};
  app.require_subcommand(1);
  int exit_code = 0;
  stemedb::bench::AddWalCommand(app, exit_code);
  stemedb::bench::AddIngestCommand(app, exit_code);
  stemedb::bench::AddLoadCommand(app, exit_code);
  stemedb::bench::AddQueryCommand(app, exit_code);
  stemedb::bench::AddBigPairCommand(app, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}

// stemedb: the command-line client and admin CLI of StemeDB (docs/cli.md).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli_error.h"
#include "commands.h"
#include "stemedb/build_info.h"

int main(int argc, char** argv) {
  using namespace stemedb::cli;
  CLI::App app{"stemedb: sign and post claims, read them through lenses, and administer a StemeDB node.",
               "stemedb"};
  app.fallthrough();  // global options may follow the subcommand: stemedb get ID --json
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("stemedb ") + stemedb::build::kVersion + " (commit " +
                                        stemedb::build::kCommit + ")");
  app.footer(kExitCodesHelp);
  GlobalOptions options;
  AddGlobalOptions(app, options);
  AddKeygenCommand(app, options);
  AddWriteCommands(app, options);
  AddReadCommands(app, options);
  AddFeedCommand(app, options);
  AddAdminCommands(app, options);
  AddResubmitCommand(app, options);
  AddExportCommand(app, options);
  AddImportCommand(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  } catch (const CliError& e) {
    std::fprintf(stderr, "stemedb: %s\n", e.what());
    return e.code();
  } catch (const nlohmann::json::exception& e) {
    std::fprintf(stderr, "stemedb: the server's answer has an unexpected shape: %s\n", e.what());
    return kExitUnreachable;
  }
  return kExitOk;
}

#pragma once
// The subcommands of `stemedb`, one group per file. Each registers its subcommands on the app;
// a subcommand's callback does the work and throws a CliError when it fails.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "api_client.h"
#include "global_options.h"

namespace stemedb::cli {

void AddKeygenCommand(CLI::App& app, const GlobalOptions& options);  // keygen_command.cpp
void AddWriteCommands(CLI::App& app, const GlobalOptions& options);  // write_commands.cpp
void AddReadCommands(CLI::App& app, const GlobalOptions& options);   // read_commands.cpp
void AddFeedCommand(CLI::App& app, const GlobalOptions& options);    // feed_command.cpp
void AddAdminCommands(CLI::App& app, const GlobalOptions& options);  // admin_commands.cpp
void AddResubmitCommand(CLI::App& app, const GlobalOptions& options);  // resubmit_command.cpp
void AddExportCommand(CLI::App& app, const GlobalOptions& options);    // export_command.cpp
void AddImportCommand(CLI::App& app, const GlobalOptions& options);    // import_command.cpp

using Renderer = std::string (*)(const nlohmann::json&);

// Prints `raw_json` (with --json) or `render(value)` on stdout.
void Print(const GlobalOptions& options, const std::string& raw_json, const nlohmann::json& value, Renderer render);
inline void Print(const GlobalOptions& options, const ApiAnswer& answer, Renderer render) {
  Print(options, answer.body, answer.value, render);
}

}  // namespace stemedb::cli

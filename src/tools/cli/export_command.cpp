// `stemedb export [--output FILE] [--after SEQ]`: every record agents posted, in log order, one
// signed record a line (GET /v1/export, admin key), to FILE or stdout. A file is written as
// FILE.partial and renamed once the export is whole, so a FILE that exists is complete; an
// export the server cut short (its error line) or a lost connection leaves only the .partial.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli_error.h"
#include "commands.h"
#include "view_flags.h"

namespace stemedb::cli {
namespace {

struct ExportFlags {
  std::string output;  // empty or "-": stdout
  std::optional<uint64_t> after;
};

// The server's error line, if `chunk` ends the export with one (export_stream.h).
std::optional<std::string> ErrorLine(const std::string& chunk) {
  const size_t at = chunk.rfind("{\"error\":");
  if (at == std::string::npos || (at > 0 && chunk[at - 1] != '\n')) return std::nullopt;
  return chunk.substr(at, chunk.find('\n', at) - at);
}

void Export(const GlobalOptions& options, const ExportFlags& f) {
  client::RequestTarget target("/v1/export");
  AddParam(target, "after", f.after);
  ApiClient api(options);
  const client::HttpResponse header = api.OpenStream(target.str(), "application/x-ndjson");
  const bool to_stdout = f.output.empty() || f.output == "-";
  const std::string partial = f.output + ".partial";
  std::ofstream file;
  if (!to_stdout) {
    file.open(partial, std::ios::binary | std::ios::trunc);
    if (!file) throw CliError(kExitUsage, "cannot write " + partial);
  }
  std::ostream& out = to_stdout ? std::cout : file;
  uint64_t lines = 0;
  while (auto chunk = api.NextChunk()) {
    if (auto error = ErrorLine(*chunk)) throw CliError(kExitRefused, "the server cut the export short: " + *error);
    for (char c : *chunk) lines += c == '\n';
    out << *chunk;
    if (!out) throw CliError(kExitUsage, "writing " + (to_stdout ? std::string("stdout") : partial) + " failed");
  }
  out.flush();
  if (!to_stdout) {
    file.close();
    if (!file) throw CliError(kExitUsage, "writing " + partial + " failed");
    std::filesystem::rename(partial, f.output);
  }
  std::fprintf(stderr, "exported %llu records (the log up to seq %s)%s\n", static_cast<unsigned long long>(lines),
               header.Header("x-stemedb-export-to-seq").c_str(), to_stdout ? "" : (" to " + f.output).c_str());
}

}  // namespace

void AddExportCommand(CLI::App& app, const GlobalOptions& options) {
  auto f = std::make_shared<ExportFlags>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write every record agents posted, in log order, one signed record a line (admin key)");
  cmd->add_option("--output,-o", f->output, "The file to write (default: stdout)");
  cmd->add_option("--after", f->after, "Only records after this seq");
  cmd->callback([&options, f] { Export(options, *f); });
}

}  // namespace stemedb::cli

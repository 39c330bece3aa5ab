#include "support/replace_all.h"
#include "support/runbook.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <sstream>

#include "support/ops_scripts.h"

namespace stemedb::testing {
std::string ReadRunbook(const std::string& name) {
  return ReadFile(std::string(STEMEDB_SOURCE_DIR) + "/docs/operations/runbooks/" + name);
}

std::string CodeBlock(const std::string& markdown, const std::string& needle) {
  std::istringstream in(markdown);
  std::string line, block;
  bool inside = false;
  size_t indent = 0;
  while (std::getline(in, line)) {
    const size_t first = line.find_first_not_of(' ');
    const bool fence = first != std::string::npos && line.compare(first, 3, "```") == 0;
    if (fence && !inside) {
      inside = true;
      indent = first;
      block.clear();
    } else if (fence) {
      inside = false;
      if (block.find(needle) != std::string::npos) return block;
    } else if (inside) {
      const bool blank = line.find_first_not_of(' ') == std::string::npos;
      block += line.substr(std::min(indent, blank ? line.size() : indent)) + "\n";
    }
  }
  ADD_FAILURE() << "no code block with '" << needle << "' in the runbook";
  return "";
}

std::string Localized(std::string block, const RunbookPlaces& places) {
  if (!places.url.empty()) ReplaceAll(block, "http://localhost:18180", places.url);
  if (!places.data_dir.empty()) ReplaceAll(block, "/var/lib/stemedb", places.data_dir);
  if (!places.backups_dir.empty()) ReplaceAll(block, "/var/backups/stemedb", places.backups_dir);
  if (!places.log_file.empty()) {
    // The journal's time filter has no counterpart in a file: the whole log is read.
    block = std::regex_replace(block, std::regex(R"(journalctl -u stemedb-api( --since "[^"]*")?)"), "cat " + places.log_file);
  }
  ReplaceAll(block, "sudo -u stemedb ", "");
  ReplaceAll(block, "/usr/lib/stemedb/", std::string(STEMEDB_SOURCE_DIR) + "/scripts/");
  std::istringstream in(block);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("systemctl ", 0) == 0 || line.rfind("chown ", 0) == 0) continue;
    out += line + "\n";
  }
  return out;
}

ProcessResult RunCommands(const std::string& commands, const std::vector<std::string>& env) {
  std::vector<std::string> full_env = {"PATH=" + ToolsDir() + ":" + std::getenv("PATH")};
  full_env.insert(full_env.end(), env.begin(), env.end());
  return RunProcess({"bash", "-c", "set -o pipefail\n" + commands}, full_env);
}

}  // namespace stemedb::testing

// `stemedb keygen FILE [--force]`: a new agent key (key_file.h).
#include "commands.h"
#include "key_file.h"
#include "render.h"
#include "stemedb/core/hex.h"

namespace stemedb::cli {

void AddKeygenCommand(CLI::App& app, const GlobalOptions& options) {
  struct Flags {
    std::string path;
    bool force = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("keygen", "Create an agent key file (Ed25519, mode 0600) and print its agent id");
  cmd->add_option("FILE", flags->path, "Where to write the key")->required();
  cmd->add_flag("--force", flags->force, "Replace an existing file (the agent it held is lost)");
  cmd->callback([&options, flags] {
    const core::PublicKey agent_id = WriteNewKeyFile(flags->path, flags->force);
    const nlohmann::json result = {{"agent_id", core::HexEncode(agent_id)}, {"key_file", flags->path}};
    Print(options, result.dump(), result, RenderFields);
  });
}

}  // namespace stemedb::cli

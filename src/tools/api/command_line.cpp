#include "command_line.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <map>

#include "stemedb/build_info.h"

namespace stemedb::api {
namespace {

constexpr const char* kDefaultConfigFile = "/etc/stemedb/api.toml";

// Short flags for the keys operators type most.
const std::map<std::string, std::string>& FlagAliases() {
  static const std::map<std::string, std::string> aliases = {
      {"server.bind", "--bind"},
      {"storage.data_dir", "--data-dir"},
      {"wal.dir", "--wal-dir"},
      {"log.level", "--log-level"},
  };
  return aliases;
}

[[noreturn]] void Exit(int code, const std::string& message) {
  std::fprintf(code == 0 ? stdout : stderr, "%s\n", message.c_str());
  std::exit(code);
}

// File, then environment, then the flags given: each later source overrides the earlier ones.
Status LoadConfig(const CLI::App& app, std::string config_file, const std::vector<std::string>& environment,
                  const std::map<std::string, std::string>& flag_values,
                  const std::map<std::string, std::string>& flag_names, CommandLine& out) {
  ops::ConfigLoader loader;
  if (config_file.empty()) {
    if (const char* env_file = std::getenv("STEMEDB_CONFIG"); env_file && *env_file) config_file = env_file;
    else if (std::filesystem::exists(kDefaultConfigFile)) config_file = kDefaultConfigFile;
  }
  if (!config_file.empty()) STEMEDB_RETURN_IF_ERROR(loader.LoadFile(config_file));
  Result<std::vector<std::string>> warnings = loader.LoadEnvironment(environment);
  if (!warnings.ok()) return warnings.status();
  out.warnings = std::move(warnings).value();
  for (const auto& spec : ops::ConfigKeys()) {
    if (app.get_option(spec.FlagName())->count() == 0) continue;
    STEMEDB_RETURN_IF_ERROR(loader.SetFromFlag(spec.Dotted(), flag_values.at(spec.Dotted()), flag_names.at(spec.Dotted())));
  }
  Result<ops::Config> config = loader.Finish();
  if (!config.ok()) return config.status();
  out.config = std::move(config).value();
  out.origin = loader.origin();
  return Status::OK();
}

}  // namespace

CommandLine ParseCommandLine(int argc, char** argv, char** envp) {
  CLI::App app{"stemedb-api: the StemeDB daemon (HTTP API over a group-commit WAL and RocksDB).\n"
               "Precedence: flags > STEMEDB_* environment > config file > defaults."};
  std::string config_file;
  bool check_config = false, version = false, env_example = false;
  app.add_option("--config", config_file,
                 std::string("TOML config file (default ") + kDefaultConfigFile + " when it exists; env STEMEDB_CONFIG)");
  app.add_flag("--check-config", check_config, "Validate, print the effective configuration (secrets masked) and exit");
  app.add_flag("--version", version, "Print the version and exit");
  app.add_flag("--print-env-example", env_example, "Print the .env.example these defaults imply and exit")
      ->group("");  // hidden: used to regenerate the shipped file

  std::map<std::string, std::string> flag_values;  // dotted -> raw
  std::map<std::string, std::string> flag_names;   // dotted -> flag spelled as given
  for (const auto& spec : ops::ConfigKeys()) {
    std::string names = spec.FlagName();
    auto alias = FlagAliases().find(spec.Dotted());
    // wal.dir's long name is already --wal-dir: adding it again would list it twice in --help.
    if (alias != FlagAliases().end() && alias->second != names) names += "," + alias->second;
    std::string help = spec.help + " [" + spec.Dotted() + ", env " + spec.EnvName() + "]";
    app.add_option(names, flag_values[spec.Dotted()], help)->group("Configuration (" + spec.section + ")");
    flag_names[spec.Dotted()] = spec.FlagName();
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e) == 0 ? 0 : 2);
  }
  if (version) Exit(0, std::string("stemedb-api ") + build::kVersion + " (commit " + build::kCommit + ")");
  if (env_example) {
    std::fputs(ops::RenderEnvExample().c_str(), stdout);
    std::exit(0);
  }

  std::vector<std::string> environment;
  for (char** e = envp; e && *e; ++e) environment.emplace_back(*e);

  CommandLine out;
  Status loaded = LoadConfig(app, config_file, environment, flag_values, flag_names, out);
  if (!loaded.ok()) Exit(2, "stemedb-api: " + loaded.message());
  out.check_config = check_config;
  return out;
}

}  // namespace stemedb::api

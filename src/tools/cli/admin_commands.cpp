// `stemedb drain | undrain | node | keys create|list|revoke`: the admin API (role admin;
// http-api.md, Admin). --api-key (or STEMEDB_API_KEY) must hold an admin key.
#include "cli_error.h"
#include "commands.h"
#include "render.h"
#include "stemedb/client/request_target.h"

namespace stemedb::cli {
namespace {

std::string RenderCreatedKey(const nlohmann::json& answer) {
  return RenderFields(answer) + "the key is shown only this once: store it now\n";
}

// A subcommand that sends one request without flags and prints the answer.
void AddSimple(CLI::App& parent, const GlobalOptions& options, const char* name, const char* help, const char* method,
               const char* path, Renderer render) {
  CLI::App* cmd = parent.add_subcommand(name, help);
  cmd->callback([&options, method, path, render] {
    ApiClient api(options);
    Print(options, std::string(method) == "GET" ? api.Get(path) : api.Post(path), render);
  });
}

void AddKeys(CLI::App& app, const GlobalOptions& options) {
  CLI::App* keys = app.add_subcommand("keys", "Manage API keys: create, list, revoke");
  keys->require_subcommand(1);

  struct CreateFlags {
    std::string role;
    std::string name;
  };
  auto f = std::make_shared<CreateFlags>();
  CLI::App* create = keys->add_subcommand("create", "Create an API key; its secret is printed once");
  create->add_option("--role", f->role, "read, write or admin")->required();
  create->add_option("--name", f->name, "A label for the key (who or what uses it)");
  create->callback([&options, f] {
    ApiClient api(options);
    const nlohmann::json body = {{"role", f->role}, {"name", f->name}};
    Print(options, api.Post("/v1/admin/keys", body.dump()), RenderCreatedKey);
  });

  AddSimple(*keys, options, "list", "List API keys (ids, roles, names; never secrets)", "GET", "/v1/admin/keys",
            RenderKeys);

  auto key_id = std::make_shared<std::string>();
  CLI::App* revoke = keys->add_subcommand("revoke", "Revoke an API key");
  revoke->add_option("KEY_ID", *key_id, "The key's id, as keys list shows it")->required();
  revoke->callback([&options, key_id] {
    ApiClient api(options);
    Print(options, api.Delete("/v1/admin/keys/" + client::PercentEncode(*key_id)), RenderFields);
  });
}

}  // namespace

void AddAdminCommands(CLI::App& app, const GlobalOptions& options) {
  AddSimple(app, options, "drain", "Stop taking writes, finish in-flight ones, flush (readiness turns 503)", "POST",
            "/v1/admin/node/drain", RenderFields);
  AddSimple(app, options, "undrain", "Take writes again", "POST", "/v1/admin/node/undrain", RenderFields);
  CLI::App* node = app.add_subcommand("node", "Show the node's state, uptime, WAL and storage figures, and its replication role");
  node->callback([&options] {
    ApiClient api(options);
    ApiAnswer answer = api.Get("/v1/admin/node");
    // The role and offsets (docs/replication.md); a server without replication answers 404.
    try {
      answer.value["replication"] = api.Get("/v1/admin/replication").value;
    } catch (const CliError&) {
      answer.value["replication"] = {{"role", "unknown"}};
    }
    Print(options, answer.value.dump(), answer.value, RenderFields);
  });
  AddKeys(app, options);
}

}  // namespace stemedb::cli

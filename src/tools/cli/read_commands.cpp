// `stemedb query | skeptic | layered | get | trace | subjects | predicates`: the read API
// (http-api.md, Reads).
#include "commands.h"
#include "render.h"
#include "stemedb/client/request_target.h"
#include "view_flags.h"

namespace stemedb::cli {
namespace {

void GetAndPrint(const GlobalOptions& options, const std::string& target, Renderer render) {
  ApiClient api(options);
  Print(options, api.Get(target), render);
}

void AddQuery(CLI::App& app, const GlobalOptions& options) {
  struct Flags {
    ViewFlags view;
    std::optional<std::string> lens, inner, cursor;
    std::optional<uint64_t> limit;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("query", "Resolve a subject (every predicate) or subject+predicate through a lens");
  AddViewFlags(cmd, f->view, false);
  cmd->add_option("--lens", f->lens, "recency (default), confidence, consensus, vote, authority, epoch");
  cmd->add_option("--inner", f->inner, "The lens inside lens=epoch (default recency)");
  cmd->add_option("--limit", f->limit, "Candidates (or predicates) a page, 1..1000 (default 100)");
  cmd->add_option("--cursor", f->cursor, "The next page, as the previous answer said");
  cmd->callback([&options, f] {
    client::RequestTarget target = ViewTarget("/v1/query", f->view);
    AddParam(target, "lens", f->lens);
    AddParam(target, "inner", f->inner);
    AddParam(target, "limit", f->limit);
    AddParam(target, "cursor", f->cursor);
    GetAndPrint(options, target.str(), RenderQuery);
  });
}

// skeptic and layered: subject, predicate and filters, one renderer each.
void AddView(CLI::App& app, const GlobalOptions& options, const char* name, const char* help, Renderer render) {
  auto f = std::make_shared<ViewFlags>();
  CLI::App* cmd = app.add_subcommand(name, help);
  AddViewFlags(cmd, *f, true);
  const std::string path = std::string("/v1/") + name;
  cmd->callback([&options, f, path, render] { GetAndPrint(options, ViewTarget(path, *f).str(), render); });
}

void AddGet(CLI::App& app, const GlobalOptions& options) {
  auto id = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("get", "Show an assertion with its votes and flags (GET /v1/assertions/{id})");
  cmd->add_option("ID", *id, "The assertion's id (64 hex)")->required();
  cmd->callback([&options, id] { GetAndPrint(options, "/v1/assertions/" + client::PercentEncode(*id), RenderAssertion); });
}

void AddTrace(CLI::App& app, const GlobalOptions& options) {
  auto id = std::make_shared<std::string>();
  auto depth = std::make_shared<std::optional<uint64_t>>();
  CLI::App* cmd = app.add_subcommand("trace", "Show an assertion's lineage: parents, children, source, signers, votes, epoch");
  cmd->add_option("ID", *id, "The assertion's id (64 hex)")->required();
  cmd->add_option("--depth", *depth, "Parents to follow, 0..64 (default 16)");
  cmd->callback([&options, id, depth] {
    client::RequestTarget target("/v1/trace/" + client::PercentEncode(*id));
    AddParam(target, "depth", *depth);
    GetAndPrint(options, target.str(), RenderTrace);
  });
}

}  // namespace

void AddSubjects(CLI::App& app, const GlobalOptions& options) {
  struct Flags {
    std::optional<std::string> prefix, cursor;
    std::optional<uint64_t> limit;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("subjects", "List the subjects the store holds, in byte order (GET /v1/subjects)");
  cmd->add_option("--prefix", f->prefix, "Only subjects starting with this");
  cmd->add_option("--limit", f->limit, "Subjects a page, 1..1000 (default 100)");
  cmd->add_option("--cursor", f->cursor, "The next page, as the previous answer said");
  cmd->callback([&options, f] {
    client::RequestTarget target("/v1/subjects");
    AddParam(target, "prefix", f->prefix);
    AddParam(target, "limit", f->limit);
    AddParam(target, "cursor", f->cursor);
    GetAndPrint(options, target.str(), RenderSubjects);
  });
}

void AddPredicates(CLI::App& app, const GlobalOptions& options) {
  struct Flags {
    std::string subject;
    std::optional<std::string> cursor;
    std::optional<uint64_t> limit;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "predicates", "List a subject's predicates with their claim counts (GET /v1/subjects/{subject}/predicates)");
  cmd->add_option("SUBJECT", f->subject, "The subject")->required();
  cmd->add_option("--limit", f->limit, "Predicates a page, 1..100 (default 50)");
  cmd->add_option("--cursor", f->cursor, "The next page, as the previous answer said");
  cmd->callback([&options, f] {
    client::RequestTarget target("/v1/subjects/" + client::PercentEncode(f->subject) + "/predicates");
    AddParam(target, "limit", f->limit);
    AddParam(target, "cursor", f->cursor);
    GetAndPrint(options, target.str(), RenderPredicates);
  });
}

void AddReadCommands(CLI::App& app, const GlobalOptions& options) {
  AddQuery(app, options);
  AddView(app, options, "skeptic", "Show the disagreement about subject+predicate: claims ranked by support",
          RenderSkeptic);
  AddView(app, options, "layered", "Resolve subject+predicate per authority tier", RenderLayered);
  AddGet(app, options);
  AddTrace(app, options);
  AddSubjects(app, options);
  AddPredicates(app, options);
}

}  // namespace stemedb::cli

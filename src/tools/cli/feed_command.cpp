// `stemedb feed [--follow]`: records in log order (GET /v1/feed: assertions, and the kinds
// --kind names); with --follow the Server-Sent Events stream, one line (or, with --json, one
// JSON object) per new record, until interrupted.
#include <iostream>

#include "cli_error.h"
#include "commands.h"
#include "render.h"
#include "sse_parser.h"
#include "view_flags.h"

namespace stemedb::cli {
namespace {

struct FeedFlags {
  std::optional<uint64_t> after;
  std::optional<uint64_t> limit;
  std::optional<std::string> subject_prefix;
  std::optional<std::string> predicate;
  std::optional<std::string> kind;
  bool follow = false;
};

// Prints each assertion event as it arrives; returns only when the server ends the stream.
void Follow(const GlobalOptions& options, ApiClient& api, const std::string& target) {
  api.OpenStream(target);
  SseParser parser;
  std::string last_seq;
  while (auto chunk = api.NextChunk()) {
    for (const SseEvent& event : parser.Feed(*chunk)) {
      if (event.event.empty()) continue;  // only records carry an event name
      const nlohmann::json item = nlohmann::json::parse(event.data, nullptr, false);
      std::cout << (options.json ? event.data : RenderFeedItem(event.event, item)) << std::endl;
      last_seq = event.id;
    }
  }
  throw CliError(kExitUnreachable, "the server ended the feed stream" +
                                       (last_seq.empty() ? std::string() : "; resume with --after " + last_seq));
}

}  // namespace

void AddFeedCommand(CLI::App& app, const GlobalOptions& options) {
  auto f = std::make_shared<FeedFlags>();
  CLI::App* cmd = app.add_subcommand("feed", "Records in log order; --follow streams new ones until interrupted");
  cmd->add_option("--after", f->after, "Start after this seq (default 0: from the beginning)");
  auto* limit = cmd->add_option("--limit", f->limit, "Records a page, 1..1000 (default 100)");
  cmd->add_option("--subject-prefix", f->subject_prefix, "Only assertions (and votes on them) whose subject starts with this");
  cmd->add_option("--predicate", f->predicate, "Only assertions (and votes on them) with this predicate");
  cmd->add_option("--kind", f->kind, "Record kinds, comma-separated: assertion, vote, epoch, source (default assertion)");
  cmd->add_flag("--follow", f->follow, "Keep the stream open and print records as they become durable")
      ->excludes(limit);
  cmd->callback([&options, f] {
    client::RequestTarget target("/v1/feed");
    AddParam(target, "after", f->after);
    AddParam(target, "subject_prefix", f->subject_prefix);
    AddParam(target, "predicate", f->predicate);
    AddParam(target, "kind", f->kind);
    ApiClient api(options);
    if (f->follow) {
      target.Add("follow", "true");
      return Follow(options, api, target.str());
    }
    AddParam(target, "limit", f->limit);
    Print(options, api.Get(target.str()), RenderFeed);
  });
}

}  // namespace stemedb::cli

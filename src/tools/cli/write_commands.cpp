// `stemedb assert | vote | epoch | source`: build the record from flags, sign it with the key
// files, post it and print the server's answer (record_builders.h).
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>

#include "cli_error.h"
#include "commands.h"
#include "key_file.h"
#include "record_builders.h"
#include "render.h"
#include "stemedb/core/limits.h"
#include "stemedb/core/record_json.h"

namespace stemedb::cli {
namespace {

constexpr size_t kContentFileBytesMax = core::kSourceContentBytesMax;

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::vector<core::Ed25519KeyPair> LoadKeys(const std::vector<std::string>& paths) {
  std::vector<core::Ed25519KeyPair> keys;
  for (const auto& path : paths) keys.push_back(ReadKeyFile(path));
  return keys;
}

void AddSignersOption(CLI::App* cmd, std::vector<std::string>& paths) {
  cmd->add_option("--key", paths, "Key file to sign with (stemedb keygen); repeat to co-sign, the first is the author")
      ->required()
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

void PostRecord(const GlobalOptions& options, const char* path, const nlohmann::json& record) {
  ApiClient api(options);
  Print(options, api.Post(path, record.dump()), RenderFields);
}

std::string ReadContentFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) UsageError("--content-file " + path + ": cannot open: " + std::strerror(errno));
  std::string content(kContentFileBytesMax + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  if (in.bad()) UsageError("--content-file " + path + ": cannot read");
  if (static_cast<size_t>(in.gcount()) > kContentFileBytesMax) {
    UsageError("--content-file " + path + ": larger than " + std::to_string(kContentFileBytesMax) + " bytes");
  }
  content.resize(static_cast<size_t>(in.gcount()));
  return content;
}

void AddAssert(CLI::App& app, const GlobalOptions& options) {
  auto f = std::make_shared<AssertionFlags>();
  auto keys = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand("assert", "Sign and post an assertion (POST /v1/assert)");
  cmd->add_option("--subject", f->subject, "What the claim is about, e.g. drugs/semaglutide")->required();
  cmd->add_option("--predicate", f->predicate, "The property claimed, e.g. gastroparesis_risk")->required();
  cmd->add_option("--text", f->text, "Object: a text value")->group("Object (exactly one)");
  cmd->add_option("--number", f->number, "Object: a number")->group("Object (exactly one)");
  cmd->add_option("--boolean", f->boolean, "Object: true or false")->group("Object (exactly one)");
  cmd->add_option("--reference", f->reference, "Object: an entity id")->group("Object (exactly one)");
  cmd->add_option("--confidence", f->confidence, "0..1")->required();
  cmd->add_option("--timestamp", f->timestamp, "Unix seconds the claim was made (default: now)");
  cmd->add_option("--source-hash", f->source_hash, "Id (64 hex) of the evidence");
  cmd->add_option("--source-class", f->source_class, "regulatory, clinical, observational, expert, community, anecdotal")
      ->capture_default_str();
  cmd->add_option("--lifecycle", f->lifecycle, "proposed, under_review, approved, deprecated, rejected")
      ->capture_default_str();
  cmd->add_option("--epoch", f->epoch, "Id (64 hex) of the epoch the claim belongs to");
  cmd->add_option("--parent", f->parent, "Id (64 hex) of the assertion this one revises");
  cmd->add_option("--narrative", f->narrative, "Free text explaining the claim");
  cmd->add_option("--valid-from", f->valid_from, "Unix seconds: start of the period the claim is about");
  cmd->add_option("--valid-until", f->valid_until, "Unix seconds: end of that period");
  AddSignersOption(cmd, *keys);
  cmd->callback([&options, f, keys] {
    PostRecord(options, "/v1/assert", core::ToJson(BuildAssertion(*f, LoadKeys(*keys), NowSeconds())));
  });
}

void AddVote(CLI::App& app, const GlobalOptions& options) {
  auto f = std::make_shared<VoteFlags>();
  auto key = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("vote", "Sign and post a vote on an assertion (POST /v1/vote)");
  cmd->add_option("--assertion", f->assertion, "Id (64 hex) of the assertion voted on")->required();
  cmd->add_option("--weight", f->weight, "-1..1: negative disputes, positive endorses")->required();
  cmd->add_option("--timestamp", f->timestamp, "Unix seconds (default: now)");
  cmd->add_option("--key", *key, "Key file of the voter (stemedb keygen)")->required();
  cmd->callback([&options, f, key] {
    PostRecord(options, "/v1/vote", core::ToJson(BuildVote(*f, ReadKeyFile(*key), NowSeconds())));
  });
}

void AddEpoch(CLI::App& app, const GlobalOptions& options) {
  auto f = std::make_shared<EpochFlags>();
  auto keys = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand("epoch", "Sign and post an epoch (POST /v1/epoch)");
  cmd->add_option("--name", f->name, "The epoch's name")->required();
  cmd->add_option("--description", f->description, "What the epoch stands for");
  cmd->add_option("--started-at", f->started_at, "Unix seconds (default: now)");
  cmd->add_option("--supersedes", f->supersedes, "Id (64 hex) of an earlier epoch this one supersedes");
  cmd->add_option("--supersession-type", f->supersession_type, "replaces (default with --supersedes), refines, retracts");
  AddSignersOption(cmd, *keys);
  cmd->callback([&options, f, keys] {
    PostRecord(options, "/v1/epoch", core::ToJson(BuildEpoch(*f, LoadKeys(*keys), NowSeconds())));
  });
}

void AddSource(CLI::App& app, const GlobalOptions& options) {
  auto f = std::make_shared<SourceFlags>();
  auto content_file = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("source", "Register a source of evidence (POST /v1/sources; not signed)");
  cmd->add_option("--uri", f->uri, "Where the evidence is")->required();
  cmd->add_option("--title", f->title, "Its title");
  cmd->add_option("--source-class", f->source_class, "Authority tier, as for assert")->capture_default_str();
  auto* content = cmd->add_option("--content", f->content, "The document's text (its id is then its SHA-256)");
  cmd->add_option("--content-file", *content_file, "Read the document's text from a file")->excludes(content);
  cmd->callback([&options, f, content_file] {
    if (!content_file->empty()) f->content = ReadContentFile(*content_file);
    PostRecord(options, "/v1/sources", core::ToJson(BuildSource(*f)));
  });
}

}  // namespace

void AddWriteCommands(CLI::App& app, const GlobalOptions& options) {
  AddAssert(app, options);
  AddVote(app, options);
  AddEpoch(app, options);
  AddSource(app, options);
}

}  // namespace stemedb::cli

// The `stemedb` CLI against the real daemon: the real binary, run as a user would, its output
// and exit codes checked (docs/cli.md).

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/ed25519.h"
#include "stemedb/core/hex.h"
#include "support/daemon.h"
#include "support/process.h"
#include "support/sanitizer_report.h"
#include "support/temp_dir.h"
#include "support/text_fields.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 3;

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Runs `stemedb args...` (no --server added) with extra environment.
ProcessResult RunCli(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv = {STEMEDB_CLI_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, env, std::chrono::seconds(60));
}

// Runs `stemedb --server <d> args...`.
ProcessResult Cli(const Daemon& d, std::vector<std::string> args, const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), {"--server", d.url()});
  return RunCli(args, env);
}

// The JSON a successful `--json` command printed.
json JsonOf(const ProcessResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.out;
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out;
  return j;
}

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// An agent key file made by `stemedb keygen`, and the key it holds (read independently of the
// CLI, from the format docs/cli.md describes).
struct KeyFile {
  std::string path;
  std::string agent_id;
  core::Seed seed{};
};

KeyFile Keygen(const TempDir& dir, const std::string& name) {
  KeyFile k{dir.Sub(name)};
  json out = JsonOf(RunCli({"keygen", k.path, "--json"}));
  k.agent_id = out["agent_id"];
  json file = json::parse(ReadFile(k.path));
  EXPECT_EQ(file["agent_id"], k.agent_id);
  k.seed = *core::HexDecodeArray<core::kSeedBytes>(file["seed"].get<std::string>());
  EXPECT_EQ(core::HexEncode(core::Ed25519KeyPair(k.seed).public_key()), k.agent_id);
  return k;
}

// `stemedb assert` of a text claim with a fixed timestamp; returns the server's answer.
json Assert(const Daemon& d, const KeyFile& key, const std::string& subject, const std::string& text,
            std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"assert", "--json",       "--key",       key.path,         "--subject", subject,
                                   "--predicate", "risk",    "--text",      text,             "--confidence", "0.8",
                                   "--timestamp", "1700000000"};
  args.insert(args.end(), more.begin(), more.end());
  return JsonOf(Cli(d, args));
}

TEST(CliTest, SubjectsPredicatesAndFeedKinds) {
  Daemon d;
  TempDir dir;
  const KeyFile key = Keygen(dir, "agent.key");
  const json claim = Assert(d, key, "drugs/a b", "one");
  Assert(d, key, "drugs/a b", "two");
  Assert(d, key, "people/x", "three");

  ProcessResult subjects = Cli(d, {"subjects", "--prefix", "drugs/"});
  ASSERT_EQ(subjects.exit_code, 0) << subjects.out;
  EXPECT_EQ(subjects.out, "drugs/a b\n");
  ProcessResult paged = Cli(d, {"subjects", "--limit", "1"});
  EXPECT_TRUE(Has(paged.out, "drugs/a b\nmore: --cursor s")) << paged.out;
  ProcessResult predicates = Cli(d, {"predicates", "drugs/a b"});
  ASSERT_EQ(predicates.exit_code, 0) << predicates.out;
  EXPECT_TRUE(Has(predicates.out, "PREDICATE  CLAIMS\nrisk       2\n")) << predicates.out;
  ProcessResult nobody = Cli(d, {"predicates", "nobody"});
  EXPECT_EQ(nobody.exit_code, kExitRefused);
  EXPECT_TRUE(Has(nobody.out, "subject_not_found")) << nobody.out;

  JsonOf(Cli(d, {"vote", "--json", "--key", key.path, "--assertion", claim["id"], "--weight", "1"}));
  const json votes = JsonOf(Cli(d, {"feed", "--json", "--kind", "vote", "--predicate", "risk"}));
  ASSERT_EQ(votes["votes"].size(), 1u) << votes;
  EXPECT_EQ(votes["votes"][0]["assertion_hash"], claim["id"]);
  ProcessResult table = Cli(d, {"feed", "--kind", "assertion,vote"});
  EXPECT_TRUE(Has(table.out, "  vote  on " + claim["id"].get<std::string>())) << table.out;
}

TEST(CliTest, KeygenWritesMode0600AndRefusesToOverwrite) {
  TempDir dir;
  const std::string path = dir.Sub("agent.key");
  ProcessResult first = RunCli({"keygen", path});
  ASSERT_EQ(first.exit_code, 0) << first.out;
  EXPECT_TRUE(Has(first.out, "agent_id  ")) << first.out;
  EXPECT_EQ(ModeOf(path), 0600u);
  const std::string before = ReadFile(path);
  EXPECT_TRUE(Has(first.out, json::parse(before)["agent_id"].get<std::string>()));

  ProcessResult again = RunCli({"keygen", path});
  EXPECT_EQ(again.exit_code, kExitUsage);
  EXPECT_EQ(again.out, "stemedb: key file " + path + ": exists; --force replaces it (the agent it holds is then lost)\n");
  EXPECT_EQ(ReadFile(path), before);

  ProcessResult forced = RunCli({"keygen", path, "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.out;
  EXPECT_NE(ReadFile(path), before);
  EXPECT_EQ(ModeOf(path), 0600u);
}

TEST(CliTest, AssertThenGetShowsTheIdTheServerComputed) {
  Daemon d;
  TempDir dir;
  const KeyFile key = Keygen(dir, "agent.key");
  const json answer = Assert(d, key, "drugs/semaglutide", "rare");
  EXPECT_EQ(answer["status"], "created");

  // The id is the content id of exactly the claim the flags describe, signed by the key.
  core::Assertion expected;
  expected.subject = "drugs/semaglutide";
  expected.predicate = "risk";
  expected.object = core::TextObject{"rare"};
  expected.confidence = 0.8;
  expected.timestamp = 1700000000;
  const std::string id = core::IdHex(core::ContentId(expected));
  EXPECT_EQ(answer["id"], id);

  const json got = JsonOf(Cli(d, {"get", id, "--json"}));
  EXPECT_EQ(got["id"], id);
  EXPECT_EQ(got["signers"], json::array({key.agent_id}));
  ProcessResult readable = Cli(d, {"get", id});
  ASSERT_EQ(readable.exit_code, 0) << readable.out;
  EXPECT_TRUE(HasField(readable.out, "id", id)) << readable.out;
  EXPECT_TRUE(HasField(readable.out, "object", "rare")) << readable.out;

  // The same claim again is "exists"; signed by a second agent, "cosigned".
  EXPECT_EQ(Assert(d, key, "drugs/semaglutide", "rare")["status"], "exists");
  const KeyFile other = Keygen(dir, "other.key");
  const json cosigned = Assert(d, other, "drugs/semaglutide", "rare", {"--key", key.path});
  EXPECT_EQ(cosigned["id"], id);
  EXPECT_EQ(cosigned["status"], "cosigned");
}

TEST(CliTest, VoteEpochAndSourceArePostedAndLinked) {
  Daemon d;
  TempDir dir;
  const KeyFile key = Keygen(dir, "agent.key");
  const json source = JsonOf(Cli(d, {"source", "--json", "--uri", "https://example.org/trial", "--title", "Trial",
                                     "--source-class", "clinical", "--content", "the full text"}));
  EXPECT_EQ(source["status"], "created");
  const json epoch = JsonOf(Cli(d, {"epoch", "--json", "--key", key.path, "--name", "2024-guidelines",
                                    "--description", "as of the 2024 guidelines"}));
  EXPECT_EQ(epoch["status"], "created");
  const json later = JsonOf(Cli(d, {"epoch", "--json", "--key", key.path, "--name", "2025-guidelines",
                                    "--supersedes", epoch["id"]}));
  EXPECT_EQ(later["status"], "created");

  const json claim = Assert(d, key, "drugs/x", "rare", {"--epoch", later["id"], "--source-hash", source["id"],
                                                        "--source-class", "clinical", "--lifecycle", "approved"});
  const KeyFile voter = Keygen(dir, "voter.key");
  const json vote = JsonOf(Cli(d, {"vote", "--json", "--key", voter.path, "--assertion", claim["id"], "--weight", "1"}));
  EXPECT_EQ(vote["status"], "created");
  const json got = JsonOf(Cli(d, {"get", claim["id"], "--json"}));
  EXPECT_EQ(got["votes"]["count"], 1);
  EXPECT_EQ(got["epoch"], later["id"]);
  EXPECT_EQ(got["source_hash"], source["id"]);
  EXPECT_EQ(got["lifecycle"], "approved");

  ProcessResult readable = Cli(d, {"vote", "--key", voter.path, "--assertion", claim["id"], "--weight", "-1"});
  ASSERT_EQ(readable.exit_code, 0) << readable.out;
  EXPECT_TRUE(HasField(readable.out, "status", "created")) << readable.out;
}

TEST(CliTest, QuerySkepticLayeredAndTraceOutput) {
  Daemon d;
  TempDir dir;
  const KeyFile a = Keygen(dir, "a.key");
  const KeyFile b = Keygen(dir, "b.key");
  const std::string rare = Assert(d, a, "drugs/y", "rare", {"--source-class", "clinical"})["id"];
  const std::string common = Assert(d, b, "drugs/y", "common")["id"];

  ProcessResult query = Cli(d, {"query", "--subject", "drugs/y", "--predicate", "risk", "--lens", "authority"});
  ASSERT_EQ(query.exit_code, 0) << query.out;
  EXPECT_TRUE(HasField(query.out, "winner", "rare  " + rare)) << query.out;
  EXPECT_TRUE(Has(query.out, "#  OBJECT")) << query.out;
  EXPECT_TRUE(Has(query.out, common)) << query.out;
  const json every = JsonOf(Cli(d, {"query", "--subject", "drugs/y", "--json"}));
  ASSERT_EQ(every["resolutions"].size(), 1u);
  EXPECT_EQ(every["resolutions"][0]["candidates_count"], 2);

  ProcessResult skeptic = Cli(d, {"skeptic", "--subject", "drugs/y", "--predicate", "risk"});
  ASSERT_EQ(skeptic.exit_code, 0) << skeptic.out;
  const json view = JsonOf(Cli(d, {"skeptic", "--subject", "drugs/y", "--predicate", "risk", "--json"}));
  ASSERT_EQ(view["claims"].size(), 2u);
  EXPECT_TRUE(HasField(skeptic.out, "status", view["status"])) << skeptic.out;
  EXPECT_TRUE(Has(skeptic.out, "OBJECT  SUPPORT")) << skeptic.out;
  EXPECT_TRUE(Has(skeptic.out, "\ncommon  ")) << skeptic.out;
  ProcessResult layered = Cli(d, {"layered", "--subject", "drugs/y", "--predicate", "risk"});
  ASSERT_EQ(layered.exit_code, 0) << layered.out;
  EXPECT_TRUE(HasField(layered.out, "winner", "rare  " + rare)) << layered.out;

  const std::string child = Assert(d, a, "drugs/y", "rare", {"--parent", rare, "--lifecycle", "under_review"})["id"];
  ProcessResult trace = Cli(d, {"trace", child});
  ASSERT_EQ(trace.exit_code, 0) << trace.out;
  EXPECT_TRUE(Has(trace.out, "assertion  " + child + "  drugs/y  risk = rare")) << trace.out;
  EXPECT_TRUE(Has(trace.out, "parents    " + rare)) << trace.out;
  EXPECT_TRUE(Has(trace.out, "signers    " + a.agent_id + "  trust ")) << trace.out;
  const json traced = JsonOf(Cli(d, {"trace", rare, "--json"}));
  EXPECT_EQ(traced["children"], json::array({child}));
}

TEST(CliTest, FeedListsAndFollowStreams) {
  Daemon d;
  TempDir dir;
  const KeyFile key = Keygen(dir, "agent.key");
  const std::string first = Assert(d, key, "feed/a", "one")["id"];
  Assert(d, key, "other/b", "two");

  const json all = JsonOf(Cli(d, {"feed", "--json"}));
  ASSERT_EQ(all["assertions"].size(), 2u);
  EXPECT_EQ(all["assertions"][0]["id"], first);
  ProcessResult some = Cli(d, {"feed", "--subject-prefix", "feed/"});
  ASSERT_EQ(some.exit_code, 0) << some.out;
  EXPECT_TRUE(Has(some.out, "SEQ  ID")) << some.out;
  EXPECT_TRUE(Has(some.out, first)) << some.out;
  EXPECT_FALSE(Has(some.out, "other/b")) << some.out;

  // --follow prints what is there, then each new assertion as it becomes durable.
  const std::string log = dir.Sub("follow.log");
  pid_t follower = SpawnProcess({STEMEDB_CLI_BINARY, "--server", d.url(), "feed", "--follow", "--json"}, {}, log);
  auto wait_for = [&](const std::string& id) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!Has(ReadFile(log), id) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return Has(ReadFile(log), id);
  };
  EXPECT_TRUE(wait_for(first)) << ReadFile(log);
  const std::string later = Assert(d, key, "feed/c", "three")["id"];
  EXPECT_TRUE(wait_for(later)) << ReadFile(log);
  kill(follower, SIGTERM);
  WaitProcess(follower, std::chrono::seconds(30));
  // One JSON object a line.
  const std::string streamed = ReadFile(log);
  ExpectNoSanitizerReport("stemedb feed --follow", streamed);
  const std::string first_line = streamed.substr(0, streamed.find('\n'));
  EXPECT_EQ(json::parse(first_line, nullptr, false).value("id", ""), first) << streamed;
}

TEST(CliTest, KeysCreateListAndRevokeWithTheAdminKey) {
  Daemon d({.args = {"--auth-mode", "all"}});
  TempDir dir;
  const std::string root = d.RootKey();
  const json created = JsonOf(Cli(d, {"--api-key", root, "keys", "create", "--role", "write", "--name", "ci", "--json"}));
  const std::string key_id = created["key_id"];
  const std::string secret = created["key"];
  EXPECT_EQ(created["role"], "write");

  // The new key writes (through STEMEDB_API_KEY this time).
  const KeyFile agent = Keygen(dir, "agent.key");
  ProcessResult write = Cli(d, {"assert", "--key", agent.path, "--subject", "s", "--predicate", "p", "--text", "t",
                                "--confidence", "1"},
                            {"STEMEDB_API_KEY=" + secret});
  EXPECT_EQ(write.exit_code, 0) << write.out;

  ProcessResult list = Cli(d, {"keys", "list"}, {"STEMEDB_API_KEY=" + root});
  ASSERT_EQ(list.exit_code, 0) << list.out;
  EXPECT_TRUE(Has(list.out, "KEY_ID")) << list.out;
  EXPECT_TRUE(Has(list.out, key_id)) << list.out;
  EXPECT_FALSE(Has(list.out, secret.substr(21))) << "a secret is listed";

  ProcessResult revoke = Cli(d, {"--api-key", root, "keys", "revoke", key_id});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.out;
  EXPECT_TRUE(Has(revoke.out, "revoked")) << revoke.out;
  const json after = JsonOf(Cli(d, {"--api-key", root, "keys", "list", "--json"}));
  bool revoked = false;
  for (const auto& k : after["keys"]) revoked = revoked || (k["key_id"] == key_id && k["revoked"] == true);
  EXPECT_TRUE(revoked) << after.dump();

  // Without a key, or with the revoked one, the server refuses, and the CLI says why.
  ProcessResult anonymous = Cli(d, {"keys", "list"});
  EXPECT_EQ(anonymous.exit_code, kExitRefused);
  EXPECT_TRUE(Has(anonymous.out, "stemedb: HTTP 401 missing_api_key: ")) << anonymous.out;
  ProcessResult stale = Cli(d, {"--api-key", secret, "feed"});
  EXPECT_EQ(stale.exit_code, kExitRefused);
  EXPECT_TRUE(Has(stale.out, "HTTP 401")) << stale.out;
}

TEST(CliTest, DrainAndUndrainWithTheAdminKey) {
  Daemon d;
  TempDir dir;
  const KeyFile key = Keygen(dir, "agent.key");
  const std::string root = d.RootKey();
  ProcessResult drain = Cli(d, {"drain", "--api-key", root});
  ASSERT_EQ(drain.exit_code, 0) << drain.out;
  EXPECT_TRUE(HasField(drain.out, "state", "drained")) << drain.out;
  EXPECT_EQ(JsonOf(Cli(d, {"node", "--api-key", root, "--json"}))["state"], "drained");

  ProcessResult refused = Cli(d, {"assert", "--key", key.path, "--subject", "s", "--predicate", "p", "--text", "t",
                                  "--confidence", "1"});
  EXPECT_EQ(refused.exit_code, kExitRefused);
  EXPECT_TRUE(Has(refused.out, "stemedb: HTTP 503 draining: ")) << refused.out;
  EXPECT_TRUE(Has(refused.out, "; retry after 5 s")) << refused.out;

  ProcessResult undrain = Cli(d, {"undrain", "--api-key", root});
  ASSERT_EQ(undrain.exit_code, 0) << undrain.out;
  EXPECT_TRUE(Has(undrain.out, "serving")) << undrain.out;
  ProcessResult node = Cli(d, {"node", "--api-key", root});
  EXPECT_TRUE(Has(node.out, "wal.head_offset")) << node.out;
  EXPECT_EQ(Assert(d, key, "s", "after undrain")["status"], "created");
}

TEST(CliTest, ErrorsNameTheProblemAndSetTheExitCode) {
  Daemon d;
  TempDir dir;
  const KeyFile key = Keygen(dir, "agent.key");
  const std::vector<std::string> claim = {"--subject", "s", "--predicate", "p", "--text", "t", "--confidence", "1"};
  auto assert_with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "assert");
    args.insert(args.end(), claim.begin(), claim.end());
    return Cli(d, args);
  };

  ProcessResult unreachable = RunCli({"--server", "http://127.0.0.1:1", "node"});
  EXPECT_EQ(unreachable.exit_code, kExitUnreachable);
  EXPECT_TRUE(Has(unreachable.out, "stemedb: cannot reach the server at http://127.0.0.1:1: ")) << unreachable.out;

  ASSERT_EQ(chmod(key.path.c_str(), 0644), 0);
  ProcessResult loose = assert_with({"--key", key.path});
  EXPECT_EQ(loose.exit_code, kExitUsage);
  EXPECT_TRUE(Has(loose.out, "mode 0644 lets others read the private key")) << loose.out;
  const std::string garbage = dir.Sub("garbage.key");
  WriteFile(garbage, "-----BEGIN PRIVATE KEY-----\n");
  ASSERT_EQ(chmod(garbage.c_str(), 0600), 0);
  ProcessResult bad = assert_with({"--key", garbage});
  EXPECT_EQ(bad.exit_code, kExitUsage);
  EXPECT_TRUE(Has(bad.out, "stemedb: key file " + garbage + ": not a JSON object")) << bad.out;
  ProcessResult missing = assert_with({"--key", dir.Sub("missing.key")});
  EXPECT_EQ(missing.exit_code, kExitUsage);
  EXPECT_TRUE(Has(missing.out, "cannot open: No such file or directory")) << missing.out;
  ASSERT_EQ(chmod(key.path.c_str(), 0600), 0);

  ProcessResult range = Cli(d, {"assert", "--key", key.path, "--subject", "s", "--predicate", "p", "--text", "t",
                                "--confidence", "1.5"});
  EXPECT_EQ(range.exit_code, kExitUsage);
  EXPECT_TRUE(Has(range.out, "stemedb: invalid assertion: confidence: ")) << range.out;
  ProcessResult not_a_number = assert_with({"--key", key.path, "--timestamp", "soon"});
  EXPECT_EQ(not_a_number.exit_code, kExitUsage);
  EXPECT_TRUE(Has(not_a_number.out, "--timestamp")) << not_a_number.out;

  // The server's refusals come back with their status, code, message and field.
  ProcessResult unknown = Cli(d, {"vote", "--key", key.path, "--assertion", std::string(64, 'a'), "--weight", "1"});
  EXPECT_EQ(unknown.exit_code, kExitRefused);
  EXPECT_TRUE(Has(unknown.out, "stemedb: HTTP 404 assertion_not_found: ")) << unknown.out;
  EXPECT_TRUE(Has(unknown.out, "field: assertion_hash")) << unknown.out;
  ProcessResult lens = Cli(d, {"query", "--subject", "s", "--lens", "newest"});
  EXPECT_EQ(lens.exit_code, kExitRefused);
  EXPECT_TRUE(Has(lens.out, "stemedb: HTTP 400 ")) << lens.out;
  EXPECT_TRUE(Has(lens.out, "lens")) << lens.out;
  ProcessResult get = Cli(d, {"get", "xyz"});
  EXPECT_EQ(get.exit_code, kExitRefused);
  EXPECT_TRUE(Has(get.out, "HTTP 400 invalid_hex: id: ")) << get.out;
  // Nothing refused was written.
  EXPECT_EQ(JsonOf(Cli(d, {"feed", "--json"}))["assertions"].size(), 0u);
}

TEST(CliTest, ServerFromTheEnvironmentAndHelpWithExitCodes) {
  Daemon d;
  ProcessResult env = RunCli({"feed"}, {"STEMEDB_URL=" + d.url()});
  EXPECT_EQ(env.exit_code, 0) << env.out;
  EXPECT_EQ(env.out, "no assertions\nnext page: --after 0\n");
  ProcessResult help = RunCli({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(Has(help.out, "Exit codes:")) << help.out;
  for (const char* command : {"keygen", "assert", "vote", "epoch", "source", "query", "skeptic", "get", "trace", "feed",
                              "subjects", "predicates", "drain", "undrain", "node", "keys"}) {
    EXPECT_TRUE(Has(help.out, std::string("  ") + command + " ")) << command;
  }
  EXPECT_EQ(RunCli({}).exit_code, kExitUsage);
  EXPECT_EQ(RunCli({"frobnicate"}).exit_code, kExitUsage);
  EXPECT_EQ(RunCli({"keys"}).exit_code, kExitUsage);
  ProcessResult both = RunCli({"feed", "--follow", "--limit", "3"});
  EXPECT_EQ(both.exit_code, kExitUsage);
  EXPECT_TRUE(Has(both.out, "--limit excludes --follow")) << both.out;
}

}  // namespace
}  // namespace stemedb::testing

// API keys and auth modes against the real daemon (http-api.md, Authentication).

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/daemon.h"
#include "support/process.h"
#include "support/records.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

int Status(client::HttpConnection& c, const std::string& method, const std::string& path, const std::string& key = "",
           const std::string& body = "") {
  client::Headers h;
  if (!key.empty()) h.emplace_back("X-API-Key", key);
  auto r = c.Request(method, path, body, h);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->status : -1;
}

std::string CreateKey(client::HttpConnection& c, const std::string& root, const std::string& role) {
  auto r = c.Post("/v1/admin/keys", json{{"role", role}, {"name", "test-" + role}}.dump(), {{"X-API-Key", root}});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r->status, 201) << r->body;
  return json::parse(r->body)["key"].get<std::string>();
}

std::string AssertionBody(const std::string& text) {
  return core::ToJson(SignedAssertion({.text = text})).dump();
}

// Nothing else tells an operator that the admin routes are open to anyone: said at start-up.
TEST(AuthTest, AuthModeOffIsWarnedAtStartUp) {
  Daemon off({.args = {"--auth-mode", "off"}});
  EXPECT_NE(off.Log().find("auth.mode = off: no route needs an API key"), std::string::npos) << off.Log();
  Daemon guarded;
  EXPECT_EQ(guarded.Log().find("auth.mode = off"), std::string::npos) << guarded.Log();
}

TEST(AuthTest, RootKeyFileIsGeneratedPrivateAndStable) {
  TempDir dir;
  std::string key;
  {
    Daemon d({.data_dir = dir.Sub("data")});
    struct stat st {};
    ASSERT_EQ(stat((d.data_dir() + "/root.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    key = d.RootKey();
    EXPECT_GE(key.size(), 32u);
    EXPECT_NE(d.Log().find("generated the root admin API key into"), std::string::npos);
  }
  Daemon again({.data_dir = dir.Sub("data")});
  EXPECT_EQ(again.RootKey(), key);
  auto c = again.Connect();
  EXPECT_EQ(Status(*c, "GET", "/v1/admin/node", key), 200);
}

TEST(AuthTest, AdminModeGuardsAdminRoutesOnly) {
  Daemon d;
  auto c = d.Connect();
  const std::string root = d.RootKey();
  auto r = c->Get("/v1/admin/node");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "missing_api_key");
  EXPECT_EQ(r->Header("www-authenticate"), "Bearer realm=\"stemedb\"");
  EXPECT_EQ(Status(*c, "GET", "/v1/admin/node", root), 200);
  auto bearer = c->Get("/v1/admin/node", {{"Authorization", "Bearer " + root}});
  EXPECT_EQ(bearer->status, 200);
  // Open routes stay open without a key, but a wrong key is refused even there.
  EXPECT_EQ(Status(*c, "POST", "/v1/assert", "", AssertionBody("open")), 201);
  EXPECT_EQ(Status(*c, "GET", "/v1/query?subject=drugs%2Fsemaglutide", "wrong-key"), 401);
  // Ops routes never need a key.
  for (const char* path : {"/v1/health", "/v1/ready", "/metrics", "/livez", "/readyz"}) {
    EXPECT_EQ(Status(*c, "GET", path, "wrong-key"), 200) << path;
  }
}

TEST(AuthTest, AllModeNeedsKeysWithTheRoutesRole) {
  Daemon d({.args = {"--auth-mode", "all"}});
  auto c = d.Connect();
  const std::string root = d.RootKey();
  const std::string reader = CreateKey(*c, root, "read");
  const std::string writer = CreateKey(*c, root, "write");
  EXPECT_EQ(Status(*c, "GET", "/v1/query?subject=s"), 401);
  EXPECT_EQ(Status(*c, "GET", "/v1/query?subject=s", reader), 200);
  EXPECT_EQ(Status(*c, "POST", "/v1/assert", reader, AssertionBody("r")), 403);
  EXPECT_EQ(Status(*c, "POST", "/v1/assert", writer, AssertionBody("w")), 201);
  EXPECT_EQ(Status(*c, "GET", "/v1/query?subject=s", writer), 200);  // write includes read
  EXPECT_EQ(Status(*c, "GET", "/v1/admin/keys", writer), 403);
  EXPECT_EQ(Status(*c, "GET", "/v1/health"), 200);
  EXPECT_EQ(Status(*c, "GET", "/metrics"), 200);
}

TEST(AuthTest, KeysAreListedWithoutSecretsRevokedAndSurviveRestart) {
  TempDir dir;
  std::string root, writer, writer_id;
  {
    Daemon d({.args = {"--auth-mode", "all"}, .data_dir = dir.Sub("data")});
    auto c = d.Connect();
    root = d.RootKey();
    writer = CreateKey(*c, root, "write");
    writer_id = writer.substr(4, 16);
    auto list = c->Get("/v1/admin/keys", {{"X-API-Key", root}});
    ASSERT_EQ(list->status, 200);
    EXPECT_NE(list->body.find(writer_id), std::string::npos);
    EXPECT_EQ(list->body.find(writer.substr(21)), std::string::npos) << "a secret is listed";
    EXPECT_EQ(Status(*c, "POST", "/v1/assert", writer, AssertionBody("before-restart")), 201);
  }
  // Only digests are stored: the secret appears nowhere in the data directory.
  const std::string secret = writer.substr(21);
  auto grep = RunProcess({"grep", "-r", "-l", "-a", secret, dir.Sub("data")});
  EXPECT_NE(grep.exit_code, 0) << "the secret is stored in: " << grep.out;

  Daemon d({.args = {"--auth-mode", "all"}, .data_dir = dir.Sub("data")});
  auto c = d.Connect();
  EXPECT_EQ(Status(*c, "POST", "/v1/assert", writer, AssertionBody("after-restart")), 201);
  EXPECT_EQ(Status(*c, "DELETE", "/v1/admin/keys/" + writer_id, root), 200);
  EXPECT_EQ(Status(*c, "POST", "/v1/assert", writer, AssertionBody("revoked")), 401);
  EXPECT_EQ(Status(*c, "DELETE", "/v1/admin/keys/0000000000000000", root), 404);
  auto bad_role = c->Post("/v1/admin/keys", R"({"role":"superuser"})", {{"X-API-Key", root}});
  EXPECT_EQ(bad_role->status, 422);
}

TEST(AuthTest, RootKeyFromTheEnvironment) {
  const std::string key = "an-operator-chosen-root-key-of-sufficient-length";
  Daemon d({.env = {"STEMEDB_ROOT_API_KEY=" + key}});
  auto c = d.Connect();
  EXPECT_EQ(Status(*c, "GET", "/v1/admin/node", key), 200);
  EXPECT_FALSE(std::filesystem::exists(d.data_dir() + "/root.key"));
  auto check = RunApi({"--check-config"}, {"STEMEDB_ROOT_API_KEY=" + key});
  EXPECT_EQ(check.out.find(key), std::string::npos) << "secret printed by --check-config";
}

TEST(AuthTest, ShortRootKeyStopsStartUp) {
  TempDir dir;
  auto r = RunApi({"--bind", "127.0.0.1:0", "--data-dir", dir.Sub("d")}, {"STEMEDB_ROOT_API_KEY=short"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("at least 32 characters"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace stemedb::testing

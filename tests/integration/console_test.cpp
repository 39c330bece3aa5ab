// The web console as the daemon serves it (the pages themselves are tested in a real browser,
// tests/console/): /console redirects to /console/, every file comes with the strict
// Content-Security-Policy and its type, no page holds inline script or style (the policy would
// block them), an unknown file is a 404, and everything a first load can fetch stays under
// 200 KB.

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "support/daemon.h"
#include "support/ops_scripts.h"

namespace stemedb::testing {
namespace {

TEST(ConsoleTest, ServedWithAStrictPolicyAndNoInlineCode) {
  Daemon d;
  auto c = d.Connect();
  auto bare = c->Get("/console");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->status, 308);
  EXPECT_EQ(bare->Header("location"), "/console/");

  auto page = c->Get("/console/");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->Header("content-type"), "text/html; charset=utf-8");
  const std::string csp = page->Header("content-security-policy");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(page->Header("x-content-type-options"), "nosniff");

  size_t total_bytes = 0;
  // Every file of the source's console directory, as the binary serves it.
  for (const auto& entry : std::filesystem::directory_iterator(std::string(STEMEDB_SOURCE_DIR) + "/src/http/console")) {
    const std::string name = entry.path().filename().string();
    const std::string bytes = ReadFile(entry.path().string());
    auto file = c->Get("/console/" + name);
    ASSERT_TRUE(file.ok()) << name;
    EXPECT_EQ(file->status, 200) << name;
    EXPECT_EQ(file->body, bytes) << name;
    EXPECT_EQ(file->Header("content-security-policy"), csp) << name;
    total_bytes += bytes.size();
    if (name.ends_with(".html")) {
      // Every script has a src; no event-handler or style attribute, no <style> element.
      EXPECT_FALSE(std::regex_search(file->body, std::regex(R"(<script(?![^>]*\bsrc=)[^>]*>)"))) << name;
      EXPECT_FALSE(std::regex_search(file->body, std::regex(R"(\son[a-z]+\s*=)", std::regex::icase))) << name;
      EXPECT_FALSE(std::regex_search(file->body, std::regex(R"(\sstyle\s*=|<style)", std::regex::icase))) << name;
    }
    if (name.ends_with(".js")) {
      EXPECT_EQ(file->Header("content-type"), "text/javascript; charset=utf-8") << name;
    }
    if (name.ends_with(".css")) {
      EXPECT_EQ(file->Header("content-type"), "text/css; charset=utf-8") << name;
    }
  }
  EXPECT_LE(total_bytes, 200u * 1024) << "the console's files, all of them, weigh " << total_bytes << " bytes";
  EXPECT_EQ(c->Get("/console/nothing.js")->status, 404);
  EXPECT_EQ(c->Get("/console/../v1/health")->status, 404);
}

}  // namespace
}  // namespace stemedb::testing

// README.md's first steps run as written against the real daemon: the CLI's keys, three claims
// that disagree, a vote, two lenses and the skeptic view. Only the daemon's address (the CLI's
// STEMEDB_URL) and where this build put the CLI differ.

#include <gtest/gtest.h>

#include "support/daemon.h"
#include "support/ops_scripts.h"
#include "support/runbook.h"
#include "support/temp_dir.h"

namespace stemedb::testing {
namespace {

TEST(ReadmeWalkTest, AFirstDisagreementAsWritten) {
  Daemon d;
  TempDir dir;
  std::string block = CodeBlock(ReadFile(std::string(STEMEDB_SOURCE_DIR) + "/README.md"), "stemedb keygen");
  const std::string built = "./build/release/src/tools/";
  ASSERT_NE(block.find(built), std::string::npos) << block;
  block.replace(block.find(built), built.size(), ToolsDir() + "/");
  ProcessResult walked = RunCommands("set -e\ncd " + dir.path() + "\n" + block, {"STEMEDB_URL=" + d.url()});
  ASSERT_EQ(walked.exit_code, 0) << walked.out;
  // Recency: the forum's claim is the newest; authority: the regulator's; the skeptic: both.
  const size_t recency = walked.out.find("lens                   recency");
  const size_t authority = walked.out.find("lens                   authority");
  ASSERT_NE(recency, std::string::npos) << walked.out;
  ASSERT_NE(authority, std::string::npos) << walked.out;
  EXPECT_NE(walked.out.substr(recency, authority - recency).find("winner                 common"), std::string::npos)
      << walked.out;
  EXPECT_NE(walked.out.substr(authority).find("winner                 rare"), std::string::npos) << walked.out;
  EXPECT_NE(walked.out.find("status            contested"), std::string::npos) << walked.out;
}

}  // namespace
}  // namespace stemedb::testing

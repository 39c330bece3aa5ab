// The Python client (tests/clients/python, written from docs/protocol.md alone) against the
// real daemon: test_live.py posts signed assertions, votes, epochs and sources and checks the
// ids the server returns. Its "skipped" exit (77) counts as a failure here: the daemon is up.

#include <gtest/gtest.h>

#include "support/api.h"
#include "support/daemon.h"
#include "support/process.h"

namespace stemedb::testing {
namespace {

TEST(PythonClientTest, LiveSuitePassesAgainstTheDaemon) {
  ASSERT_TRUE(HaveProgram("python3")) << "python3 missing: run scripts/setup.sh";
  Daemon d({.args = {"--rate-limit-enabled", "false"}});
  const std::string script = std::string(STEMEDB_SOURCE_DIR) + "/tests/clients/python/test_live.py";
  // Loopback only: a proxy from the environment must not see the requests.
  ProcessResult run = RunProcess({"python3", "-B", script, d.url(), "--api-key", d.RootKey()},
                                 {"NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost"},
                                 std::chrono::seconds(300));
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("OK"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("skipped"), std::string::npos) << "every live test must run:\n" << run.out;
}

}  // namespace
}  // namespace stemedb::testing

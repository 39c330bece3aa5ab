// A sanitizer report in a program the tests start fails the test: the daemon harness (on Stop)
// and RunProcess (RunApi, the CLI, the tools) read the program's output for reports. The probe
// puts a real report of this build's sanitizer into that output.

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "support/daemon.h"
#include "support/process.h"
#include "support/sanitizer_report.h"

namespace stemedb::testing {
namespace {

#ifdef STEMEDB_SANITIZER_PROBE_BINARY

// The failures `run` adds, captured instead of failing this test.
template <typename Run>
std::vector<std::string> FailuresOf(Run run) {
  ::testing::TestPartResultArray failures;
  {
    ::testing::ScopedFakeTestPartResultReporter capture(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
    run();
  }
  std::vector<std::string> messages;
  for (int i = 0; i < failures.size(); ++i) messages.push_back(failures.GetTestPartResult(i).message());
  return messages;
}

TEST(SanitizerReportTest, ReportInTheDaemonsOutputFailsTheTest) {
  std::vector<std::string> failures = FailuresOf([] {
    Daemon d({.wrapper = {STEMEDB_SANITIZER_PROBE_BINARY}});
    EXPECT_EQ(d.Connect()->Get("/v1/health")->status, 200);
    d.Stop();
  });
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("stemedb-api printed 1 sanitizer report(s)"), std::string::npos) << failures[0];
}

TEST(SanitizerReportTest, ReportInARunProgramsOutputFailsTheTest) {
  ProcessResult run;
  std::vector<std::string> failures = FailuresOf([&] { run = RunProcess({STEMEDB_SANITIZER_PROBE_BINARY, "true"}); });
  EXPECT_EQ(run.exit_code, 0) << run.out;
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("sanitizer report"), std::string::npos) << failures[0];
}

#endif

TEST(SanitizerReportTest, HeadlinesOfEachSanitizerAreFound) {
  std::string output =
      "[info] listening on 127.0.0.1:4000\n"
      "==12==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020\n"
      "==12==ERROR: LeakSanitizer: detected memory leaks\n"
      "WARNING: ThreadSanitizer: data race (pid=12)\n"
      "src/core/hex.cpp:10:5: runtime error: signed integer overflow\n"
      "[error] request failed: runtime error in handler\n";
  EXPECT_EQ(SanitizerReports(output).size(), 4u);
  EXPECT_TRUE(SanitizerReports("[info] stopped\n").empty());
}

}  // namespace
}  // namespace stemedb::testing

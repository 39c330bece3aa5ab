#pragma once
// Sanitizer reports in what a program the test started wrote (the daemon, its tools, the CLI).
// The sanitized builds print their reports to the program's stderr; a report there must fail
// the test as surely as one in the test binary itself, whatever the program's exit code (a
// daemon killed with SIGKILL, or one expected to exit non-zero, has printed its report all the
// same), so the harness reads the output rather than trusting the exit code.

#include <string>
#include <vector>

namespace stemedb::testing {

// The headline of each report in `output`: AddressSanitizer, LeakSanitizer and ThreadSanitizer
// errors and warnings, and UBSan's "file:line:col: runtime error: ..." lines.
std::vector<std::string> SanitizerReports(const std::string& output);

// Adds a (non-fatal) test failure naming `program` and quoting `output` when it holds a report.
void ExpectNoSanitizerReport(const std::string& program, const std::string& output);

}  // namespace stemedb::testing

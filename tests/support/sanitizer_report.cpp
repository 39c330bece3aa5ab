#include "support/sanitizer_report.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

namespace stemedb::testing {

std::vector<std::string> SanitizerReports(const std::string& output) {
  static const std::regex kHeadline(
      R"((ERROR|WARNING): [A-Za-z]+Sanitizer: |:[0-9]+:[0-9]+: runtime error: )");
  std::vector<std::string> reports;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (std::regex_search(line, kHeadline)) reports.push_back(line);
  }
  return reports;
}

void ExpectNoSanitizerReport(const std::string& program, const std::string& output) {
  std::vector<std::string> reports = SanitizerReports(output);
  if (reports.empty()) return;
  ADD_FAILURE() << program << " printed " << reports.size() << " sanitizer report(s), the first: "
                << reports.front() << "\n--- its output ---\n"
                << output;
}

}  // namespace stemedb::testing

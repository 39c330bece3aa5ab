#include "support/metrics_text.h"

namespace stemedb::testing {

std::optional<double> MetricSample(const std::string& exposition, const std::string& sample) {
  const std::string line_start = "\n" + sample + " ";
  const std::string text = "\n" + exposition;  // the first line is found like any other
  const size_t at = text.find(line_start);
  if (at == std::string::npos) return std::nullopt;
  return std::stod(text.substr(at + line_start.size()));
}

}  // namespace stemedb::testing

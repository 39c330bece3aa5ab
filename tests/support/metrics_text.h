#pragma once
// Reading one sample out of Prometheus text exposition, for tests of metrics.

#include <optional>
#include <string>

namespace stemedb::testing {

// The value of `sample`, a metric name with its labels exactly as rendered
// (`stemedb_assertions_rejected_total{reason="invalid_hex"}`); nullopt when it is not there.
std::optional<double> MetricSample(const std::string& exposition, const std::string& sample);

}  // namespace stemedb::testing

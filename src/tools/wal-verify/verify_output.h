#pragma once
// How stemedb-wal-verify prints a VerifyReport: readable text or one JSON object.

#include <nlohmann/json.hpp>
#include <string>

#include "stemedb/wal/verifier.h"

namespace stemedb::tools {

// "clean", "torn_tail" or "corrupt".
const char* Verdict(const wal::VerifyReport& report);
std::string FormatText(const wal::VerifyReport& report);
nlohmann::json FormatJson(const wal::VerifyReport& report, const std::string& target);

}  // namespace stemedb::tools

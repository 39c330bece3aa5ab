// docs/protocol.md must document every error code the core module can return, and the limits
// it states must be the ones enforced.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "stemedb/core/field_error.h"
#include "stemedb/core/limits.h"

namespace stemedb::core {
namespace {

std::string ProtocolDoc() {
  std::ifstream in(std::string(STEMEDB_SOURCE_DIR) + "/docs/protocol.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ProtocolDocTest, EveryErrorCodeHasARowInTheTable) {
  const std::string doc = ProtocolDoc();
  ASSERT_FALSE(doc.empty());
  for (std::string_view code : error_code::kAll) {
    EXPECT_NE(doc.find("| `" + std::string(code) + "` |"), std::string::npos) << code;
  }
}

TEST(ProtocolDocTest, StatedLimitsAreTheEnforcedOnes) {
  const std::string doc = ProtocolDoc();
  for (const std::string& text :
       {"1.." + std::to_string(kSubjectBytesMax) + " bytes",
        "1.." + std::to_string(kPredicateBytesMax) + " bytes",
        "1.." + std::to_string(kTextObjectBytesMax) + " bytes",
        "1.." + std::to_string(kNarrativeBytesMax) + " bytes",
        "1.." + std::to_string(kEpochNameBytesMax) + " bytes",
        "1.." + std::to_string(kUriBytesMax) + " bytes",
        "1.." + std::to_string(kTitleBytesMax) + " bytes",
        "1.." + std::to_string(kSourceContentBytesMax) + " bytes",
        "1.." + std::to_string(kSignaturesMax) + " entries",
        "at most " + std::to_string(kBatchRecordsMax) + " items",
        std::to_string(kBodyBytesMax) + " bytes", "at most " + std::to_string(kJsonDepthMax),
        "0 to " + std::to_string(kTimestampMax)}) {
    EXPECT_NE(doc.find(text), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace stemedb::core

#include "support/campaign_size.h"

#include <cstdlib>

namespace stemedb::testing {

uint64_t CampaignSize(const char* name, uint64_t ci_default) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : ci_default;
}

}  // namespace stemedb::testing

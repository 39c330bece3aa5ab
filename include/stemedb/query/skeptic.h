#pragma once
// The skeptic view (lenses.md): the disagreement itself rather than a winner. Every distinct
// claim with its support (authority weights, each author once per claim) and share, ranked.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/query/candidate.h"
#include "stemedb/query/context.h"
#include "stemedb/query/filter.h"
#include "stemedb/query/warning.h"

namespace stemedb::query {

enum class SkepticStatus : uint8_t {
  kUnanimous,  // at most one distinct claim
  kAgreed,     // several, conflict_score < 0.5
  kContested,  // several, conflict_score >= 0.5
};
inline constexpr double kContestedConflictScore = 0.5;

std::string_view SkepticStatusName(SkepticStatus status);

struct SkepticClaim {
  uint32_t representative = 0;  // candidate index: the claim's heaviest assertion (its object)
  double support = 0;           // authority weight of the group
  double share = 0;             // support / total support; 0 when the total is 0
  std::vector<uint32_t> assertions{};  // candidate indexes, heaviest first
  size_t assertions_count = 0;         // all of them, when `assertions` lists only the first
  std::vector<Tier> tiers{};  // distinct tiers of those assertions, most authoritative first
};

struct SkepticView {
  SkepticStatus status = SkepticStatus::kUnanimous;
  double conflict_score = 0;
  std::vector<SkepticClaim> claims{};  // ranked by support, then the newer representative
  size_t claims_count = 0;             // all of them, when `claims` lists only the first
  size_t candidates_count = 0;
  Warnings warnings{};
};

Result<SkepticView> ResolveSkeptic(std::span<const Candidate> candidates, const Filter& filter,
                                   const Context& context);

}  // namespace stemedb::query

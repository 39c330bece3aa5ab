#pragma once
// The lenses of lenses.md: recency, confidence, consensus, vote, authority and epoch. A lens is a
// pure function of (candidates, request, context): the same inputs give the same result, byte for
// byte, whatever order the candidates come in. See docs/lenses.md for the formulas as built.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/query/candidate.h"
#include "stemedb/query/context.h"
#include "stemedb/query/filter.h"
#include "stemedb/query/warning.h"

namespace stemedb::query {

enum class LensKind : uint8_t {
  kRecency = 0,
  kConfidence,
  kConsensus,
  kVote,
  kAuthority,
  kEpoch,
};

std::string_view LensName(LensKind lens);
std::optional<LensKind> LensFromName(std::string_view name);

struct LensRequest {
  LensKind lens = LensKind::kRecency;
  LensKind inner = LensKind::kRecency;  // for kEpoch; must not be kEpoch itself
  Filter filter{};
};

// One filtered candidate in the lens's ranking. `weight` and `counted` mean something only for
// the lenses with a per-assertion weight (HasAssertionWeights): effective confidence, vote
// support or authority weight; `counted` is false when the author's heavier assertion in the
// same group counted instead.
struct RankedCandidate {
  uint32_t index = 0;  // into the caller's candidates
  double effective_confidence = 0;
  double weight = 0;
  bool counted = false;
};

struct LensResult {
  LensKind lens = LensKind::kRecency;
  LensKind inner = LensKind::kRecency;      // the lens that ranked, for kEpoch
  std::optional<RankedCandidate> winner{};  // ranked.front(); empty when no candidate survived
  double resolution_confidence = 0;
  double conflict_score = 0;
  // The whole ranking, winner first. candidates_count stays the full count when a caller pages
  // through `ranked`.
  std::vector<RankedCandidate> ranked{};
  size_t candidates_count = 0;
  Warnings warnings{};
};

// True for the lenses whose ranked candidates carry a weight (confidence, vote, authority).
bool HasAssertionWeights(LensKind ranking_lens);

// Validates the candidates, filters them, and resolves them through the requested lens.
Result<LensResult> Resolve(std::span<const Candidate> candidates, const LensRequest& request,
                           const Context& context);

}  // namespace stemedb::query

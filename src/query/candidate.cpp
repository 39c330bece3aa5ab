#include "stemedb/query/candidate.h"

#include <cmath>
#include <string>

namespace stemedb::query {
namespace {

Status Invalid(size_t index, std::string_view field, std::string_view why) {
  return Status::InvalidArgument("candidates[" + std::to_string(index) + "]." + std::string(field) +
                                 ": " + std::string(why));
}

Status ValidateOne(size_t index, const Candidate& c) {
  if (c.signers.empty() || c.signers.size() > kSignersMax) {
    return Invalid(index, "signers", "must hold 1.." + std::to_string(kSignersMax) + " agents");
  }
  // Distinct, or a repeated signature would inflate the multi-signature factor.
  for (size_t i = 1; i < c.signers.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (c.signers[i] == c.signers[j]) return Invalid(index, "signers", "an agent appears twice");
    }
  }
  if (!(c.confidence >= 0.0 && c.confidence <= 1.0)) {  // also refuses NaN
    return Invalid(index, "confidence", "must be within 0..1");
  }
  if (static_cast<size_t>(c.tier) >= kTierCount) return Invalid(index, "tier", "out of range");
  if (static_cast<size_t>(c.lifecycle) >= kLifecycleCount) {
    return Invalid(index, "lifecycle", "out of range");
  }
  if (static_cast<size_t>(c.object.type) >= kObjectTypeCount || !c.object.WellFormed()) {
    return Invalid(index, "object", "malformed canonical value");
  }
  if (!std::isfinite(c.net_votes)) return Invalid(index, "net_votes", "must be finite");
  if (c.valid_from_s && c.valid_until_s && *c.valid_from_s > *c.valid_until_s) {
    return Invalid(index, "valid_from", "must not be after valid_until");
  }
  return Status::OK();
}

}  // namespace

Status ValidateCandidates(std::span<const Candidate> candidates) {
  if (candidates.size() > kCandidatesMax) {
    return Status::InvalidArgument("too many candidates: " + std::to_string(candidates.size()) +
                                   " > " + std::to_string(kCandidatesMax));
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    STEMEDB_RETURN_IF_ERROR(ValidateOne(i, candidates[i]));
  }
  return Status::OK();
}

}  // namespace stemedb::query

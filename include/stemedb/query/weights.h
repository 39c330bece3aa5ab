#pragma once
// The per-assertion weights of lenses.md, one function per formula so each can be checked
// against hand arithmetic. All are pure; none allocates.

#include <cstddef>
#include <cstdint>

#include "stemedb/query/types.h"

namespace stemedb::query {

inline constexpr int64_t kSecondsPerDay = 86400;

// Tier multiplier: regulatory 1.0, clinical 0.9, observational 0.7, expert 0.5, community 0.3,
// anecdotal 0.1.
double TierMultiplier(Tier tier);

// Half-life in seconds: clinical 730 days, observational and expert 365, community 90,
// anecdotal 30; 0 for regulatory, which never decays.
int64_t HalfLifeSeconds(Tier tier);

// 2^(-age_s / half_life(tier)) with age_s = max(0, now_s - timestamp_s): a claim dated in the
// future is treated as made now (never boosted above its confidence). 1.0 for regulatory.
double DecayFactor(Tier tier, int64_t timestamp_s, int64_t now_s);

// confidence * DecayFactor, or the bare confidence when decay is off.
double EffectiveConfidence(double confidence, Tier tier, int64_t timestamp_s, int64_t now_s,
                           bool decay);

// min(2.0, 1 + 0.5 * (signers - 1)): a co-signed claim weighs up to twice a single one.
double MultisigFactor(size_t signers_count);

// Vote lens: effective_confidence * max(0, 1 + net_votes). Net votes at or below -1 silence the
// assertion (support 0); they never make it negative.
double VoteSupport(double effective_confidence, double net_votes);

// Authority lens: effective_confidence * tier_multiplier * max_signer_trust * multisig_factor.
double AuthorityWeight(double effective_confidence, Tier tier, double max_signer_trust,
                       size_t signers_count);

// The trust of an agent nobody has voted on: the Beta(1,1) prior mean (data-model.md).
inline constexpr double kDefaultTrust = 0.5;

}  // namespace stemedb::query

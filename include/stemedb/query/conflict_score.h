#pragma once
// conflict_score: the normalised Shannon entropy of the support shares of the distinct object
// values, H = -sum(p_i ln p_i) / ln k (lenses.md). 0 when k <= 1, 1.0 for an even split.

#include <span>

namespace stemedb::query {

// `weights` holds one non-negative weight per distinct value (k = weights.size(); values with
// weight 0 still count in k). When every weight is 0 and k >= 2, no evidence separates the values,
// so the score is 1.0 (maximal doubt) rather than undefined. The result is clamped to 0..1 so
// rounding never reports 1.0000000000000002.
double ConflictScore(std::span<const double> weights);

}  // namespace stemedb::query

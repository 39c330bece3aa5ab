#include "stemedb/query/conflict_score.h"

#include <algorithm>
#include <cmath>

#include "stemedb/ground/check.h"

namespace stemedb::query {

double ConflictScore(std::span<const double> weights) {
  if (weights.size() <= 1) return 0.0;
  double total = 0.0;
  for (double w : weights) {
    STEMEDB_CHECK(w >= 0.0 && std::isfinite(w));
    total += w;
  }
  if (total == 0.0) return 1.0;
  double entropy = 0.0;
  for (double w : weights) {
    if (w == 0.0) continue;  // lim p->0 of p ln p is 0
    double p = w / total;
    entropy -= p * std::log(p);
  }
  double score = entropy / std::log(static_cast<double>(weights.size()));
  return std::clamp(score, 0.0, 1.0);
}

}  // namespace stemedb::query

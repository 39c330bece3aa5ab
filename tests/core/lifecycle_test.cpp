#include "stemedb/core/lifecycle.h"

#include <gtest/gtest.h>

namespace stemedb::core {
namespace {

TEST(LifecycleTest, EveryPairAgainstTheChain) {
  using L = Lifecycle;
  const L all[] = {L::kProposed, L::kUnderReview, L::kApproved, L::kDeprecated, L::kRejected};
  // allowed[parent][child], from data-model.md's chain plus same-stage revisions.
  const bool allowed[5][5] = {
      /* proposed     */ {true, true, false, false, false},
      /* under_review */ {false, true, true, false, true},
      /* approved     */ {false, false, true, true, false},
      /* deprecated   */ {false, false, false, false, false},
      /* rejected     */ {false, false, false, false, false},
  };
  for (int p = 0; p < 5; ++p) {
    for (int c = 0; c < 5; ++c) {
      EXPECT_EQ(LifecycleTransitionAllowed(all[p], all[c]), allowed[p][c])
          << LifecycleName(all[p]) << " -> " << LifecycleName(all[c]);
    }
  }
}

}  // namespace
}  // namespace stemedb::core

#include "stemedb/core/lifecycle.h"

namespace stemedb::core {

bool LifecycleTransitionAllowed(Lifecycle parent, Lifecycle child) {
  switch (parent) {
    case Lifecycle::kProposed:
      return child == Lifecycle::kProposed || child == Lifecycle::kUnderReview;
    case Lifecycle::kUnderReview:
      return child == Lifecycle::kUnderReview || child == Lifecycle::kApproved || child == Lifecycle::kRejected;
    case Lifecycle::kApproved:
      return child == Lifecycle::kApproved || child == Lifecycle::kDeprecated;
    case Lifecycle::kDeprecated:
    case Lifecycle::kRejected:
      return false;
  }
  return false;
}

}  // namespace stemedb::core

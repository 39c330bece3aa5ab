#pragma once
// The lifecycle chain (data-model.md): which stage a child assertion (parent_hash) may take
// after its parent's.
//
//   proposed -> under_review -> approved -> deprecated
//                under_review -> rejected
//
// plus a revision in the same stage (proposed, under_review, approved). `deprecated` and
// `rejected` end a chain: nothing may follow them.

#include "stemedb/core/records.h"

namespace stemedb::core {

bool LifecycleTransitionAllowed(Lifecycle parent, Lifecycle child);

}  // namespace stemedb::core

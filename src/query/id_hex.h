#pragma once
// 64 lowercase hex characters for a 32-byte id, as ids travel over HTTP. Internal to query/ until
// core's IdHex (core/types.h, on the core branch) is merged; then this folds into it.

#include <string>

#include "stemedb/query/types.h"

namespace stemedb::query {

std::string IdHex(const Id32& id);

}  // namespace stemedb::query

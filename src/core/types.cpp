#include "stemedb/core/types.h"

#include "stemedb/core/hex.h"

namespace stemedb::core {

std::string IdHex(const Hash32& id) { return HexEncode(id); }

}  // namespace stemedb::core

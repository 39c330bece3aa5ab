#include "id_hex.h"

namespace stemedb::query {

std::string IdHex(const Id32& id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * id.size(), '\0');
  for (size_t i = 0; i < id.size(); ++i) {
    out[2 * i] = kDigits[id[i] >> 4];
    out[2 * i + 1] = kDigits[id[i] & 0x0f];
  }
  return out;
}

}  // namespace stemedb::query

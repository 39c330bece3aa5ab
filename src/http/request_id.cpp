#include "stemedb/http/request_id.h"

#include <sodium.h>

namespace stemedb::http {

std::string NewRequestId() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);  // thread-safe; libsodium seeds from the kernel
  static const char* kHex = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return out;
}

bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string ChooseRequestId(const std::string* client_id) {
  return client_id && IsAcceptableRequestId(*client_id) ? *client_id : NewRequestId();
}

}  // namespace stemedb::http

#include "stemedb/http/request_id.h"

#include <sodium.h>

#include <cstdint>
#include <cstring>

namespace stemedb::http {

namespace {

// 16 bytes of a per-thread ChaCha20 key stream, keyed once from the kernel. libsodium's
// randombytes_buf is a getrandom(2) call each time here: a system call on every request for an
// id that only has to be unique and unguessable, not fresh from the kernel.
void RequestIdBytes(unsigned char (&bytes)[16]) {
  struct Stream {
    unsigned char key[crypto_stream_chacha20_KEYBYTES];
    uint64_t counter = 0;
    Stream() { randombytes_buf(key, sizeof key); }
  };
  thread_local Stream stream;
  unsigned char nonce[crypto_stream_chacha20_NONCEBYTES] = {};
  static_assert(sizeof nonce >= sizeof stream.counter);
  std::memcpy(nonce, &stream.counter, sizeof stream.counter);
  ++stream.counter;
  crypto_stream_chacha20(bytes, sizeof bytes, nonce, stream.key);
}

}  // namespace

std::string NewRequestId() {
  unsigned char bytes[16];
  RequestIdBytes(bytes);
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

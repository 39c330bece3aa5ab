#pragma once
// How many Ed25519 verifications per second this machine does: the ceiling on signed writes
// per second, since every write verifies its signatures before it is queued. For the bench tool
// and capacity notes; not a test (speed is measured, never asserted).

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace stemedb::core {

struct VerifyThroughput {
  uint64_t verifications = 0;
  double elapsed_s = 0;
  double per_second = 0;
};

// Verifies one valid signature over a `message_bytes` message again and again on `threads`
// threads for about `duration`. Every verification must succeed; a failure stops the process
// (the library is broken). message_bytes: 0..1 MiB, threads: 1..256.
VerifyThroughput Ed25519VerifyPerSecond(size_t message_bytes, unsigned threads,
                                        std::chrono::milliseconds duration);

}  // namespace stemedb::core

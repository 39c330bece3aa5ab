#include "stemedb/core/ed25519_bench.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "stemedb/ground/check.h"
#include "stemedb/core/ed25519.h"

namespace stemedb::core {

VerifyThroughput Ed25519VerifyPerSecond(size_t message_bytes, unsigned threads,
                                        std::chrono::milliseconds duration) {
  STEMEDB_CHECK(message_bytes <= 1024 * 1024);
  STEMEDB_CHECK(threads >= 1 && threads <= 256);
  Seed seed{};
  seed.fill(7);
  const Ed25519KeyPair signer(seed);
  const std::string message(message_bytes, 'm');
  const SignatureBytes signature = signer.Sign(message);

  using Clock = std::chrono::steady_clock;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> total{0};
  std::vector<std::thread> workers;
  const auto start = Clock::now();
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      uint64_t count = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        STEMEDB_CHECK(Ed25519Verify(signer.public_key(), message, signature));
        ++count;
      }
      total.fetch_add(count, std::memory_order_relaxed);
    });
  }
  std::this_thread::sleep_for(duration);
  stop.store(true, std::memory_order_relaxed);
  for (std::thread& worker : workers) worker.join();
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();

  VerifyThroughput out;
  out.verifications = total.load();
  out.elapsed_s = elapsed_s;
  out.per_second = elapsed_s > 0 ? static_cast<double>(out.verifications) / elapsed_s : 0;
  return out;
}

}  // namespace stemedb::core

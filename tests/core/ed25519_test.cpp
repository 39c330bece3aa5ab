#include "stemedb/core/ed25519.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "stemedb/core/ed25519_bench.h"
#include "stemedb/core/hex.h"

namespace stemedb::core {
namespace {

// RFC 8032 section 7.1, TEST 1: the empty message.
TEST(Ed25519Test, Rfc8032Test1) {
  auto seed = HexDecodeArray<kSeedBytes>(
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  ASSERT_TRUE(seed.ok());
  Ed25519KeyPair key(*seed);
  EXPECT_EQ(HexEncode(key.public_key()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const SignatureBytes signature = key.Sign("");
  EXPECT_EQ(HexEncode(signature),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(Ed25519Verify(key.public_key(), "", signature));
}

TEST(Ed25519Test, SignaturesAreDeterministic) {
  Seed seed{};
  seed.fill(3);
  Ed25519KeyPair a(seed), b(seed);
  EXPECT_EQ(a.public_key(), b.public_key());
  EXPECT_EQ(a.Sign("message"), b.Sign("message"));
  EXPECT_NE(a.Sign("message"), a.Sign("messagf"));
}

TEST(Ed25519Test, VerifyRefusesWrongKeyMessageOrSignature) {
  Seed seed_a{}, seed_b{};
  seed_a.fill(1);
  seed_b.fill(2);
  Ed25519KeyPair a(seed_a), b(seed_b);
  const SignatureBytes signature = a.Sign("hello");
  EXPECT_TRUE(Ed25519Verify(a.public_key(), "hello", signature));
  EXPECT_FALSE(Ed25519Verify(b.public_key(), "hello", signature));
  EXPECT_FALSE(Ed25519Verify(a.public_key(), "hellp", signature));
  SignatureBytes flipped = signature;
  flipped[10] ^= 0x01;
  EXPECT_FALSE(Ed25519Verify(a.public_key(), "hello", flipped));
  EXPECT_FALSE(Ed25519Verify(PublicKey{}, "hello", signature));  // not a valid point
}

TEST(Ed25519Test, ConcurrentFirstUseIsSafe) {
  // Under TSan this checks that libsodium's one-time initialisation is race-free.
  std::vector<std::thread> threads;
  std::atomic<int> verified{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &verified] {
      Seed seed{};
      seed.fill(static_cast<uint8_t>(t + 10));
      Ed25519KeyPair key(seed);
      for (int i = 0; i < 20; ++i) {
        if (Ed25519Verify(key.public_key(), "m", key.Sign("m"))) verified.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(verified.load(), 80);
}

TEST(Ed25519Test, VerifyBenchmarkRunsAndReportsConsistentFigures) {
  // A smoke test of the benchmark function; the figure itself is never asserted.
  VerifyThroughput result = Ed25519VerifyPerSecond(51, 2, std::chrono::milliseconds(20));
  EXPECT_GT(result.elapsed_s, 0.0);
  EXPECT_DOUBLE_EQ(result.per_second, static_cast<double>(result.verifications) / result.elapsed_s);
}

}  // namespace
}  // namespace stemedb::core

#include "stemedb/core/sha256.h"

#include <gtest/gtest.h>

#include <string>

#include "stemedb/core/hex.h"

namespace stemedb::core {
namespace {

// FIPS 180-2 examples.
TEST(Sha256Test, KnownDigests) {
  EXPECT_EQ(IdHex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(IdHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(IdHex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, IncrementalEqualsOneShot) {
  std::string input;
  for (int i = 0; i < 1000; ++i) input += static_cast<char>(i * 7);
  for (size_t split : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{999}, size_t{1000}}) {
    Sha256Hasher hasher;
    hasher.Update(std::string_view(input).substr(0, split));
    hasher.Update(std::string_view(input).substr(split));
    EXPECT_EQ(hasher.Final(), Sha256(input)) << "split at " << split;
  }
}

TEST(Sha256Test, BinaryInputWithZeros) {
  const std::string zeros(64, '\0');
  EXPECT_NE(Sha256(zeros), Sha256(std::string(63, '\0')));
}

}  // namespace
}  // namespace stemedb::core

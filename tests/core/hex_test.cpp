#include "stemedb/core/hex.h"

#include <gtest/gtest.h>

#include "stemedb/core/types.h"

namespace stemedb::core {
namespace {

TEST(HexTest, EncodesLowercase) {
  const std::array<uint8_t, 4> bytes = {0x00, 0xab, 0xCD, 0xff};
  EXPECT_EQ(HexEncode(bytes), "00abcdff");
  EXPECT_EQ(HexEncode(std::string_view("\x01\xfe", 2)), "01fe");
  EXPECT_EQ(HexEncode(std::string_view()), "");
}

TEST(HexTest, DecodesUpperMixedAndLowerCaseToTheSameBytes) {
  auto lower = HexDecodeArray<4>("00abcdff");
  auto upper = HexDecodeArray<4>("00ABCDFF");
  auto mixed = HexDecodeArray<4>("00aBcDfF");
  ASSERT_TRUE(lower.ok() && upper.ok() && mixed.ok());
  EXPECT_EQ(*lower, *upper);
  EXPECT_EQ(*lower, *mixed);
  EXPECT_EQ((*lower)[1], 0xab);
}

TEST(HexTest, RefusesWrongLengthNamingBothLengths) {
  auto short_id = HexDecodeArray<32>(std::string(63, 'a'));
  ASSERT_FALSE(short_id.ok());
  EXPECT_EQ(short_id.status().message(), "expected 64 hex characters, got 63");
  EXPECT_FALSE(HexDecodeArray<32>(std::string(66, 'a')).ok());
  EXPECT_FALSE(HexDecodeArray<32>("").ok());
}

TEST(HexTest, RefusesNonHexCharactersNamingThePosition) {
  std::string text(64, '0');
  text[5] = 'g';
  auto decoded = HexDecodeArray<32>(text);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message(), "invalid hex character 'g' at position 5");

  text[5] = '\xff';  // the message must stay printable whatever the input
  EXPECT_EQ(HexDecodeArray<32>(text).status().message(),
            "invalid hex character byte 0xff at position 5");
  text[5] = ' ';
  EXPECT_FALSE(HexDecodeArray<32>(text).ok());
}

TEST(HexTest, DecodesAnyEvenLengthAndRoundTrips) {
  auto decoded = HexDecode("0001ff");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, std::string("\x00\x01\xff", 3));
  EXPECT_EQ(HexEncode(*decoded), "0001ff");
  EXPECT_FALSE(HexDecode("abc").ok());
}

TEST(HexTest, IdHexIs64LowercaseCharacters) {
  Hash32 id{};
  id[0] = 0xAB;
  id[31] = 0x01;
  const std::string hex = IdHex(id);
  EXPECT_EQ(hex.size(), 64u);
  EXPECT_EQ(hex.substr(0, 2), "ab");
  EXPECT_EQ(hex.substr(62), "01");
}

}  // namespace
}  // namespace stemedb::core

#include "stemedb/query/object_key.h"

#include <gtest/gtest.h>

namespace stemedb::query {
namespace {

TEST(ObjectKeyTest, NumbersAgreeWhenEqualAsF64) {
  EXPECT_EQ(ObjectKey::Number(-0.0), ObjectKey::Number(0.0));
  EXPECT_EQ(ObjectKey::Number(96.7), ObjectKey::Number(96.7));
  EXPECT_NE(ObjectKey::Number(96.7), ObjectKey::Number(96.70000000000002));
  EXPECT_EQ(ObjectKey::Number(96.7).AsNumber(), 96.7);
}

TEST(ObjectKeyTest, NumberBytesAreLittleEndianBits) {
  // 1.0 = 0x3FF0000000000000: little-endian bytes 00 00 00 00 00 00 F0 3F.
  EXPECT_EQ(ObjectKey::Number(1.0).value, std::string("\0\0\0\0\0\0\xf0\x3f", 8));
}

TEST(ObjectKeyTest, TypeIsPartOfTheValue) {
  EXPECT_NE(ObjectKey::Text("drugs/x"), ObjectKey::Reference("drugs/x"));
  EXPECT_NE(ObjectKey::Text(std::string("\1", 1)), ObjectKey::Boolean(true));
}

TEST(ObjectKeyTest, TextComparesByteForByte) {
  EXPECT_NE(ObjectKey::Text("rare"), ObjectKey::Text("Rare"));
  EXPECT_NE(ObjectKey::Text("caf\xc3\xa9"), ObjectKey::Text("cafe\xcc\x81"));  // unnormalised
}

TEST(ObjectKeyTest, WellFormedChecksTheShapeOfEachType) {
  EXPECT_TRUE(ObjectKey::Boolean(false).WellFormed());
  EXPECT_TRUE(ObjectKey::Number(-0.0).WellFormed());
  EXPECT_FALSE((ObjectKey{ObjectType::kNumber, "1234567"}).WellFormed());
  EXPECT_FALSE((ObjectKey{ObjectType::kNumber, std::string("\0\0\0\0\0\0\0\x80", 8)}).WellFormed());
  EXPECT_FALSE(
      (ObjectKey{ObjectType::kNumber, std::string("\0\0\0\0\0\0\xf8\x7f", 8)}).WellFormed());
  EXPECT_FALSE((ObjectKey{ObjectType::kBoolean, "\2"}).WellFormed());
  EXPECT_FALSE((ObjectKey{static_cast<ObjectType>(9), ""}).WellFormed());
}

}  // namespace
}  // namespace stemedb::query

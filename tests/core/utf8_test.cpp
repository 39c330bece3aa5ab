#include "stemedb/core/utf8.h"

#include <gtest/gtest.h>

namespace stemedb::core {
namespace {

TEST(Utf8Test, AcceptsValidTextOfEveryLength) {
  for (TextRule rule : {TextRule::kSingleLine, TextRule::kMultiLine, TextRule::kDocument}) {
    EXPECT_TRUE(CheckText("", rule).ok());
    EXPECT_TRUE(CheckText("plain ascii", rule).ok());
    EXPECT_TRUE(CheckText("caf\xc3\xa9", rule).ok());       // 2 bytes: é
    EXPECT_TRUE(CheckText("\xe2\x82\xac", rule).ok());      // 3 bytes: €
    EXPECT_TRUE(CheckText("\xf0\x9f\x92\x8a", rule).ok());  // 4 bytes: pill emoji
    EXPECT_TRUE(CheckText("\xf4\x8f\xbf\xbf", rule).ok());  // U+10FFFF
    EXPECT_TRUE(CheckText("\xed\x9f\xbf", rule).ok());      // U+D7FF, below surrogates
  }
}

TEST(Utf8Test, RefusesInvalidSequencesNamingTheOffset) {
  struct Case {
    std::string text;
    const char* why;
  };
  const Case cases[] = {
      {"ab\x80", "lone continuation byte"},      {"ab\xc3", "truncated 2-byte sequence"},
      {"\xe2\x82", "truncated 3-byte sequence"}, {"\xc0\xaf", "overlong '/'"},
      {"\xc1\xbf", "overlong 2-byte"},           {"\xe0\x80\xaf", "overlong 3-byte"},
      {"\xf0\x80\x80\xaf", "overlong 4-byte"},   {"\xed\xa0\x80", "surrogate U+D800"},
      {"\xed\xbf\xbf", "surrogate U+DFFF"},      {"\xf4\x90\x80\x80", "above U+10FFFF"},
      {"\xf5\x80\x80\x80", "lead byte F5"},      {"\xff", "byte FF"},
      {"\xc3\x28", "bad continuation"},
  };
  for (const Case& c : cases) {
    Status s = CheckText(c.text, TextRule::kDocument);
    EXPECT_FALSE(s.ok()) << c.why;
    EXPECT_NE(s.message().find("invalid UTF-8 at byte"), std::string::npos) << c.why;
  }
  EXPECT_EQ(CheckText("ab\x80", TextRule::kSingleLine).message(), "invalid UTF-8 at byte 2");
}

TEST(Utf8Test, SingleLineRefusesEveryControlCharacter) {
  EXPECT_EQ(CheckText("abc\x07", TextRule::kSingleLine).message(),
            "control character U+0007 at byte 3 is not allowed");
  EXPECT_FALSE(CheckText(std::string("a\0b", 3), TextRule::kSingleLine).ok());
  EXPECT_FALSE(CheckText("a\nb", TextRule::kSingleLine).ok());
  EXPECT_FALSE(CheckText("a\tb", TextRule::kSingleLine).ok());
  EXPECT_FALSE(CheckText("a\x7f", TextRule::kSingleLine).ok());
  EXPECT_EQ(CheckText("a\xc2\x85", TextRule::kSingleLine).message(),  // NEL, a C1 control
            "control character U+0085 at byte 1 is not allowed");
  EXPECT_TRUE(CheckText("a\xc2\xa0", TextRule::kSingleLine).ok());  // no-break space
}

TEST(Utf8Test, MultiLineAllowsTabLineFeedCarriageReturnOnly) {
  EXPECT_TRUE(CheckText("line 1\r\n\tline 2\n", TextRule::kMultiLine).ok());
  EXPECT_FALSE(CheckText("a\x0c", TextRule::kMultiLine).ok());     // form feed
  EXPECT_FALSE(CheckText("a\x1b[0m", TextRule::kMultiLine).ok());  // terminal escape
  EXPECT_FALSE(CheckText(std::string("a\0", 2), TextRule::kMultiLine).ok());
}

TEST(Utf8Test, DocumentAllowsEverythingButNul) {
  EXPECT_TRUE(CheckText("page 1\x0cpage 2\x1b\x7f", TextRule::kDocument).ok());
  EXPECT_EQ(CheckText(std::string("ab\0", 3), TextRule::kDocument).message(),
            "control character U+0000 at byte 2 is not allowed");
}

}  // namespace
}  // namespace stemedb::core

#include "cli/text_table.h"

#include <gtest/gtest.h>

namespace stemedb::cli {
namespace {

TEST(TextTableTest, PadsColumnsToTheWidestCell) {
  TextTable t({"ID", "NAME", "N"});
  t.AddRow({"1", "alpha", "10"});
  t.AddRow({"200", "b", ""});
  EXPECT_EQ(t.Render(),
            "ID   NAME   N\n"
            "1    alpha  10\n"
            "200  b\n");
}

TEST(TextTableTest, CountsCodePointsNotBytesAndAllowsNoHeader) {
  TextTable t;
  t.AddRow({"\xC3\xA9t\xC3\xA9", "x"});  // "été": 3 code points, 5 bytes
  t.AddRow({"long", "y"});
  EXPECT_EQ(t.Render(), "\xC3\xA9t\xC3\xA9   x\nlong  y\n");
  EXPECT_TRUE(TextTable().empty());
}

TEST(TextTableTest, ClipCutsByCodePointsAndFlattensControls) {
  EXPECT_EQ(Clip("short", 10), "short");
  EXPECT_EQ(Clip("exactly10!", 10), "exactly10!");
  EXPECT_EQ(Clip("longer than ten", 10), "longer ...");
  EXPECT_EQ(Clip("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 4), "\xC3\xA9...");
  EXPECT_EQ(Clip("two\nlines\ttab", 20), "two lines tab");
}

}  // namespace
}  // namespace stemedb::cli

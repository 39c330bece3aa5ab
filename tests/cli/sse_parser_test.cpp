#include "cli/sse_parser.h"

#include <gtest/gtest.h>

#include "cli/error_message.h"

namespace stemedb::cli {
namespace {

TEST(SseParserTest, ParsesEventsAndDropsComments) {
  SseParser p;
  auto events = p.Feed(": keep-alive\n\nid: 7\nevent: assertion\ndata: {\"a\":1}\n\nid: 8\ndata: x\n\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id, "7");
  EXPECT_EQ(events[0].event, "assertion");
  EXPECT_EQ(events[0].data, "{\"a\":1}");
  EXPECT_EQ(events[1].id, "8");
  EXPECT_EQ(events[1].event, "");
}

TEST(SseParserTest, EventsMaySpanChunksAndUseCrLf) {
  SseParser p;
  EXPECT_TRUE(p.Feed("id: 1\r\nevent: asser").empty());
  EXPECT_TRUE(p.Feed("tion\r\ndata: part one\r\n").empty());
  auto events = p.Feed("data: part two\r\n\r\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "assertion");
  EXPECT_EQ(events[0].data, "part one\npart two");
}

TEST(SseParserTest, UnknownFieldsAloneMakeNoEvent) {
  SseParser p;
  EXPECT_TRUE(p.Feed("retry: 1000\n\n").empty());
  EXPECT_EQ(p.Feed("data:no-space\n\n").at(0).data, "no-space");
}

TEST(SseParserTest, RefusesAnEventBeyondTheLimit) {
  SseParser p;
  const std::string big(SseParser::kPendingBytesMax + 1, 'x');
  EXPECT_NE(ErrorMessage([&] { p.Feed(big); }, kExitUnreachable).find("exceeds"), std::string::npos);
}

}  // namespace
}  // namespace stemedb::cli

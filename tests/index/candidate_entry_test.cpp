#include "stemedb/index/candidate_entry.h"

#include <gtest/gtest.h>

namespace stemedb::index {
namespace {

TEST(CandidateEntryTest, RoundTrip) {
  Id id{};
  id.fill(0xab);
  const std::string entry = EncodeCandidateEntry(id, VoteAggregate{3, -0.25}, "record bytes");
  auto decoded = DecodeCandidateEntry(entry);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->id, id);
  EXPECT_EQ(decoded->votes.count, 3u);
  EXPECT_DOUBLE_EQ(decoded->votes.net_weight, -0.25);
  EXPECT_EQ(decoded->record_value, "record bytes");
}

TEST(CandidateEntryTest, AnIdOnlyValueFromAnOlderLayoutIsCorruptionNamingTheFamily) {
  auto decoded = DecodeCandidateEntry(std::string(32, 'x'));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(decoded.status().message().find("by_subject_predicate value of 32 bytes"), std::string::npos);
}

}  // namespace
}  // namespace stemedb::index

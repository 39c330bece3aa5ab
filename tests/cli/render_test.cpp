#include "cli/render.h"

#include <gtest/gtest.h>

#include "support/text_fields.h"

namespace stemedb::cli {
namespace {

using nlohmann::json;

const std::string kA(64, 'a');
const std::string kB(64, 'b');

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
using testing::HasField;

TEST(RenderTest, ScalarsAndObjects) {
  EXPECT_EQ(Scalar(json()), "-");
  EXPECT_EQ(Scalar("text"), "text");
  EXPECT_EQ(Scalar(12), "12");
  EXPECT_EQ(Scalar(0.8), "0.8");
  EXPECT_EQ(Scalar(true), "true");
  EXPECT_EQ(Scalar(json::array({"a", "b"})), "a, b");
  EXPECT_EQ(Scalar(json::array()), "-");
  EXPECT_EQ(ObjectText({{"type", "number"}, {"value", 2.5}}), "2.5");
  EXPECT_EQ(ObjectText({{"type", "reference"}, {"value", "entities/x"}}), "ref:entities/x");
  EXPECT_EQ(Member(json::array(), "x"), json());
}

TEST(RenderTest, FieldsFlattenNestedMembers) {
  const json node = {{"state", "serving"},
                     {"wal", {{"head_offset", 42}, {"segments", json::array({{{"name", "s1"}}})}}},
                     {"object", {{"type", "text"}, {"value", "rare"}}},
                     {"signers", json::array({kA})}};
  EXPECT_EQ(RenderFields(node),
            "object                rare\n"
            "signers               " + kA + "\n"
            "state                 serving\n"
            "wal.head_offset       42\n"
            "wal.segments[0].name  s1\n");
}

TEST(RenderTest, AssertionLeavesSignaturesToTheSigners) {
  const json a = {{"id", kA}, {"signatures", json::array({{{"agent_id", kB}, {"signature", "00"}}})},
                  {"signers", json::array({kB})}};
  EXPECT_EQ(RenderAssertion(a), "id       " + kA + "\nsigners  " + kB + "\n");
}

TEST(RenderTest, QueryShowsWinnerCandidatesWarningsAndNextPage) {
  const json candidate = {{"id", kA}, {"object", {{"type", "text"}, {"value", "rare"}}}, {"confidence", 0.8},
                          {"effective_confidence", 0.75}, {"source_class", "clinical"}, {"lifecycle", "approved"},
                          {"net_votes", 1}};
  const json answer = {{"subject", "drugs/x"}, {"predicate", "risk"}, {"lens", "recency"}, {"winner", candidate},
                       {"conflict_score", 0}, {"candidates_count", 1}, {"candidates", json::array({candidate})},
                       {"warnings", json::array({{{"message", "epoch e has no record"}}})}, {"next_cursor", "o100"}};
  const std::string out = RenderQuery(answer);
  EXPECT_TRUE(HasField(out, "winner", "rare  " + kA)) << out;
  EXPECT_TRUE(Has(out, "#  OBJECT  CONFIDENCE  EFFECTIVE  CLASS     LIFECYCLE  VOTES  ID")) << out;
  EXPECT_TRUE(Has(out, "1  rare    0.8         0.75       clinical  approved   1      " + kA)) << out;
  EXPECT_TRUE(Has(out, "warning: epoch e has no record\n")) << out;
  EXPECT_TRUE(Has(out, "more: --cursor o100\n")) << out;

  const json every = {{"subject", "drugs/x"}, {"resolutions", json::array()}, {"next_cursor", nullptr}};
  EXPECT_EQ(RenderQuery(every), "no claims about drugs/x\n");
}

TEST(RenderTest, SkepticAndLayered) {
  const json skeptic = {{"status", "contested"}, {"conflict_score", 0.5},
                        {"claims", json::array({{{"object", {{"type", "text"}, {"value", "rare"}}}, {"support", 1.5},
                                                 {"share", 0.6}, {"assertions", json::array({kA, kB})},
                                                 {"tiers", json::array({"clinical", "community"})}}})}};
  const std::string s = RenderSkeptic(skeptic);
  EXPECT_TRUE(HasField(s, "status", "contested")) << s;
  EXPECT_TRUE(Has(s, "rare    1.5      0.6    2           clinical, community")) << s;
  const json layered = {{"winner", nullptr}, {"cross_tier_conflict", false},
                        {"tiers", json::array({{{"tier", "expert"}, {"winner", nullptr}, {"conflict_score", 0},
                                                {"candidates_count", 0}}})}};
  const std::string l = RenderLayered(layered);
  EXPECT_TRUE(HasField(l, "winner", "(none)")) << l;
  EXPECT_TRUE(Has(l, "expert  (none)  0         0")) << l;
}

TEST(RenderTest, TraceListsEachPart) {
  const json a = {{"id", kA}, {"subject", "s"}, {"predicate", "p"}, {"object", {{"type", "boolean"}, {"value", true}}},
                  {"confidence", 0.5}, {"source_class", "expert"}, {"lifecycle", "proposed"}};
  const json trace = {{"assertion", a}, {"parents", json::array()}, {"children", json::array({kB})},
                      {"source", {{"id", kB}, {"registered", false}}},
                      {"signers", json::array({{{"agent_id", kB}, {"trust", 0.5}}})},
                      {"votes", json::array()}, {"epoch", nullptr}};
  EXPECT_EQ(RenderTrace(trace),
            "assertion  " + kA + "  s  p = true  (confidence 0.5, expert, proposed)\n"
            "parents    (none)\n"
            "children   " + kB + "\n"
            "source     " + kB + "  (not registered)\n"
            "signers    " + kB + "  trust 0.5\n"
            "votes      (none)\n"
            "epoch      (none)\n");
}

TEST(RenderTest, FeedAndKeys) {
  const json item = {{"seq", 3}, {"id", kA}, {"subject", "s"}, {"predicate", "p"},
                     {"object", {{"type", "text"}, {"value", "v"}}}, {"confidence", 0.9}};
  EXPECT_EQ(RenderFeedItem("assertion", item), "3  " + kA + "  s  p  v  0.9");
  EXPECT_EQ(RenderFeedItem("vote", {{"seq", 4}, {"id", kB}, {"assertion_hash", kA}, {"weight", 1}}),
            "4  vote  " + kB + "  on " + kA + "  weight 1");
  const std::string feed = RenderFeed({{"assertions", json::array({item})}, {"next_after", 3}});
  EXPECT_TRUE(Has(feed, "SEQ  ID")) << feed;
  EXPECT_TRUE(Has(feed, "next page: --after 3\n")) << feed;
  EXPECT_EQ(RenderFeed({{"assertions", json::array()}}), "no assertions\n");
  const std::string kinds = RenderFeed({{"epochs", json::array({{{"seq", 5}, {"id", kB}, {"name", "e1"}, {"status", "current"}}})},
                                        {"sources", json::array()}});
  EXPECT_TRUE(Has(kinds, "5    " + kB + "  epoch  e1  (current)")) << kinds;
  EXPECT_TRUE(Has(kinds, "no sources\n")) << kinds;
  EXPECT_FALSE(Has(kinds, "assertions")) << kinds;
  EXPECT_EQ(RenderSubjects({{"subjects", json::array({"a/1", "a/2"})}, {"next_cursor", "s612f32"}}),
            "a/1\na/2\nmore: --cursor s612f32\n");
  const std::string predicates =
      RenderPredicates({{"predicates", json::array({{{"predicate", "p"}, {"claims", 1000}, {"claims_capped", true}}})},
                        {"next_cursor", nullptr}});
  EXPECT_TRUE(Has(predicates, "p          1000+")) << predicates;
  const std::string keys = RenderKeys({{"keys", json::array({{{"key_id", "k1"}, {"role", "read"}, {"name", "ci"},
                                                               {"created_at", 5}, {"revoked", false}}})}});
  EXPECT_EQ(keys, "KEY_ID  ROLE  NAME  CREATED_AT  REVOKED\nk1      read  ci    5           false\n");
  EXPECT_EQ(RenderKeys({{"keys", json::array()}}), "no API keys\n");
}

}  // namespace
}  // namespace stemedb::cli

// Retraction cascade (issue 5 point 7): retracting a source flags every assertion citing it, in
// every read (assertion, trace, feed, query candidates, skeptic, layered), and leaves those
// assertions out of every lens unless include_retracted=true. The reads before the retraction
// fill the candidate cache: what follows must show the retraction at once.

#include <gtest/gtest.h>

#include <set>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/hex.h"
#include "support/api.h"
#include "support/daemon.h"
#include "support/records.h"
#include "support/sse.h"

namespace stemedb::testing {
namespace {

using core::SourceClass;
using nlohmann::json;

const std::vector<std::string> kLenses = {"recency", "confidence", "consensus", "vote", "authority", "epoch"};

core::Source NamedSource(const std::string& uri) {
  core::Source s;
  s.uri = uri;
  s.source_class = SourceClass::kRegulatory;
  return s;
}

class CascadeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_.Write(retracted_);
    api_.Write(kept_);
    // drug/z risk: "severe" rests on the source to be retracted and outweighs "mild" until then.
    severe_ = Post({.subject = "drug/z", .predicate = "risk", .text = "severe", .confidence = 0.9,
                    .source_class = SourceClass::kRegulatory, .source_hash = core::ContentId(retracted_)}, 1);
    mild_community_ = Post({.subject = "drug/z", .predicate = "risk", .text = "mild", .confidence = 0.6,
                            .source_class = SourceClass::kCommunity, .source_hash = core::ContentId(kept_)}, 2);
    mild_clinical_ = Post({.subject = "drug/z", .predicate = "risk", .text = "mild", .confidence = 0.7,
                           .source_class = SourceClass::kClinical}, 3);
    dose_ = Post({.subject = "drug/z", .predicate = "dose", .text = "10mg", .source_hash = core::ContentId(retracted_)}, 1);
    elsewhere_ = Post({.subject = "drug/y", .predicate = "risk", .text = "severe", .source_hash = core::ContentId(retracted_)}, 4);
  }

  std::string Post(const AssertionSpec& spec, int agent) { return api_.Assert(SignedAssertion(spec, {agent}))["id"]; }
  json Read(const std::string& path, const std::string& predicate, QueryList extra = {}) {
    QueryList p = {{"subject", "drug/z"}, {"predicate", predicate}};
    p.insert(p.end(), extra.begin(), extra.end());
    return api_.Ok(Target(path, p));
  }
  json Risk(const std::string& lens, bool include_retracted = false) {
    QueryList extra = {{"lens", lens}};
    if (include_retracted) extra.emplace_back("include_retracted", "true");
    return Read("/v1/query", "risk", extra);
  }
  void Retract() {
    json r = api_.Retract(core::ContentId(retracted_), "the label was withdrawn");
    EXPECT_EQ(r["status"], "retracted");
  }
  std::string RetractedHex() const { return core::IdHex(core::ContentId(retracted_)); }

  Daemon daemon_{{.args = UnlimitedArgs()}};
  Api api_{daemon_};
  const core::Source retracted_ = NamedSource("https://example.org/withdrawn-label");
  const core::Source kept_ = NamedSource("https://example.org/forum");
  std::string severe_, mild_community_, mild_clinical_, dose_, elsewhere_;
};

std::set<std::string> CandidateIds(const json& r) {
  std::set<std::string> ids;
  for (const json& c : r["candidates"]) ids.insert(c["id"].get<std::string>());
  return ids;
}

// The warnings of a read, as (code, assertion) pairs.
std::set<std::pair<std::string, std::string>> Warnings(const json& r) {
  std::set<std::pair<std::string, std::string>> out;
  for (const json& w : r["warnings"]) out.emplace(w["code"], w.value("assertion", ""));
  return out;
}

TEST_F(CascadeTest, RetractionNeedsAdminAReasonAndAKnownSource) {
  const std::string path = "/v1/sources/" + RetractedHex() + "/retract";
  EXPECT_EQ(api_.Post(path, R"({"reason":"x"})").status, 401);
  const client::Headers admin = AdminHeaders(daemon_);
  EXPECT_EQ(api_.Post(path, R"({"reason":""})", admin).status / 100, 4);
  EXPECT_EQ(api_.Post(path, R"({})", admin).status / 100, 4);
  EXPECT_EQ(api_.Post("/v1/sources/" + std::string(64, '0') + "/retract", R"({"reason":"x"})", admin).status, 404);
  EXPECT_FALSE(api_.Ok("/v1/assertions/" + severe_)["flags"]["source_retracted"]);  // nothing changed
  Retract();
  json again = api_.Retract(core::ContentId(retracted_), "again");
  EXPECT_EQ(again["status"], "exists");
  EXPECT_EQ(api_.Ok("/v1/sources/" + RetractedHex())["retraction_reason"], "the label was withdrawn");
}

TEST_F(CascadeTest, EveryLensLeavesRetractedClaimsOutUnlessAskedAndSaysSo) {
  for (const std::string& lens : kLenses) EXPECT_EQ(Risk(lens)["candidates_count"], 3) << lens;  // fills the cache
  EXPECT_EQ(Risk("authority")["winner"]["id"], severe_);
  Retract();
  for (const std::string& lens : kLenses) {
    json out = Risk(lens);
    EXPECT_EQ(out["candidates_count"], 2) << lens;
    EXPECT_EQ(CandidateIds(out), (std::set<std::string>{mild_community_, mild_clinical_})) << lens;
    EXPECT_EQ(out["winner"]["object"]["value"], "mild") << lens;
    EXPECT_EQ(Warnings(out), (std::set<std::pair<std::string, std::string>>{{"source_retracted", severe_}})) << lens;

    json in = Risk(lens, true);
    EXPECT_EQ(in["candidates_count"], 3) << lens;
    EXPECT_EQ(Warnings(in), (std::set<std::pair<std::string, std::string>>{{"retracted_source_included", severe_}})) << lens;
    for (const json& c : in["candidates"]) EXPECT_EQ(c.value("source_retracted", false), c["id"] == severe_) << lens;
  }
  EXPECT_EQ(Risk("authority", true)["winner"]["id"], severe_);
  // Every predicate and subject citing the source, not just the one read before.
  EXPECT_EQ(Read("/v1/query", "dose")["candidates_count"], 0);
  EXPECT_EQ(api_.Ok("/v1/query?subject=drug/y&predicate=risk")["candidates_count"], 0);
  json all = api_.Ok("/v1/query?subject=drug/z");
  for (const json& r : all["resolutions"]) {
    EXPECT_FALSE(r["warnings"].empty()) << r["predicate"];
  }
}

TEST_F(CascadeTest, SkepticAndLayeredDropTheRetractedClaim) {
  EXPECT_EQ(Read("/v1/skeptic", "risk")["status"], "contested");  // severe 0.45 against mild 0.405
  EXPECT_EQ(Read("/v1/layered", "risk")["winner"]["id"], severe_);
  Retract();
  json skeptic = Read("/v1/skeptic", "risk");
  EXPECT_EQ(skeptic["status"], "unanimous");
  ASSERT_EQ(skeptic["claims"].size(), 1u);
  EXPECT_EQ(skeptic["claims"][0]["object"]["value"], "mild");
  EXPECT_EQ(Warnings(skeptic), (std::set<std::pair<std::string, std::string>>{{"source_retracted", severe_}}));
  EXPECT_EQ(Read("/v1/skeptic", "risk", {{"include_retracted", "true"}})["claims"].size(), 2u);

  json layered = Read("/v1/layered", "risk");
  ASSERT_EQ(layered["tiers"].size(), 2u);
  EXPECT_EQ(layered["tiers"][0]["tier"], "clinical");
  EXPECT_EQ(layered["winner"]["id"], mild_clinical_);
  EXPECT_EQ(layered["cross_tier_conflict"], false);
  EXPECT_EQ(Warnings(layered), (std::set<std::pair<std::string, std::string>>{{"source_retracted", severe_}}));
  json included = Read("/v1/layered", "risk", {{"include_retracted", "true"}});
  EXPECT_EQ(included["tiers"][0]["tier"], "regulatory");
  EXPECT_EQ(included["winner"]["id"], severe_);
  EXPECT_EQ(included["cross_tier_conflict"], true);
}

TEST_F(CascadeTest, RecordReadsFlagEveryAssertionCitingTheSource) {
  Retract();
  for (const std::string& id : {severe_, dose_, elsewhere_}) {
    EXPECT_EQ(api_.Ok("/v1/assertions/" + id)["flags"]["source_retracted"], true) << id;
  }
  for (const std::string& id : {mild_community_, mild_clinical_}) {
    EXPECT_EQ(api_.Ok("/v1/assertions/" + id)["flags"]["source_retracted"], false) << id;
  }
  json trace = api_.Ok("/v1/trace/" + severe_);
  EXPECT_EQ(trace["assertion"]["flags"]["source_retracted"], true);
  EXPECT_EQ(trace["source"]["retracted"], true);
  EXPECT_EQ(trace["source"]["retraction_reason"], "the label was withdrawn");
  json sources = api_.Ok("/v1/sources");
  for (const json& s : sources["sources"]) EXPECT_EQ(s["retracted"], s["id"] == RetractedHex()) << s.dump();

  // The feed names the retraction on every item citing the source, listed and streamed.
  json feed = api_.Ok("/v1/feed");
  ASSERT_EQ(feed["assertions"].size(), 5u);
  for (const json& a : feed["assertions"]) {
    ASSERT_TRUE(a.contains("flags")) << a.dump();
    EXPECT_EQ(a["flags"]["source_retracted"], a.value("source_hash", "") == RetractedHex()) << a.dump();
  }
  SseStream stream(daemon_, "/v1/feed?follow=true");
  ASSERT_EQ(stream.status(), 200);
  for (int i = 0; i < 5; ++i) {
    auto e = stream.Next();
    ASSERT_TRUE(e.has_value());
    json a = json::parse(e->data);
    EXPECT_EQ(a["flags"]["source_retracted"], a.value("source_hash", "") == RetractedHex()) << e->data;
  }
}

}  // namespace
}  // namespace stemedb::testing

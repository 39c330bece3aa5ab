// The reference scenario of lenses.md over HTTP: its 57 claims written with real signatures
// through POST /v1/assert, then every lens, the skeptic and the layered view read back through
// GET. The expected figures come from the formulas (support/reference_scenario.h), the same
// ones the engine's unit test checks against.

#include <gtest/gtest.h>

#include <map>

#include "stemedb/core/hex.h"
#include "support/api.h"
#include "support/daemon.h"
#include "support/records.h"
#include "support/reference_scenario.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;
namespace sc = scenario;

// The decayed figures move by ~1e-8 per second of request time; the test reads its own clock
// right after each answer, a second or so from the server's.
constexpr double kDecayedTolerance = 1e-6;
constexpr double kExactTolerance = 1e-12;

struct Posted {
  int64_t start_s = 0;
  uint64_t as_of_ms = 0;                 // step 3: after every step-2 write, before any step-4 one
  std::map<uint16_t, std::string> ids;   // claim number -> id
};

Posted PostScenario(Api& api) {
  Posted p;
  p.start_s = UnixNowS() - sc::kStartBeforeNowS;
  uint64_t last_ingested_ms = 0;
  for (const sc::Claim& c : sc::ReferenceClaims()) {
    if (c.step > 3 && p.as_of_ms == 0) {
      p.as_of_ms = last_ingested_ms;
      WaitForClockPast(p.as_of_ms);  // the next write is known strictly later than as_of
    }
    json r = api.Assert(SignedAssertion({.subject = sc::kSubject,
                                         .predicate = sc::kPredicate,
                                         .text = c.text,
                                         .confidence = c.confidence,
                                         .timestamp = p.start_s + c.offset_s,
                                         .source_class = c.tier},
                                        {c.author}));
    EXPECT_EQ(r["status"], "created");
    if (c.step > 3) {
      EXPECT_GT(r["ingested_at"].get<uint64_t>(), p.as_of_ms);
    }
    p.ids[c.number] = r["id"];
    last_ingested_ms = r["ingested_at"];
  }
  return p;
}

class ReferenceScenarioHttpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    daemon_ = new Daemon({.args = UnlimitedArgs()});
    Api api(*daemon_);
    posted_ = new Posted(PostScenario(api));
  }
  static void TearDownTestSuite() {
    delete posted_;
    delete daemon_;
  }

  // GET path for the scenario's subject and predicate; notes the time of the answer.
  json Read(const std::string& path, QueryList extra = {}) {
    QueryList params = {{"subject", sc::kSubject}, {"predicate", sc::kPredicate}};
    params.insert(params.end(), extra.begin(), extra.end());
    json r = api_.Ok(Target(path, params));
    now_s_ = UnixNowS();
    return r;
  }
  json Lens(const std::string& lens, QueryList extra = {}) {
    extra.emplace_back("lens", lens);
    json r = Read("/v1/query", extra);
    EXPECT_EQ(r["lens"], lens);
    EXPECT_EQ(r["candidates_count"], sc::ReferenceClaims().size());
    EXPECT_EQ(r["candidates"].size(), sc::ReferenceClaims().size());
    return r;
  }
  std::map<std::string, double> Weights(sc::ClaimWeight weight, bool decay = true) const {
    return sc::GroupWeights(sc::ReferenceClaims(), weight, posted_->start_s, now_s_, decay);
  }
  const std::string& Id(uint16_t number) const { return posted_->ids.at(number); }

  static Daemon* daemon_;
  static Posted* posted_;
  Api api_{*daemon_};
  int64_t now_s_ = 0;
};

Daemon* ReferenceScenarioHttpTest::daemon_ = nullptr;
Posted* ReferenceScenarioHttpTest::posted_ = nullptr;

void ExpectWinner(const json& r, const std::string& text) {
  ASSERT_TRUE(r["winner"].is_object()) << r.dump();
  EXPECT_EQ(r["winner"]["object"], (json{{"type", "text"}, {"value", text}}));
}

TEST_F(ReferenceScenarioHttpTest, RecencyPicksTheLastCommunityClaim) {
  json r = Lens("recency");
  ExpectWinner(r, "significant");
  EXPECT_EQ(r["winner"]["id"], Id(204));
  EXPECT_EQ(r["resolution_confidence"], 0.5);  // the last "none" is 45 s older: under a minute
  EXPECT_NEAR(r["conflict_score"].get<double>(), sc::Entropy(sc::GroupAgents(sc::ReferenceClaims())), kExactTolerance);
  EXPECT_EQ(r["candidates"][0]["id"], Id(204));
}

TEST_F(ReferenceScenarioHttpTest, ConfidencePicksTheRegulatoryLabel) {
  json r = Lens("confidence");
  ExpectWinner(r, "rare");
  EXPECT_EQ(r["resolution_confidence"], 0.9);  // regulatory claims never decay
  EXPECT_NEAR(r["conflict_score"].get<double>(), sc::Entropy(Weights(&sc::EffectiveConfidence)), kDecayedTolerance);
}

TEST_F(ReferenceScenarioHttpTest, ConsensusCountsFiveAgentsAgainstOneOneOne) {
  json r = Lens("consensus");
  ExpectWinner(r, "significant");
  EXPECT_EQ(r["winner"]["id"], Id(204));  // the newest assertion of the group
  EXPECT_DOUBLE_EQ(r["resolution_confidence"].get<double>(), 5.0 / sc::kDistinctAgents);
  EXPECT_NEAR(r["conflict_score"].get<double>(), sc::Entropy(sc::GroupAgents(sc::ReferenceClaims())), kExactTolerance);
}

TEST_F(ReferenceScenarioHttpTest, VoteWithoutVotesWeighsEffectiveConfidence) {
  json r = Lens("vote");
  const auto support = Weights(&sc::EffectiveConfidence);  // support = eff * max(0, 1 + 0)
  ExpectWinner(r, "significant");
  EXPECT_NEAR(r["resolution_confidence"].get<double>(), support.at("significant") / sc::Total(support), kDecayedTolerance);
  EXPECT_NEAR(r["conflict_score"].get<double>(), sc::Entropy(support), kDecayedTolerance);
}

TEST_F(ReferenceScenarioHttpTest, AuthorityPicksSignificantPointSixAgainstTheRest) {
  json r = Lens("authority");
  const auto w = Weights(&sc::AuthorityWeight);
  ExpectWinner(r, "significant");
  EXPECT_NEAR(r["resolution_confidence"].get<double>(), w.at("significant") / sc::Total(w), kDecayedTolerance);
  EXPECT_NEAR(r["conflict_score"].get<double>(), sc::Entropy(w), kDecayedTolerance);
  // Decay off: the page's figures exactly, 0.6 / (0.6 + 0.45 + 0.3825 + 0.04).
  json flat = Lens("authority", {{"decay", "false"}});
  EXPECT_NEAR(flat["resolution_confidence"].get<double>(), 0.6 / 1.4725, kExactTolerance);
  EXPECT_NEAR(flat["conflict_score"].get<double>(), sc::Entropy(Weights(&sc::AuthorityWeight, false)), kExactTolerance);
}

TEST_F(ReferenceScenarioHttpTest, EpochLensWithoutEpochsIsItsInnerLens) {
  json r = Lens("epoch");
  EXPECT_EQ(r["inner"], "recency");
  ExpectWinner(r, "significant");
  EXPECT_EQ(r["resolution_confidence"], 0.5);
  json by_authority = Lens("epoch", {{"inner", "authority"}});
  EXPECT_EQ(by_authority["inner"], "authority");
  ExpectWinner(by_authority, "significant");
  EXPECT_TRUE(by_authority["warnings"].empty());
}

TEST_F(ReferenceScenarioHttpTest, SkepticIsContestedWithFourClaims) {
  json r = Read("/v1/skeptic");
  const auto w = Weights(&sc::AuthorityWeight);
  EXPECT_EQ(r["status"], "contested");
  EXPECT_NEAR(r["conflict_score"].get<double>(), sc::Entropy(w), kDecayedTolerance);
  EXPECT_NEAR(r["conflict_score"].get<double>(), 0.85, 0.005);  // "about 0.85"
  ASSERT_EQ(r["claims"].size(), 4u);
  const std::vector<std::string> ranked = {"significant", "rare", "no_signal", "none"};
  for (size_t i = 0; i < ranked.size(); ++i) {
    const json& claim = r["claims"][i];
    EXPECT_EQ(claim["object"]["value"], ranked[i]);
    EXPECT_NEAR(claim["support"].get<double>(), w.at(ranked[i]), kDecayedTolerance);
    EXPECT_NEAR(claim["share"].get<double>(), w.at(ranked[i]) / sc::Total(w), kDecayedTolerance);
  }
  EXPECT_EQ(r["claims"][3]["assertions"].size(), 50u);  // all 50 repeats listed, counted once
  EXPECT_EQ(r["claims"][0]["tiers"], json::array({"community"}));
}

TEST_F(ReferenceScenarioHttpTest, LayeredHasFourTiersThatDisagreeAndRareWins) {
  json r = Read("/v1/layered");
  const QueryList tiers = {
      {"regulatory", "rare"}, {"clinical", "no_signal"}, {"community", "significant"}, {"anecdotal", "none"}};
  ASSERT_EQ(r["tiers"].size(), tiers.size());
  for (size_t i = 0; i < tiers.size(); ++i) {
    EXPECT_EQ(r["tiers"][i]["tier"], tiers[i].first);
    ExpectWinner(r["tiers"][i], tiers[i].second);
    EXPECT_EQ(r["tiers"][i]["conflict_score"], 0.0);
  }
  EXPECT_EQ(r["tiers"][3]["candidates_count"], 50);
  EXPECT_EQ(r["cross_tier_conflict"], true);
  ExpectWinner(r, "rare");
  EXPECT_EQ(r["winner"]["id"], Id(1));
}

TEST_F(ReferenceScenarioHttpTest, AsOfStepThreeShowsTwoClaimsOnly) {
  const std::string as_of = std::to_string(posted_->as_of_ms);
  json r = Read("/v1/skeptic", {{"as_of", as_of}});
  // now = as_of for decay.
  const auto w = sc::GroupWeights(sc::KnownAtStep3(sc::ReferenceClaims()), &sc::AuthorityWeight, posted_->start_s,
                                  int64_t(posted_->as_of_ms / 1000), true);
  ASSERT_EQ(r["claims"].size(), 2u);
  EXPECT_EQ(r["claims"][0]["object"]["value"], "rare");
  EXPECT_EQ(r["claims"][1]["object"]["value"], "no_signal");
  EXPECT_NEAR(r["claims"][1]["support"].get<double>(), w.at("no_signal"), kExactTolerance);
  EXPECT_NEAR(r["conflict_score"].get<double>(), sc::Entropy(w), kExactTolerance);
  EXPECT_EQ(r["status"], "contested");
  json q = Read("/v1/query", {{"as_of", as_of}});
  EXPECT_EQ(q["candidates_count"], 2);
  ExpectWinner(q, "no_signal");  // the newer of the two
}

}  // namespace
}  // namespace stemedb::testing

// The write metrics of issue 4 (point 7) on a live daemon's /metrics:
// stemedb_assertions_ingested_total, stemedb_assertions_rejected_total{reason},
// stemedb_votes_total and stemedb_epochs_total.

#include <gtest/gtest.h>

#include <map>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/records.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

const char* const kIngested = "stemedb_assertions_ingested_total";
const char* const kVotes = "stemedb_votes_total";
const char* const kEpochs = "stemedb_epochs_total";
std::string Rejected(const std::string& reason) { return "stemedb_assertions_rejected_total{reason=\"" + reason + "\"}"; }

class WriteMetricsTest : public ::testing::Test {
 protected:
  WriteMetricsTest() : c_(d_.Connect()) {}

  // How far each sample moved since the last call.
  std::map<std::string, double> Moved(const std::vector<std::string>& samples) {
    std::map<std::string, double> moved;
    for (const std::string& s : samples) {
      const double now = ReadMetric(*c_, s);
      moved[s] = now - last_[s];
      last_[s] = now;
    }
    return moved;
  }
  std::map<std::string, double> MovedAll() {
    return Moved({kIngested, kVotes, kEpochs, Rejected("malformed_json"), Rejected("value_out_of_range"),
                  Rejected("invalid_signature"), Rejected("unknown_parent")});
  }

  Daemon d_{{.args = {"--rate-limit-enabled", "false"}}};
  std::unique_ptr<client::HttpConnection> c_;
  std::map<std::string, double> last_;
};

TEST_F(WriteMetricsTest, CountersFollowWhatWasWrittenAndRefused) {
  MovedAll();
  const core::Assertion a = SignedAssertion({.subject = "metrics/a"});
  Created(*c_, a);
  Created(*c_, SignedAssertion({.subject = "metrics/b"}));
  ExpectWrite(*c_, a, 200, "exists");
  ExpectWrite(*c_, Resigned(a, {2}), 200, "cosigned");
  auto moved = MovedAll();
  EXPECT_EQ(moved[kIngested], 2) << "only created assertions are ingested";

  json tampered = core::ToJson(SignedAssertion({.subject = "metrics/c"}));
  tampered["confidence"] = 0.1;
  JsonReply batch = PostJson(*c_, "/v1/assert/batch",
                             {{"assertions", {core::ToJson(SignedAssertion({.subject = "metrics/d"})), tampered}}});
  ASSERT_EQ(batch.status, 200);
  moved = MovedAll();
  EXPECT_EQ(moved[kIngested], 1);
  EXPECT_EQ(moved[Rejected("invalid_signature")], 1);

  EXPECT_EQ(Send(*c_, "POST", "/v1/assert", "{").status, 400);
  json out_of_range = core::ToJson(a);
  out_of_range["confidence"] = 7;
  EXPECT_EQ(PostJson(*c_, "/v1/assert", out_of_range).status, 422);
  EXPECT_EQ(PostRecord(*c_, SignedAssertion({.subject = "metrics/a", .parent_hash = core::Hash32{}})).status, 422);
  moved = MovedAll();
  EXPECT_EQ(moved[kIngested], 0);
  EXPECT_EQ(moved[Rejected("malformed_json")], 1);
  EXPECT_EQ(moved[Rejected("value_out_of_range")], 1);
  EXPECT_EQ(moved[Rejected("unknown_parent")], 1);
}

TEST_F(WriteMetricsTest, VotesAndEpochsCountStoredRecords) {
  MovedAll();
  const core::Hash32 target = core::ContentId(SignedAssertion({.subject = "metrics/votes"}));
  Created(*c_, SignedAssertion({.subject = "metrics/votes"}));
  Created(*c_, SignedVote(target, 2, 1.0));
  Created(*c_, SignedVote(target, 3, -1.0));
  ExpectWrite(*c_, SignedVote(target, 3, -1.0), 200, "exists");
  EXPECT_EQ(PostRecord(*c_, SignedVote(core::Hash32{}, 2, 1.0)).status, 404);
  Created(*c_, SignedEpoch("metrics-2020"));
  Created(*c_, SignedEpoch("metrics-2021", core::ContentId(SignedEpoch("metrics-2020"))));
  EXPECT_EQ(PostRecord(*c_, SignedEpoch("metrics-orphan", core::Hash32{})).status, 422);
  auto moved = MovedAll();
  EXPECT_EQ(moved[kVotes], 2);
  EXPECT_EQ(moved[kEpochs], 2);
  EXPECT_EQ(moved[kIngested], 1);
  EXPECT_EQ(moved[Rejected("unknown_parent")], 0) << "votes and epochs are not assertions";
}

}  // namespace
}  // namespace stemedb::testing

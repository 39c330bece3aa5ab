// GET /v1/subjects and /v1/subjects/{subject}/predicates on the real daemon: subjects by prefix
// in byte order, paged with a cursor that visits each once; a subject's predicates with their
// claim counts; subjects holding '/', '+' and spaces through the path; bad input named.

#include <gtest/gtest.h>

#include "stemedb/client/request_target.h"
#include "support/api.h"
#include "support/daemon.h"
#include "support/records.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

std::vector<std::string> Strings(const json& array) { return array.get<std::vector<std::string>>(); }

class BrowseTest : public ::testing::Test {
 protected:
  void Claim(const std::string& subject, const std::string& predicate, const std::string& text) {
    api_.Assert(SignedAssertion({.subject = subject, .predicate = predicate, .text = text}));
  }
  Daemon daemon_{{.args = UnlimitedArgs()}};
  Api api_{daemon_};
};

TEST_F(BrowseTest, SubjectsByPrefixPagedInByteOrder) {
  for (const std::string s : {"drugs/b", "drugs/a", "drugs/c", "people/x", "drugs/a b+c"}) {
    Claim(s, "p1", "v");
    Claim(s, "p2", "v");  // a second predicate: the subject is listed once
  }
  EXPECT_EQ(Strings(api_.Ok("/v1/subjects")["subjects"]),
            (std::vector<std::string>{"drugs/a", "drugs/a b+c", "drugs/b", "drugs/c", "people/x"}));
  EXPECT_EQ(Strings(api_.Ok("/v1/subjects?prefix=drugs/a")["subjects"]), (std::vector<std::string>{"drugs/a", "drugs/a b+c"}));
  EXPECT_TRUE(api_.Ok("/v1/subjects?prefix=zzz")["subjects"].empty());

  std::vector<std::string> paged;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    json r = api_.Ok("/v1/subjects?prefix=drugs/&limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& s : Strings(r["subjects"])) paged.push_back(s);
    if (r["next_cursor"].is_null()) break;
    cursor = r["next_cursor"];
  }
  EXPECT_EQ(paged, (std::vector<std::string>{"drugs/a", "drugs/a b+c", "drugs/b", "drugs/c"}));

  EXPECT_EQ(api_.Error("/v1/subjects?limit=0", 400)["field"], "limit");
  EXPECT_EQ(api_.Error("/v1/subjects?limit=1001", 400)["field"], "limit");
  EXPECT_EQ(api_.Error("/v1/subjects?cursor=nonsense", 400)["code"], "invalid_cursor");
  EXPECT_EQ(api_.Error("/v1/subjects?prefix=" + std::string(513, 's'), 400)["field"], "prefix");
  EXPECT_EQ(api_.Error("/v1/subjects?prefx=a", 400)["code"], "unknown_parameter");
}

TEST_F(BrowseTest, PredicatesOfASubjectWithClaimCounts) {
  const std::string subject = "drugs/a b+c";
  for (int i = 0; i < 3; ++i) Claim(subject, "risk", "v" + std::to_string(i));
  Claim(subject, "dose", "1 mg");
  Claim("drugs/other", "risk", "v");
  const std::string path = "/v1/subjects/" + client::PercentEncode(subject) + "/predicates";
  json r = api_.Ok(path);
  EXPECT_EQ(r["subject"], subject);
  ASSERT_EQ(r["predicates"].size(), 2u) << r;
  EXPECT_EQ(r["predicates"][0], (json{{"predicate", "dose"}, {"claims", 1}, {"claims_capped", false}}));
  EXPECT_EQ(r["predicates"][1], (json{{"predicate", "risk"}, {"claims", 3}, {"claims_capped", false}}));
  EXPECT_TRUE(r["next_cursor"].is_null());

  json first = api_.Ok(path + "?limit=1");
  ASSERT_EQ(first["predicates"].size(), 1u);
  json second = api_.Ok(path + "?limit=1&cursor=" + first["next_cursor"].get<std::string>());
  EXPECT_EQ(second["predicates"][0]["predicate"], "risk");
  EXPECT_TRUE(second["next_cursor"].is_null());

  EXPECT_EQ(api_.Error("/v1/subjects/" + client::PercentEncode("drugs/none") + "/predicates", 404)["code"],
            "subject_not_found");
  EXPECT_EQ(api_.Error(path + "?limit=101", 400)["field"], "limit");
  EXPECT_EQ(api_.Error("/v1/subjects/%zz/predicates", 400)["field"], "subject");
}

}  // namespace
}  // namespace stemedb::testing

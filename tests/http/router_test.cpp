#include "stemedb/http/router.h"

#include <gtest/gtest.h>

namespace stemedb::http {
namespace {

Handler Noop() {
  return [](const Request&, Responder) {};
}

TEST(RouterTest, MatchesPathParameters) {
  Router r;
  r.Add(Method::kGet, "/v1/assertions/{id}", RouteClass::kRead, Noop());
  auto m = r.Match(Method::kGet, "/v1/assertions/abc");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.params.at("id"), "abc");
  EXPECT_EQ(m.route->pattern, "/v1/assertions/{id}");
}

TEST(RouterTest, NotFoundAndMethodNotAllowedWithAllow) {
  Router r;
  r.Add(Method::kGet, "/v1/keys", RouteClass::kAdmin, Noop());
  r.Add(Method::kPost, "/v1/keys", RouteClass::kAdmin, Noop());
  EXPECT_EQ(r.Match(Method::kGet, "/v1/nothing").kind, RouteMatch::Kind::kNotFound);
  auto m = r.Match(Method::kDelete, "/v1/keys");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, HEAD, POST");
}

TEST(RouterTest, HeadIsServedByGet) {
  Router r;
  r.Add(Method::kGet, "/v1/health", RouteClass::kOps, Noop());
  EXPECT_EQ(r.Match(Method::kHead, "/v1/health").kind, RouteMatch::Kind::kFound);
}

TEST(RouterTest, TrailingSlashAndExtraSegmentsDoNotMatch) {
  Router r;
  r.Add(Method::kGet, "/v1/epochs/{id}", RouteClass::kRead, Noop());
  EXPECT_EQ(r.Match(Method::kGet, "/v1/epochs/").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Match(Method::kGet, "/v1/epochs/a/b").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Match(Method::kGet, "/v1/epochs/a/").kind, RouteMatch::Kind::kNotFound);
}

TEST(RouterTest, APatternWithATrailingSlashMatchesOnlyThat) {
  Router r;
  r.Add(Method::kGet, "/console", RouteClass::kOps, Noop());
  r.Add(Method::kGet, "/console/", RouteClass::kOps, Noop());
  const RouteMatch bare = r.Match(Method::kGet, "/console");
  ASSERT_EQ(bare.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(bare.route->pattern, "/console");
  const RouteMatch slash = r.Match(Method::kGet, "/console/");
  ASSERT_EQ(slash.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(slash.route->pattern, "/console/");
}

TEST(RouterTest, LiteralSegmentsAreExact) {
  Router r;
  r.Add(Method::kPost, "/v1/sources/{hash}/retract", RouteClass::kAdmin, Noop());
  EXPECT_EQ(r.Match(Method::kPost, "/v1/sources/x/retract").kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(r.Match(Method::kPost, "/v1/sources/x/retracts").kind, RouteMatch::Kind::kNotFound);
}

TEST(RouterTest, DuplicateRouteThrows) {
  Router r;
  r.Add(Method::kGet, "/a", RouteClass::kRead, Noop());
  EXPECT_THROW(r.Add(Method::kGet, "/a", RouteClass::kRead, Noop()), std::invalid_argument);
  EXPECT_THROW(r.Add(Method::kGet, "a", RouteClass::kRead, Noop()), std::invalid_argument);
}

}  // namespace
}  // namespace stemedb::http

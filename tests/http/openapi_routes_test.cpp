// docs/openapi.json and the router describe the same API: every served route is documented and
// every documented path is served.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "stemedb/http/api_routes.h"
#include "stemedb/http/openapi_document.h"
#include "stemedb/replication/replication.h"
#include "support/temp_dir.h"

namespace stemedb::http {
namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(OpenApiRoutesTest, RouterAndDocumentHaveTheSameRoutes) {
  stemedb::testing::TempDir dir;
  ops::Registry metrics;
  storage::StoreOptions o;
  o.data_dir = dir.Sub("data");
  o.journal.dir = dir.Sub("data/wal");
  auto store = storage::Store::Open(o, metrics);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  NodeState node(metrics);
  ApiContext ctx{**store, node, metrics};
  FeedHub feed(ctx);
  AdminApi admin(ctx, {});
  Router router;
  AddApiRoutes(router, ctx, feed, admin, std::chrono::steady_clock::now(), nullptr);
  replication::Replication replication(ctx, ops::ReplicationConfig{});  // a primary: every route
  replication.AddRoutes(router);

  std::set<std::string> served;
  for (const auto& r : router.routes()) served.insert(Lower(MethodName(r.method)) + " " + r.pattern);
  std::set<std::string> documented;
  auto doc = nlohmann::json::parse(OpenApiDocument());
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) documented.insert(method + " " + path);
  }
  for (const auto& r : served) EXPECT_TRUE(documented.count(r)) << "served but not in docs/openapi.json: " << r;
  for (const auto& d : documented) EXPECT_TRUE(served.count(d)) << "in docs/openapi.json but not served: " << d;
  EXPECT_GE(served.size(), 30u);
  feed.Stop();
  admin.Stop();
}

TEST(OpenApiRoutesTest, DocumentIsOpenApi3WithErrorSchema) {
  auto doc = nlohmann::json::parse(OpenApiDocument());
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  EXPECT_TRUE(doc["components"]["schemas"].contains("Error"));
}

}  // namespace
}  // namespace stemedb::http

// The parts of the CLI's HTTP use that need no server: error lines and request targets. The
// client against the real daemon is tests/integration/cli_test.cpp.
#include "cli/api_client.h"

#include <gtest/gtest.h>

#include "cli/error_message.h"
#include "cli/view_flags.h"

namespace stemedb::cli {
namespace {

client::HttpResponse Response(int status, std::string body, std::map<std::string, std::string> headers = {}) {
  return {status, std::move(headers), std::move(body)};
}

TEST(ApiClientTest, RefusalNamesStatusCodeMessageFieldAndRequestId) {
  EXPECT_EQ(DescribeRefusal(Response(422, R"({"error":{"code":"invalid_signature","message":"signatures[0].signature: )"
                                          R"(does not verify","field":"signatures[0].signature","request_id":"r1"}})")),
            "HTTP 422 invalid_signature: signatures[0].signature: does not verify "
            "(field: signatures[0].signature; request_id: r1)");
  EXPECT_EQ(DescribeRefusal(Response(404, R"({"error":{"code":"not_found","message":"no route","field":""}})")),
            "HTTP 404 not_found: no route");
  EXPECT_EQ(DescribeRefusal(Response(503, R"({"error":{"code":"draining","message":"the node is draining"}})",
                                     {{"retry-after", "5"}})),
            "HTTP 503 draining: the node is draining; retry after 5 s");
  EXPECT_EQ(DescribeRefusal(Response(502, "<html>Bad Gateway</html>")), "HTTP 502: <html>Bad Gateway</html>");
}

TEST(ApiClientTest, BadServerUrlIsAUsageError) {
  GlobalOptions options;
  options.server_url = "https://example.org";
  EXPECT_NE(ErrorMessage([&] { ApiClient api(options); }).find("--server: unsupported URL scheme"), std::string::npos);
  options.server_url = "http://127.0.0.1:99999";
  EXPECT_NE(ErrorMessage([&] { ApiClient api(options); }).find("--server: bad port"), std::string::npos);
}

TEST(ApiClientTest, UnreachableServerIsExitThree) {
  GlobalOptions options;
  options.server_url = "http://127.0.0.1:1";  // nothing listens on port 1 without root
  ApiClient api(options);
  EXPECT_NE(ErrorMessage([&] { api.Get("/v1/health"); }, kExitUnreachable)
                .find("cannot reach the server at http://127.0.0.1:1: "),
            std::string::npos);
}

TEST(ApiClientTest, ViewTargetCarriesOnlyTheFiltersGiven) {
  ViewFlags f;
  f.subject = "drugs/x y";
  EXPECT_EQ(ViewTarget("/v1/query", f).str(), "/v1/query?subject=drugs%2Fx%20y");
  f.predicate = "risk";
  f.lifecycle = "any";
  f.epoch = "ab";
  f.source_class = "clinical";
  f.as_of_ms = 5;
  f.valid_at_s = -1;
  f.no_decay = true;
  f.include_retracted = true;
  EXPECT_EQ(ViewTarget("/v1/skeptic", f).str(),
            "/v1/skeptic?subject=drugs%2Fx%20y&predicate=risk&lifecycle=any&epoch=ab&source_class=clinical&as_of=5"
            "&valid_at=-1&decay=false&include_retracted=true");
}

}  // namespace
}  // namespace stemedb::cli

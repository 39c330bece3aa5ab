// CORS through the dispatcher: a listed origin's preflight is answered with the path's methods,
// its answers (errors too) carry Access-Control-Allow-Origin; an unlisted origin gets 403 on a
// preflight and no Access-Control-* header on anything, and nobody ever gets
// Access-Control-Allow-Credentials.

#include "stemedb/http/cors.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "stemedb/http/dispatcher.h"
#include "stemedb/http/error_response.h"
#include "http/response_header.h"

namespace stemedb::http {
namespace {

using nlohmann::json;

const std::string kListed = "https://console.example.com";

Request Make(Method method, const std::string& text, const std::string& path, HeaderList headers) {
  Request r;
  r.method = method;
  r.method_text = text;
  r.target = r.path = path;
  r.remote_address = "127.0.0.1";
  r.headers = std::move(headers);
  return r;
}

bool HasAnyCorsHeader(const Response& r) {
  for (const auto& [n, v] : r.headers) {
    if (n.rfind("Access-Control-", 0) == 0) return true;
  }
  return false;
}

class CorsTest : public ::testing::Test {
 protected:
  CorsTest() {
    router_.Add(Method::kGet, "/v1/assertions/{id}", RouteClass::kRead,
                [](const Request&, Responder respond) { respond(JsonResponse(200, "{}")); });
    router_.Add(Method::kPost, "/v1/assert", RouteClass::kWrite,
                [](const Request&, Responder respond) { respond(JsonResponse(201, "{}")); });
  }
  Response Call(Request request) {
    Response out;
    dispatcher_.Handle(request, [&out](Response r) { out = std::move(r); });
    return out;
  }

  ops::Registry metrics_;
  Router router_;
  CorsPolicy cors_{{.allowed_origins = {kListed}, .max_age_s = 600}};
  Dispatcher dispatcher_{router_, metrics_, {.cors = &cors_}};
};

TEST_F(CorsTest, ListedOriginsPreflightIsAnsweredWithThePathsMethods) {
  Response r = Call(Make(Method::kOptions, "OPTIONS", "/v1/assert",
                         {{"origin", "https://Console.example.com"},
                          {"access-control-request-method", "POST"},
                          {"access-control-request-headers", "content-type, x-api-key"}}));
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(HeaderOr(r, "Access-Control-Allow-Origin"), "https://Console.example.com");
  EXPECT_NE(HeaderOr(r, "Access-Control-Allow-Methods").find("POST"), std::string::npos);
  EXPECT_NE(HeaderOr(r, "Access-Control-Allow-Headers").find("X-API-Key"), std::string::npos);
  EXPECT_EQ(HeaderOr(r, "Access-Control-Max-Age"), "600");
  EXPECT_EQ(HeaderOr(r, "Vary"), "Origin");
  EXPECT_EQ(HeaderOr(r, "Access-Control-Allow-Credentials"), "");
}

TEST_F(CorsTest, PreflightsThatCannotSucceedSayWhy) {
  Response unlisted = Call(Make(Method::kOptions, "OPTIONS", "/v1/assert",
                                {{"origin", "https://evil.example.com"}, {"access-control-request-method", "POST"}}));
  EXPECT_EQ(unlisted.status, 403);
  EXPECT_EQ(json::parse(unlisted.body)["error"]["code"], "cors_origin_not_allowed");
  EXPECT_FALSE(HasAnyCorsHeader(unlisted));

  Response method = Call(Make(Method::kOptions, "OPTIONS", "/v1/assert",
                              {{"origin", kListed}, {"access-control-request-method", "DELETE"}}));
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(json::parse(method.body)["error"]["field"], "Access-Control-Request-Method");

  Response path = Call(Make(Method::kOptions, "OPTIONS", "/v1/nothing-here",
                            {{"origin", kListed}, {"access-control-request-method", "GET"}}));
  EXPECT_EQ(path.status, 404);
}

TEST_F(CorsTest, ListedOriginReadsAnswersAndErrorsUnlistedReadsNothing) {
  Response ok = Call(Make(Method::kGet, "GET", "/v1/assertions/x", {{"origin", kListed}}));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(HeaderOr(ok, "Access-Control-Allow-Origin"), kListed);
  EXPECT_NE(HeaderOr(ok, "Access-Control-Expose-Headers").find("X-Request-Id"), std::string::npos);
  EXPECT_EQ(HeaderOr(ok, "Access-Control-Allow-Credentials"), "");

  Response missing = Call(Make(Method::kGet, "GET", "/v1/nothing-here", {{"origin", kListed}}));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(HeaderOr(missing, "Access-Control-Allow-Origin"), kListed);

  Response unlisted = Call(Make(Method::kGet, "GET", "/v1/assertions/x", {{"origin", "https://evil.example.com"}}));
  EXPECT_EQ(unlisted.status, 200);  // served: CORS keeps the page from reading it, not the server from answering
  EXPECT_FALSE(HasAnyCorsHeader(unlisted));
  EXPECT_EQ(HeaderOr(unlisted, "Vary"), "Origin");

  Response no_origin = Call(Make(Method::kGet, "GET", "/v1/assertions/x", {}));
  EXPECT_FALSE(HasAnyCorsHeader(no_origin));
}

TEST(CorsOffTest, WithoutAPolicyAPreflightIsAnOrdinaryOptions) {
  ops::Registry metrics;
  Router router;
  router.Add(Method::kPost, "/v1/assert", RouteClass::kWrite, [](const Request&, Responder respond) { respond(JsonResponse(201, "{}")); });
  Dispatcher d(router, metrics, {});
  Response out;
  Request r = Make(Method::kOptions, "OPTIONS", "/v1/assert", {{"origin", kListed}, {"access-control-request-method", "POST"}});
  d.Handle(r, [&out](Response x) { out = std::move(x); });
  EXPECT_EQ(out.status, 405);
  EXPECT_FALSE(HasAnyCorsHeader(out));
}

}  // namespace
}  // namespace stemedb::http

// Status -> HTTP error: the codes clients and runbooks key on.
#include "stemedb/http/api_errors.h"

#include <gtest/gtest.h>

namespace stemedb::http {
namespace {

TEST(ApiErrorsTest, EachStatusHasItsStatusAndCode) {
  struct Case {
    Status status;
    int http;
    std::string code;
  };
  const Case cases[] = {
      {Status::DiskFull("no space", 28), 507, "disk_full"},
      {Status::IOError("fsync", 5), 500, "wal_write_failed"},
      {Status::Overloaded("queue full"), 503, "overloaded"},
      {Status::Overloaded("storage_degraded: memory tier full"), 503, "storage_degraded"},
      // A resolution over its memory bound: a narrower query helps, a retry does not.
      {Status::Overloaded("query_too_large: s / p holds more than 262144 distinct claims"), 422, "query_too_large"},
      {Status::Unavailable("journal_failed: fsync"), 503, "journal_failed"},
      {Status::Unavailable("storage_unavailable: rocksdb"), 503, "storage_unavailable"},
      {Status::Corruption("bad bytes"), 500, "internal_error"},
  };
  for (const Case& c : cases) {
    ApiError e = FromStatus(c.status);
    EXPECT_EQ(e.status, c.http) << c.status.ToString();
    EXPECT_EQ(e.code, c.code) << c.status.ToString();
  }
  Response r = StatusResponse(Status::Overloaded("query_too_large: x"), "req-1");
  EXPECT_EQ(r.status, 422);
  for (const auto& [name, value] : r.headers) EXPECT_NE(name, "Retry-After");
}

}  // namespace
}  // namespace stemedb::http

#include "support/rejection_table.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <stdexcept>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/records.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

JsonReply SendRow(client::HttpConnection& c, const BadRequest& row) {
  if (row.raw.empty()) return Send(c, row.method, row.path, row.body, row.headers);
  return SendRawRequest(c, row.raw);
}

core::Hash32 StoredId(client::HttpConnection& c, const core::Record& record) {
  const std::string id = Created(c, record);
  auto decoded = core::HexDecodeArray<32>(id);
  if (!decoded.ok()) throw std::runtime_error("the daemon did not store a record the rejection rows need");
  return *decoded;
}

// With STEMEDB_FUZZ_SEED_DIR set, each row's request is appended to rows.jsonl there (hex, since
// rows hold bytes JSON strings cannot): tests/fuzz/make_seeds.py makes seed corpora of them.
void DumpForFuzzing(const client::HttpConnection& c, const BadRequest& row) {
  const char* dir = std::getenv("STEMEDB_FUZZ_SEED_DIR");
  if (dir == nullptr) return;
  const std::string request = row.raw.empty() ? c.FormatRequest(row.method, row.path, row.body, row.headers) : row.raw;
  std::ofstream out(std::string(dir) + "/rows.jsonl", std::ios::app);
  out << json{{"name", row.name},
              {"method", row.method},
              {"path", row.path},
              {"raw", !row.raw.empty()},
              {"body_hex", core::HexEncode(row.body)},
              {"request_hex", core::HexEncode(request)}}
             .dump()
      << "\n";
}

}  // namespace

void ExpectAllRefusedWithoutWriting(const Daemon& d, const std::vector<BadRequest>& rows) {
  std::set<std::string> names;
  auto c = d.Connect();
  for (const BadRequest& row : rows) {
    SCOPED_TRACE("row \"" + row.name + "\"");
    EXPECT_TRUE(names.insert(row.name).second) << "duplicate row name";
    const StoreCounts before = ReadStoreCounts(*c, d);
    auto fresh = d.Connect();  // rows such as the 413 end their connection
    DumpForFuzzing(*fresh, row);
    ExpectApiError(SendRow(*fresh, row), row.status, row.code, row.field);
    EXPECT_EQ(ReadStoreCounts(*c, d), before) << "a refused request wrote something";
  }
}

StoredForRejections StoreRecordsForRejections(const Daemon& d) {
  auto c = d.Connect();
  StoredForRejections s;
  const AssertionSpec spec{.subject = "rejections/stored"};
  s.proposed = StoredId(*c, SignedAssertion(spec));
  AssertionSpec next = spec;
  next.lifecycle = core::Lifecycle::kUnderReview;
  next.parent_hash = s.proposed;
  s.under_review = StoredId(*c, SignedAssertion(next));
  next.lifecycle = core::Lifecycle::kRejected;
  next.parent_hash = s.under_review;
  s.rejected = StoredId(*c, SignedAssertion(next));
  s.epoch = StoredId(*c, SignedEpoch("rejections-epoch"));
  s.source = StoredId(*c, core::Source{.uri = "https://example.org/rejections", .content = "evidence"});
  JsonReply key = PostJson(*c, "/v1/admin/keys", {{"role", "write"}}, AdminHeaders(d));
  EXPECT_EQ(key.status, 201) << key.response.body;
  s.write_key = key.body.value("key", "");
  return s;
}

std::string Edited(const core::Record& record, const std::function<void(json&)>& edit) {
  json j = core::ToJson(record);
  edit(j);
  return j.dump();
}

std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  if (at == std::string::npos) throw std::invalid_argument("'" + from + "' is not in the body " + text);
  return text.replace(at, from.size(), to);
}

std::string HexOfLength(size_t chars) {
  std::string hex;
  for (size_t i = 0; i < chars; ++i) hex += "0123456789abcdef"[i % 16];
  return hex;
}

}  // namespace stemedb::testing

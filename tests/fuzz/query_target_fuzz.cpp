// Request targets with query parameters and the query cursors: what a client puts after the '?'
// (QueryParams: %-decoding, repeats, the count limit, typed getters), the opaque cursors of
// GET /v1/query, and the client's side of it (RequestTarget's %-encoding).
//
// The input is used four ways:
//   - as a raw query string, parsed and read through every getter the routes use;
//   - cut at the first '=' into a name and a value, which the client encodes (RequestTarget) and
//     the server decodes (QueryParams): every byte must come back as sent;
//   - as a ranking cursor and as a predicate cursor: what parses must survive its own encoding;
//   - as a decimal number.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "stemedb/client/request_target.h"
#include "stemedb/ground/check.h"
#include "stemedb/http/query_cursor.h"
#include "stemedb/http/query_params.h"

namespace stemedb::http {
namespace {

// The route handlers' parameter reads (query_routes.cpp, record_routes.cpp, feed.cpp), with
// their bounds. An error must name a 400 and say what is wrong.
void ReadAsRoutesDo(const QueryParams& p) {
  ApiError e{};
  auto checked = [&e](bool ok) {
    if (!ok) STEMEDB_CHECK(e.status == 400 && !e.code.empty() && !e.message.empty());
    e = ApiError{};
  };
  checked(p.Uint("limit", 50, 1, 1000, &e).has_value());
  checked(p.Uint("after", 0, 0, UINT64_MAX, &e).has_value());
  checked(p.Uint("as_of", 0, 0, 253402300799, &e).has_value());
  checked(p.Int("valid_at", 0, 0, 253402300799, &e).has_value());
  checked(p.Int("depth", 0, INT64_MIN, INT64_MAX, &e).has_value());
  checked(p.Bool("follow", false, &e).has_value());
  checked(p.OneOf("lens", "recency", {"recency", "confidence", "vote", "authority"}, &e).has_value());
  checked(p.Required("subject", &e).has_value());
  if (auto cursor = p.Get("cursor")) {
    (void)ParseRankingCursor(*cursor);
    (void)ParsePredicateCursor(*cursor);
  }
  if (auto unknown = p.RejectUnknown({"subject", "predicate", "lens", "limit", "cursor"})) {
    STEMEDB_CHECK(unknown->status == 400 && !unknown->message.empty());
  }
}

// Any name and value, encoded by the client, decode on the server to exactly what was sent.
void CheckEncodeDecode(std::string_view text) {
  const size_t eq = text.find('=');
  const std::string_view name = text.substr(0, eq);
  const std::string_view value = eq == std::string_view::npos ? "" : text.substr(eq + 1);
  if (name.empty() || name == "cursor") return;
  client::RequestTarget target("/v1/query");
  target.Add(name, value).Add("cursor", value);
  const std::string& s = target.str();
  STEMEDB_CHECK(s.find('?') == 9);
  ApiError e{};
  std::optional<QueryParams> p = QueryParams::Parse(std::string_view(s).substr(10), &e);
  STEMEDB_CHECK(p.has_value());
  STEMEDB_CHECK(p->Get(name) == std::string(value));
  STEMEDB_CHECK(p->Get("cursor") == std::string(value));
}

void CheckCursors(std::string_view text) {
  if (std::optional<RankingCursor> c = ParseRankingCursor(text)) {
    STEMEDB_CHECK(c->offset <= kCursorOffsetMax && c->at.now_s >= 0 && c->at.now_s <= kCursorNowMax);
    std::optional<RankingCursor> again = ParseRankingCursor(EncodeRankingCursor(*c));
    STEMEDB_CHECK(again && again->offset == c->offset && again->at.seq_max == c->at.seq_max &&
                  again->at.now_s == c->at.now_s);
  }
  if (std::optional<std::string> last = ParsePredicateCursor(text)) {
    STEMEDB_CHECK(ParsePredicateCursor(EncodePredicateCursor(*last)) == last);
  }
  STEMEDB_CHECK(ParsePredicateCursor(EncodePredicateCursor(text)) == std::string(text));
}

void CheckDecimal(std::string_view text) {
  if (std::optional<uint64_t> v = ParseDecimal(text)) {
    STEMEDB_CHECK(ParseDecimal(std::to_string(*v)) == v);
  }
}

}  // namespace
}  // namespace stemedb::http

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stemedb::http;
  const std::string_view text = stemedb::fuzz::AsText(data, size);
  ApiError e{};
  if (std::optional<QueryParams> p = QueryParams::Parse(text, &e)) {
    ReadAsRoutesDo(*p);
  } else {
    STEMEDB_CHECK(e.status == 400 && e.code == "invalid_parameter");
  }
  CheckEncodeDecode(text);
  CheckCursors(text);
  CheckDecimal(text);
  return 0;
}

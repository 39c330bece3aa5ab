#include "stemedb/http/browse_routes.h"

#include "route_params.h"
#include "stemedb/core/limits.h"
#include "stemedb/http/api_errors.h"
#include "stemedb/http/query_cursor.h"
#include "stemedb/ops/json_writer.h"

namespace stemedb::http {
namespace {

// Each predicate's claims are counted by reading its index entries: a page reads at most
// kPredicatesLimitMax * kClaimsCountedMax of them.
constexpr uint64_t kPredicatesLimitDefault = 50;
constexpr uint64_t kPredicatesLimitMax = 100;
constexpr size_t kClaimsCountedMax = 1000;

// The `cursor` parameter through `parse`, into *after; answers 400 and returns false when it is
// not one this list returned.
template <typename ParseFn>
bool CursorParam(const QueryParams& p, const Request& req, const Responder& respond, ParseFn parse, std::string* after) {
  auto cursor = p.Get("cursor");
  if (!cursor) return true;
  auto parsed = parse(*cursor);
  if (!parsed) {
    respond(ErrorResponse(BadCursor(), req.request_id));
    return false;
  }
  *after = std::move(*parsed);
  return true;
}

void Subjects(ApiContext& ctx, const Request& req, Responder respond) {
  auto p = Params(req, {"prefix", "limit", "cursor", kMinPositionParam}, respond);
  if (!p) return;
  ApiError e{};
  auto limit = p->Uint("limit", kPageLimitDefault, 1, kPageLimitMax, &e);
  if (!limit) return respond(ErrorResponse(e, req.request_id));
  const std::string prefix = p->Get("prefix").value_or("");
  if (prefix.size() > core::kSubjectBytesMax) {
    return respond(ErrorResponse(BadParam("prefix", std::to_string(prefix.size()) + " bytes exceeds the limit of " +
                                                          std::to_string(core::kSubjectBytesMax) + " (a subject's)"),
                                 req.request_id));
  }
  std::string after;
  if (!CursorParam(*p, req, respond, ParseSubjectCursor, &after)) return;
  auto subjects = ctx.store.SubjectsWithPrefix(prefix, *limit + 1, after);
  if (!subjects.ok()) return respond(StatusResponse(subjects.status(), req.request_id));
  const bool more = subjects->size() > *limit;
  if (more) subjects->resize(*limit);
  std::string body;
  ops::JsonWriter w(body);
  w.BeginObject();
  w.Key("subjects").BeginArray();
  for (const auto& s : *subjects) w.String(s);
  w.EndArray();
  WriteNextCursor(w, more ? std::optional(EncodeSubjectCursor(subjects->back())) : std::nullopt);
  w.EndObject();
  respond(JsonResponse(200, std::move(body)));
}

// The subject of the path: percent-decoded (a subject may hold '/', sent as %2F), 1 to
// kSubjectBytesMax bytes; answers 400 and returns nullopt otherwise.
std::optional<std::string> PathSubject(const Request& req, const Responder& respond) {
  auto subject = PercentDecode(req.path_params.at("subject"), false);
  if (subject && !subject->empty() && subject->size() <= core::kSubjectBytesMax) return subject;
  respond(ErrorResponse(BadParam("subject", "1 to " + std::to_string(core::kSubjectBytesMax) +
                                                " bytes, percent-encoded in the path ('/' as %2F)"),
                        req.request_id));
  return std::nullopt;
}

void Predicates(ApiContext& ctx, const Request& req, Responder respond) {
  auto p = Params(req, {"limit", "cursor", kMinPositionParam}, respond);
  if (!p) return;
  ApiError e{};
  auto limit = p->Uint("limit", kPredicatesLimitDefault, 1, kPredicatesLimitMax, &e);
  if (!limit) return respond(ErrorResponse(e, req.request_id));
  auto subject = PathSubject(req, respond);
  if (!subject) return;
  std::string after;
  if (!CursorParam(*p, req, respond, ParsePredicateCursor, &after)) return;
  auto predicates = ctx.store.PredicatesOf(*subject, *limit + 1, after);
  if (!predicates.ok()) return respond(StatusResponse(predicates.status(), req.request_id));
  if (predicates->empty() && after.empty()) {
    return respond(ErrorResponse({404, "subject_not_found", "no assertion has the subject '" + *subject + "'", "subject"},
                                 req.request_id));
  }
  const bool more = predicates->size() > *limit;
  if (more) predicates->resize(*limit);
  std::string body;
  ops::JsonWriter w(body);
  w.BeginObject();
  w.Key("subject").String(*subject);
  w.Key("predicates").BeginArray();
  for (const auto& predicate : *predicates) {
    auto claims = ctx.store.CountAssertionsFor(*subject, predicate, kClaimsCountedMax);
    if (!claims.ok()) return respond(StatusResponse(claims.status(), req.request_id));
    w.BeginObject();
    w.Key("predicate").String(predicate);
    w.Key("claims").UInt(*claims);
    // At the bound the count stops: "at least" this many.
    w.Key("claims_capped").Bool(*claims == kClaimsCountedMax);
    w.EndObject();
  }
  w.EndArray();
  WriteNextCursor(w, more ? std::optional(EncodePredicateCursor(predicates->back())) : std::nullopt);
  w.EndObject();
  respond(JsonResponse(200, std::move(body)));
}

}  // namespace

void AddBrowseRoutes(Router& router, ApiContext& ctx) {
  // One seek per subject, up to kClaimsCountedMax entries per predicate: on the worker pool.
  router.Add(Method::kGet, "/v1/subjects", RouteClass::kRead,
             [&ctx](const Request& req, Responder respond) { Subjects(ctx, req, std::move(respond)); },
             RouteExecution::kWorkerPool);
  router.Add(Method::kGet, "/v1/subjects/{subject}/predicates", RouteClass::kRead,
             [&ctx](const Request& req, Responder respond) { Predicates(ctx, req, std::move(respond)); },
             RouteExecution::kWorkerPool);
}

}  // namespace stemedb::http

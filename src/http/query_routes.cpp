// GET /v1/query, /v1/skeptic, /v1/layered (http-api.md, Reads; lenses.md).

#include "stemedb/http/query_routes.h"

#include <chrono>

#include "stemedb/core/hex.h"
#include "stemedb/http/api_errors.h"
#include "stemedb/http/query_cursor.h"
#include "stemedb/http/query_params.h"
#include "stemedb/ops/json_writer.h"
#include "stemedb/query/layered.h"
#include "stemedb/query/lens.h"
#include "stemedb/query/result_json.h"
#include "stemedb/query/skeptic.h"
#include "stemedb/query/store_candidates.h"
#include "stemedb/query/streamed.h"

namespace stemedb::http {
namespace {

constexpr int64_t kUnixSecondsMax = 253402300799;  // 9999-12-31, as the data model's timestamps
// A single pair whose candidates are cached, at most this many, is resolved on the I/O thread:
// tens of microseconds of CPU, less than the two hand-offs to the worker pool and back would cost
// (docs/benchmarks.md, "Ordinary pairs"). Everything else (a cold pair, a large one, a streamed
// one, a subject's every predicate) goes to the pool.
constexpr size_t kInPlaceCandidatesMax = 1'000;
// What a lens answer over ten candidates takes, about 5 KiB, rounded up (docs/benchmarks.md).
constexpr size_t kAnswerBytesExpected = 8 * 1024;

const std::vector<std::string_view> kFilterParams = {"subject",  "predicate", "lifecycle", "epoch", "source_class",
                                                     "as_of",    "valid_at",  "decay",     "include_retracted"};

std::vector<std::string_view> With(std::vector<std::string_view> v, std::initializer_list<std::string_view> more) {
  v.insert(v.end(), more.begin(), more.end());
  return v;
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The request's filters and decay switch, or the 400 to answer with.
struct ReadRequest {
  std::string subject;
  std::optional<std::string> predicate;
  query::Filter filter;
  bool decay = true;
};

std::optional<ReadRequest> ParseReadRequest(const QueryParams& p, bool predicate_required, ApiError* e) {
  ReadRequest r;
  auto subject = p.Required("subject", e);
  if (!subject) return std::nullopt;
  r.subject = *subject;
  if (predicate_required) {
    auto predicate = p.Required("predicate", e);
    if (!predicate) return std::nullopt;
    r.predicate = *predicate;
  } else if (auto predicate = p.Get("predicate"); predicate && !predicate->empty()) {
    r.predicate = *predicate;
  }
  auto lifecycle = p.OneOf("lifecycle", "",
                           {"any", "proposed", "under_review", "approved", "deprecated", "rejected"}, e);
  if (!lifecycle) return std::nullopt;
  if (*lifecycle == "any") r.filter.lifecycles = query::LifecycleSet::Any();
  else if (!lifecycle->empty()) r.filter.lifecycles = query::LifecycleSet::Only(*query::LifecycleFromName(*lifecycle));
  if (auto epoch = p.Get("epoch")) {
    auto id = core::HexDecodeArray<32>(*epoch);
    if (!id.ok()) {
      *e = {400, "invalid_parameter", "epoch: " + id.status().message(), "epoch"};
      return std::nullopt;
    }
    r.filter.epoch = *id;
  }
  auto tier = p.OneOf("source_class", "",
                      {"regulatory", "clinical", "observational", "expert", "community", "anecdotal"}, e);
  if (!tier) return std::nullopt;
  if (!tier->empty()) r.filter.source_class = query::TierFromName(*tier);
  if (p.Has("as_of")) {
    auto as_of = p.Uint("as_of", 0, 0, static_cast<uint64_t>(kUnixSecondsMax) * 1000, e);
    if (!as_of) return std::nullopt;
    r.filter.as_of_ms = *as_of;
  }
  if (p.Has("valid_at")) {
    auto valid_at = p.Int("valid_at", 0, 0, kUnixSecondsMax, e);
    if (!valid_at) return std::nullopt;
    r.filter.valid_at_s = *valid_at;
  }
  auto decay = p.Bool("decay", true, e);
  if (!decay) return std::nullopt;
  r.decay = *decay;
  auto retracted = p.Bool("include_retracted", false, e);
  if (!retracted) return std::nullopt;
  r.filter.include_retracted = *retracted;
  return r;
}

class QueryHandlers {
 public:
  explicit QueryHandlers(ApiContext& ctx)
      : ctx_(ctx),
        queries_(ctx.metrics.CounterFamily("stemedb_queries_total", "Read queries answered, by endpoint and lens.",
                                           {"endpoint", "lens"})),
        latency_(ctx.metrics.HistogramFamily("stemedb_query_latency_seconds",
                                             "Time to resolve a query, by endpoint.", {"endpoint"},
                                             ops::LatencyBucketsSeconds())) {}

  void Query(const Request& req, Responder respond);
  // The routes' RunsInPlace (router.h): a request naming one pair whose candidates are cached
  // and few. A request that fails to parse is answered in place too: its 400 costs nothing.
  bool RunsInPlace(const Request& req) const;
  // The skeptic and layered views: same parameters, one resolver each.
  template <typename ResolveFn, typename StreamedFn>
  void View(const Request& req, Responder respond, const char* endpoint, ResolveFn resolve, StreamedFn streamed);

 private:
  void Observe(const char* endpoint, std::string_view lens, std::chrono::steady_clock::time_point start) {
    queries_.WithLabels({endpoint, std::string(lens)}).Inc();
    latency_.WithLabels({endpoint}).Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  // One lens resolution of subject+predicate as JSON members, the page of `limit` candidates
  // from page.offset, over what page.at saw; an error Response on failure.
  std::optional<Response> ResolveOne(const Request& req, const ReadRequest& rr, const std::string& predicate,
                                     const query::LensRequest& lens, const RankingCursor& page, uint64_t limit,
                                     ops::JsonWriter& w, bool* more);
  ReadSnapshot Now() const { return {ctx_.store.last_applied_seq(), NowSeconds()}; }

  ApiContext& ctx_;
  ops::Family<ops::Counter>& queries_;
  ops::Family<ops::Histogram>& latency_;
};

std::optional<Response> QueryHandlers::ResolveOne(const Request& req, const ReadRequest& rr,
                                                  const std::string& predicate, const query::LensRequest& lens,
                                                  const RankingCursor& page, uint64_t limit, ops::JsonWriter& w,
                                                  bool* more) {
  auto loaded = query::LoadCandidates(ctx_.store, rr.subject, predicate);
  if (!loaded.ok()) return StatusResponse(loaded.status(), req.request_id);
  query::StoreContext sc(ctx_.store, page.at.now_s, rr.decay);
  if (loaded->too_many) {
    // Too many to load and cache: streamed from the store, every candidate counted.
    auto streamed = query::ResolveStreamed(ctx_.store, {rr.subject, predicate, page.at.seq_max}, lens,
                                           sc.context(), page.offset, limit);
    if (!sc.failure().ok()) return StatusResponse(sc.failure(), req.request_id);
    if (!streamed.ok()) return StatusResponse(streamed.status(), req.request_id);
    *more = streamed->more;
    w.Key("subject").String(rr.subject);
    w.Key("predicate").String(predicate);
    query::WriteJsonMembers(w, streamed->result, streamed->candidates);
    if (streamed->depth_reached) w.Key("candidates_listed_max").UInt(query::kStreamedRankingDepthMax);
    return std::nullopt;
  }
  const std::span<const query::Candidate> candidates = loaded->UpTo(page.at.seq_max);
  auto result = query::Resolve(candidates, lens, sc.context());
  if (!sc.failure().ok()) return StatusResponse(sc.failure(), req.request_id);
  if (!result.ok()) return StatusResponse(result.status(), req.request_id);
  // Page through the ranking; the winner and the scores always describe the whole of it.
  auto& ranked = result->ranked;
  *more = page.offset + limit < ranked.size();
  ranked.erase(ranked.begin(), ranked.begin() + std::min<size_t>(page.offset, ranked.size()));
  if (ranked.size() > limit) ranked.resize(limit);
  w.Key("subject").String(rr.subject);
  w.Key("predicate").String(predicate);
  query::WriteJsonMembers(w, *result, candidates);
  return std::nullopt;
}

bool QueryHandlers::RunsInPlace(const Request& req) const {
  ApiError e{};
  auto p = QueryParams::Parse(req.query_string, &e);
  if (!p) return true;
  auto subject = p->Get("subject");
  if (!subject) return true;  // a 400
  auto predicate = p->Get("predicate");
  if (!predicate || predicate->empty()) return false;  // every predicate of the subject
  return query::CandidatesCachedWithin(ctx_.store, *subject, *predicate, kInPlaceCandidatesMax);
}

void QueryHandlers::Query(const Request& req, Responder respond) {
  const auto start = std::chrono::steady_clock::now();
  ApiError e{};
  auto p = QueryParams::Parse(req.query_string, &e);
  if (!p) return respond(ErrorResponse(e, req.request_id));
  if (auto unknown = p->RejectUnknown(With(kFilterParams, {"lens", "inner", "limit", "cursor"}))) {
    return respond(ErrorResponse(*unknown, req.request_id));
  }
  auto rr = ParseReadRequest(*p, false, &e);
  const std::vector<std::string_view> lenses = {"recency", "confidence", "consensus", "vote", "authority", "epoch"};
  auto lens_name = rr ? p->OneOf("lens", "recency", lenses, &e) : std::nullopt;
  auto inner_name = lens_name ? p->OneOf("inner", "recency", {"recency", "confidence", "consensus", "vote", "authority"}, &e)
                              : std::nullopt;
  auto limit = inner_name ? p->Uint("limit", kPageLimitDefault, 1, kPageLimitMax, &e) : std::nullopt;
  if (!limit) return respond(ErrorResponse(e, req.request_id));
  query::LensRequest lens{*query::LensFromName(*lens_name), *query::LensFromName(*inner_name), rr->filter};

  const std::string cursor = p->Get("cursor").value_or("");
  std::string body;
  // An ordinary pair's answer takes a few KiB: grown once instead of doubling up from nothing.
  body.reserve(kAnswerBytesExpected);
  ops::JsonWriter w(body);
  w.BeginObject();
  if (rr->predicate) {
    // Read the snapshot before the candidates: everything up to its seq is applied and loaded.
    RankingCursor page{0, Now()};
    if (!cursor.empty()) {
      auto parsed = ParseRankingCursor(cursor);
      if (!parsed) return respond(ErrorResponse(BadCursor(), req.request_id));
      page = *parsed;
    }
    bool more = false;
    if (auto err = ResolveOne(req, *rr, *rr->predicate, lens, page, *limit, w, &more)) return respond(std::move(*err));
    WriteNextCursor(w, more ? std::optional(EncodeRankingCursor({page.offset + *limit, page.at})) : std::nullopt);
  } else {
    // One resolution per predicate of the subject, `limit` predicates a page.
    std::string after;
    if (!cursor.empty()) {
      auto parsed = ParsePredicateCursor(cursor);
      if (!parsed) return respond(ErrorResponse(BadCursor(), req.request_id));
      after = *parsed;
    }
    const RankingCursor first_page{0, Now()};
    auto predicates = ctx_.store.PredicatesOf(rr->subject, *limit + 1, after);
    if (!predicates.ok()) return respond(StatusResponse(predicates.status(), req.request_id));
    const bool more = predicates->size() > *limit;
    if (more) predicates->resize(*limit);
    w.Key("subject").String(rr->subject);
    w.Key("lens").String(*lens_name);
    w.Key("resolutions").BeginArray();
    for (const auto& predicate : *predicates) {
      bool unused = false;
      w.BeginObject();
      if (auto err = ResolveOne(req, *rr, predicate, lens, first_page, kPageLimitDefault, w, &unused)) {
        return respond(std::move(*err));
      }
      w.EndObject();
    }
    w.EndArray();
    WriteNextCursor(w, more ? std::optional(EncodePredicateCursor(predicates->back())) : std::nullopt);
  }
  w.EndObject();
  Observe("query", *lens_name, start);
  respond(JsonResponse(200, std::move(body)));
}

template <typename ResolveFn, typename StreamedFn>
void QueryHandlers::View(const Request& req, Responder respond, const char* endpoint, ResolveFn resolve,
                         StreamedFn streamed) {
  const auto start = std::chrono::steady_clock::now();
  ApiError e{};
  auto p = QueryParams::Parse(req.query_string, &e);
  if (!p) return respond(ErrorResponse(e, req.request_id));
  if (auto unknown = p->RejectUnknown(kFilterParams)) return respond(ErrorResponse(*unknown, req.request_id));
  auto rr = ParseReadRequest(*p, true, &e);
  if (!rr) return respond(ErrorResponse(e, req.request_id));
  auto loaded = query::LoadCandidates(ctx_.store, rr->subject, *rr->predicate);
  if (!loaded.ok()) return respond(StatusResponse(loaded.status(), req.request_id));
  query::StoreContext sc(ctx_.store, NowSeconds(), rr->decay);
  std::string body;
  ops::JsonWriter w(body);
  w.BeginObject();
  w.Key("subject").String(rr->subject);
  w.Key("predicate").String(*rr->predicate);
  if (loaded->too_many) {
    auto view = streamed(ctx_.store, {rr->subject, *rr->predicate, ctx_.store.last_applied_seq()}, rr->filter,
                         sc.context());
    if (!sc.failure().ok()) return respond(StatusResponse(sc.failure(), req.request_id));
    if (!view.ok()) return respond(StatusResponse(view.status(), req.request_id));
    query::WriteJsonMembers(w, view->view, view->candidates);
  } else {
    auto view = resolve(loaded->all(), rr->filter, sc.context());
    if (!sc.failure().ok()) return respond(StatusResponse(sc.failure(), req.request_id));
    if (!view.ok()) return respond(StatusResponse(view.status(), req.request_id));
    query::WriteJsonMembers(w, *view, loaded->all());
  }
  w.EndObject();
  Observe(endpoint, "authority", start);
  respond(JsonResponse(200, std::move(body)));
}

}  // namespace

void AddQueryRoutes(Router& router, ApiContext& ctx) {
  auto h = std::make_shared<QueryHandlers>(ctx);
  // Lenses resolve over every candidate of a pair, and /v1/query without a predicate over many
  // predicates: CPU work for the worker pool, off the I/O threads, unless the pair is small and
  // cached (RunsInPlace).
  const RunsInPlace in_place = [h](const Request& req) { return h->RunsInPlace(req); };
  router.Add(Method::kGet, "/v1/query", RouteClass::kRead,
             [h](const Request& req, Responder respond) { h->Query(req, std::move(respond)); },
             RouteExecution::kWorkerPool, in_place);
  router.Add(Method::kGet, "/v1/skeptic", RouteClass::kRead,
             [h](const Request& req, Responder respond) { h->View(req, std::move(respond), "skeptic", &query::ResolveSkeptic, &query::ResolveSkepticStreamed); },
             RouteExecution::kWorkerPool, in_place);
  router.Add(Method::kGet, "/v1/layered", RouteClass::kRead,
             [h](const Request& req, Responder respond) { h->View(req, std::move(respond), "layered", &query::ResolveLayered, &query::ResolveLayeredStreamed); },
             RouteExecution::kWorkerPool, in_place);
}

}  // namespace stemedb::http

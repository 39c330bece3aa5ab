// GET /v1/assertions/{id}, /v1/epochs, /v1/epochs/{id}, /v1/sources, /v1/sources/{hash},
// /v1/agents/{agent_id}, /v1/trace/{id}.

#include "stemedb/http/record_routes.h"

#include <nlohmann/json.hpp>

#include "record_json.h"
#include "route_params.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/record_json.h"
#include "stemedb/http/api_errors.h"
#include "stemedb/http/query_params.h"

namespace stemedb::http {
namespace {

using nlohmann::json;

constexpr uint64_t kListLimitDefault = 100;
constexpr uint64_t kListLimitMax = 1000;
constexpr uint64_t kTraceDepthDefault = 16;
constexpr uint64_t kTraceDepthMax = 64;
constexpr size_t kTraceVotesMax = 1000;
constexpr size_t kTraceChildrenMax = 1000;

// The id in a path parameter, or the 400 naming it.
std::optional<core::Hash32> PathId(const Request& req, const char* name, const Responder& respond) {
  auto id = core::HexDecodeArray<32>(req.path_params.at(name));
  if (id.ok()) return *id;
  respond(ErrorResponse({400, "invalid_hex", std::string(name) + ": " + id.status().message(), name}, req.request_id));
  return std::nullopt;
}

// The `cursor` parameter of a list in id order (the last id of the previous page) into *after;
// answers 400 invalid_cursor and returns false when it is not a hex id.
bool Cursor(const QueryParams& p, const Request& req, const Responder& respond, std::optional<core::Hash32>* after) {
  auto cursor = p.Get("cursor");
  if (!cursor) return true;
  auto id = core::HexDecodeArray<32>(*cursor);
  if (!id.ok()) {
    respond(ErrorResponse({400, "invalid_cursor", "cursor: " + id.status().message(), "cursor"}, req.request_id));
    return false;
  }
  *after = *id;
  return true;
}

Response NotFound(const Request& req, const std::string& what, const core::Hash32& id) {
  return ErrorResponse({404, what + "_not_found", "no stored " + what + " has id " + core::IdHex(id), ""},
                       req.request_id);
}

class RecordHandlers {
 public:
  explicit RecordHandlers(ApiContext& ctx) : ctx_(ctx) {}

  void Assertion(const Request& req, Responder respond) {
    if (!Params(req, {}, respond)) return;
    auto id = PathId(req, "id", respond);
    if (!id) return;
    auto a = ctx_.store.GetAssertion(*id);
    if (!a.ok()) return respond(StatusResponse(a.status(), req.request_id));
    if (!a->has_value()) return respond(NotFound(req, "assertion", *id));
    auto j = AssertionJson(ctx_.store, **a);
    if (!j.ok()) return respond(StatusResponse(j.status(), req.request_id));
    respond(JsonResponse(200, j->dump()));
  }

  // One epoch; `limit` and `cursor` page its superseded_by (superseded_by_next_cursor).
  void Epoch(const Request& req, Responder respond) {
    auto p = Params(req, {"limit", "cursor"}, respond);
    if (!p) return;
    ApiError e{};
    auto limit = p->Uint("limit", kSupersededByPageDefault, 1, kSupersededByPageMax, &e);
    if (!limit) return respond(ErrorResponse(e, req.request_id));
    std::optional<core::Hash32> after;
    if (!Cursor(*p, req, respond, &after)) return;
    auto id = PathId(req, "id", respond);
    if (!id) return;
    auto epoch = ctx_.store.GetEpoch(*id);
    if (!epoch.ok()) return respond(StatusResponse(epoch.status(), req.request_id));
    if (!epoch->has_value()) return respond(NotFound(req, "epoch", *id));
    auto j = EpochJson(ctx_.store, **epoch, {*limit, after});
    if (!j.ok()) return respond(StatusResponse(j.status(), req.request_id));
    respond(JsonResponse(200, j->dump()));
  }

  void Source(const Request& req, Responder respond) {
    if (!Params(req, {}, respond)) return;
    auto id = PathId(req, "hash", respond);
    if (!id) return;
    auto s = ctx_.store.GetSource(*id);
    if (!s.ok()) return respond(StatusResponse(s.status(), req.request_id));
    if (!s->has_value()) return respond(NotFound(req, "source", *id));
    respond(JsonResponse(200, SourceJson(ctx_.store, **s, true).dump()));
  }

  // Lists of epochs or sources in id order; the cursor is the last id of the previous page.
  void List(const Request& req, Responder respond, core::RecordKind kind) {
    auto p = Params(req, {"limit", "cursor"}, respond);
    if (!p) return;
    ApiError e{};
    auto limit = p->Uint("limit", kListLimitDefault, 1, kListLimitMax, &e);
    if (!limit) return respond(ErrorResponse(e, req.request_id));
    std::optional<core::Hash32> after;
    if (!Cursor(*p, req, respond, &after)) return;
    auto ids = ctx_.store.ListIds(kind, *limit + 1, after);
    if (!ids.ok()) return respond(StatusResponse(ids.status(), req.request_id));
    const bool more = ids->size() > *limit;
    if (more) ids->resize(*limit);
    json items = json::array();
    for (const auto& id : *ids) {
      if (kind == core::RecordKind::kEpoch) {
        auto r = ctx_.store.GetEpoch(id);
        if (!r.ok()) return respond(StatusResponse(r.status(), req.request_id));
        if (!r->has_value()) continue;
        auto j = EpochJson(ctx_.store, **r, {kSupersededByInListMax, std::nullopt});
        if (!j.ok()) return respond(StatusResponse(j.status(), req.request_id));
        items.push_back(std::move(*j));
      } else {
        auto r = ctx_.store.GetSource(id);
        if (!r.ok()) return respond(StatusResponse(r.status(), req.request_id));
        if (r->has_value()) items.push_back(SourceJson(ctx_.store, **r, false));
      }
    }
    json body = {{kind == core::RecordKind::kEpoch ? "epochs" : "sources", std::move(items)},
                 {"next_cursor", more ? json(core::IdHex(ids->back())) : json(nullptr)}};
    respond(JsonResponse(200, body.dump()));
  }

  void Agent(const Request& req, Responder respond) {
    if (!Params(req, {}, respond)) return;
    auto id = PathId(req, "agent_id", respond);
    if (!id) return;
    auto a = ctx_.store.Agent(*id);
    if (!a.ok()) return respond(StatusResponse(a.status(), req.request_id));
    json body = {{"agent_id", core::IdHex(*id)},
                 {"trust", a->trust},
                 {"trust_overridden", a->trust_overridden},
                 {"assertions_count", a->votes_on_its_work.assertions},
                 {"votes_count", a->votes_on_its_work.votes},
                 {"votes_received", {{"up", a->votes_on_its_work.up}, {"down", a->votes_on_its_work.down}}}};
    respond(JsonResponse(200, body.dump()));
  }

  void Trace(const Request& req, Responder respond);

 private:
  Result<json> TraceEpoch(const core::Hash32& epoch_id, size_t depth);

  ApiContext& ctx_;
};

Result<json> RecordHandlers::TraceEpoch(const core::Hash32& epoch_id, size_t depth) {
  auto e = ctx_.store.GetEpoch(epoch_id);
  if (!e.ok()) return e.status();
  if (!e->has_value()) return json{{"id", core::IdHex(epoch_id)}, {"status", "unknown"}};
  auto epoch_json = EpochJson(ctx_.store, **e, {kSupersededByPageDefault, std::nullopt});
  if (!epoch_json.ok()) return epoch_json.status();
  json j = std::move(*epoch_json);
  // The chain of what this epoch superseded, oldest last; bounded by depth like the parents.
  json chain = json::array();
  std::optional<core::Hash32> cur = (*e)->record.supersedes;
  for (size_t i = 0; cur && i < depth; ++i) {
    chain.push_back(core::IdHex(*cur));
    auto node = ctx_.store.catalog().Epoch(*cur);
    cur = node ? node->supersedes : std::nullopt;
  }
  j["supersedes_chain"] = std::move(chain);
  return j;
}

void RecordHandlers::Trace(const Request& req, Responder respond) {
  auto p = Params(req, {"depth"}, respond);
  if (!p) return;
  ApiError e{};
  auto depth = p->Uint("depth", kTraceDepthDefault, 0, kTraceDepthMax, &e);
  if (!depth) return respond(ErrorResponse(e, req.request_id));
  auto id = PathId(req, "id", respond);
  if (!id) return;
  auto fail = [&](const Status& s) { respond(StatusResponse(s, req.request_id)); };
  auto a = ctx_.store.GetAssertion(*id);
  if (!a.ok()) return fail(a.status());
  if (!a->has_value()) return respond(NotFound(req, "assertion", *id));
  const core::Assertion& rec = (*a)->record;
  json body;
  auto self = AssertionJson(ctx_.store, **a);
  if (!self.ok()) return fail(self.status());
  body["assertion"] = std::move(*self);

  json parents = json::array();
  std::optional<core::Hash32> parent = rec.parent_hash;
  for (uint64_t i = 0; parent && i < *depth; ++i) {
    auto pa = ctx_.store.GetAssertion(*parent);
    if (!pa.ok()) return fail(pa.status());
    if (!pa->has_value()) break;
    auto pj = AssertionJson(ctx_.store, **pa);
    if (!pj.ok()) return fail(pj.status());
    parents.push_back(std::move(*pj));
    parent = (*pa)->record.parent_hash;
  }
  body["parents"] = std::move(parents);

  auto children = ctx_.store.ChildrenOf(*id, kTraceChildrenMax);
  if (!children.ok()) return fail(children.status());
  json kids = json::array();
  for (const auto& c : *children) kids.push_back(core::IdHex(c));
  body["children"] = std::move(kids);

  body["source"] = nullptr;
  if (rec.source_hash) {
    auto s = ctx_.store.GetSource(*rec.source_hash);
    if (!s.ok()) return fail(s.status());
    body["source"] = s->has_value() ? SourceJson(ctx_.store, **s, false)
                                    : json{{"id", core::IdHex(*rec.source_hash)}, {"registered", false}};
  }

  json signers = json::array();
  for (const auto& sig : rec.signatures) {
    auto trust = ctx_.store.Trust(sig.agent_id);
    if (!trust.ok()) return fail(trust.status());
    signers.push_back({{"agent_id", core::IdHex(sig.agent_id)}, {"trust", *trust}});
  }
  body["signers"] = std::move(signers);

  auto votes = ctx_.store.VotesOn(*id, kTraceVotesMax);
  if (!votes.ok()) return fail(votes.status());
  json vs = json::array();
  for (const auto& vid : *votes) {
    auto v = ctx_.store.GetVote(vid);
    if (!v.ok()) return fail(v.status());
    if (!v->has_value()) continue;
    vs.push_back(VoteJson(**v, vid));
  }
  body["votes"] = std::move(vs);

  body["epoch"] = nullptr;
  if (rec.epoch) {
    auto ej = TraceEpoch(*rec.epoch, *depth);
    if (!ej.ok()) return fail(ej.status());
    body["epoch"] = std::move(*ej);
  }
  respond(JsonResponse(200, body.dump()));
}

}  // namespace

void AddRecordRoutes(Router& router, ApiContext& ctx) {
  auto h = std::make_shared<RecordHandlers>(ctx);
  auto bind = [h](void (RecordHandlers::*fn)(const Request&, Responder)) {
    return [h, fn](const Request& req, Responder respond) { ((*h).*fn)(req, std::move(respond)); };
  };
  router.Add(Method::kGet, "/v1/assertions/{id}", RouteClass::kRead, bind(&RecordHandlers::Assertion));
  // A trace reads up to kTraceDepthMax parents and a list up to kListLimitMax records: on the
  // worker pool. The point reads stay on the I/O thread (one lookup each).
  router.Add(Method::kGet, "/v1/trace/{id}", RouteClass::kRead, bind(&RecordHandlers::Trace), RouteExecution::kWorkerPool);
  router.Add(Method::kGet, "/v1/epochs/{id}", RouteClass::kRead, bind(&RecordHandlers::Epoch));
  router.Add(Method::kGet, "/v1/sources/{hash}", RouteClass::kRead, bind(&RecordHandlers::Source));
  router.Add(Method::kGet, "/v1/agents/{agent_id}", RouteClass::kRead, bind(&RecordHandlers::Agent));
  router.Add(
      Method::kGet, "/v1/epochs", RouteClass::kRead,
      [h](const Request& req, Responder respond) { h->List(req, std::move(respond), core::RecordKind::kEpoch); },
      RouteExecution::kWorkerPool);
  router.Add(
      Method::kGet, "/v1/sources", RouteClass::kRead,
      [h](const Request& req, Responder respond) { h->List(req, std::move(respond), core::RecordKind::kSource); },
      RouteExecution::kWorkerPool);
}

}  // namespace stemedb::http

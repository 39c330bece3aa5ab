// Admin endpoints (http-api.md, Admin; role admin): drain, undrain, node state, WAL rotation,
// checkpoint, storage stats, API keys, trust overrides, export.

#include "stemedb/http/acknowledgement.h"
#include "stemedb/http/admin_routes.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "export_stream.h"
#include "route_params.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/json_body.h"
#include "stemedb/http/api_errors.h"
#include "stemedb/http/api_keys.h"
#include "stemedb/storage/checkpoint.h"

namespace stemedb::http {
namespace {

using nlohmann::json;

constexpr size_t kKeyNameBytesMax = 128;

json WalJson(storage::Store& store) {
  auto& j = store.journal();
  json segments = json::array();
  for (const auto& s : j.Segments()) {
    segments.push_back({{"name", s.name}, {"base_offset", s.base_offset}, {"end_offset", s.end_offset}, {"sealed", s.sealed}});
  }
  return {{"state", wal::JournalStateName(j.state())},
          {"head_offset", j.head_offset()},
          {"last_seq", j.last_seq()},
          {"applied_offset", store.kv().persisted_position().offset},
          {"segments", std::move(segments)}};
}

// The body as a JSON object with only `allowed` members; answers 400/415-style errors itself.
std::optional<json> ObjectBody(const Request& req, const Responder& respond, size_t body_bytes_max,
                               std::initializer_list<const char*> allowed) {
  auto body = core::ParseJsonBody(req.body.empty() ? "{}" : req.body, body_bytes_max);
  if (!body.ok()) {
    respond(FieldErrorResponse(body.error(), req.request_id));
    return std::nullopt;
  }
  if (!body->is_object()) {
    respond(ErrorResponse({400, "wrong_type", "body: expected a JSON object", ""}, req.request_id));
    return std::nullopt;
  }
  for (const auto& [name, value] : body->items()) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || name == a;
    if (!ok) {
      respond(ErrorResponse({400, "unknown_field", name + ": unknown field", name}, req.request_id));
      return std::nullopt;
    }
  }
  return std::move(*body);
}

}  // namespace

class AdminHandlers {
 public:
  AdminHandlers(ApiContext& ctx, AdminOptions options)
      : ctx_(ctx), options_(std::move(options)), exports_(ctx.store) {}
  void Stop() {
    worker_.Stop();
    exports_.Stop();
  }

  void Drain(const Request& req, Responder respond);
  void Undrain(const Request& req, Responder respond);
  void Node(const Request& req, Responder respond);
  void Rotate(const Request& req, Responder respond);
  void Checkpoint(const Request& req, Responder respond);
  void StorageStats(const Request& req, Responder respond);
  void CreateKey(const Request& req, Responder respond);
  void ListKeys(const Request& req, Responder respond);
  void RevokeKey(const Request& req, Responder respond);
  void SetTrust(const Request& req, Responder respond);
  void ClearTrust(const Request& req, Responder respond);
  void Export(const Request& req, Responder respond);

 private:
  json NodeJson() {
    return {{"state", ctx_.node.StateName()},
            {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - options_.started).count()},
            {"inflight_writes", ctx_.node.inflight_writes()},
            {"wal", WalJson(ctx_.store)},
            {"storage",
             {{"memory_tier_bytes", ctx_.store.kv().memory_bytes()},
              {"applied_offset", ctx_.store.kv().applied_position().offset},
              {"persisted_offset", ctx_.store.kv().persisted_position().offset},
              {"degraded", ctx_.store.degraded()}}}};
  }
  bool Busy(const Request& req, const Responder& respond) {
    respond(RetryLaterResponse({503, "admin_busy", "too many admin tasks queued; retry later", ""}, req.request_id, 5));
    return false;
  }
  // Writes one server record and answers with `reply` once it is durable.
  void WriteRecord(const Request& req, storage::AnyRecord record, Responder respond, std::function<Response()> reply);

  ApiContext& ctx_;
  AdminOptions options_;
  BackgroundWorker worker_;
  ExportHub exports_;
};

namespace {

// Who took the node out of rotation (or put it back) is the first question of the NodeDraining
// runbook: the log answers it.
void LogNodeCommand(const char* what, const Request& req) {
  spdlog::warn("{} requested by {} (request {})", what, req.client_id.empty() ? req.remote_address : req.client_id,
               req.request_id);
}

}  // namespace

void AdminHandlers::Drain(const Request& req, Responder respond) {
  LogNodeCommand("drain", req);
  ctx_.node.BeginDrain();  // idempotent: a node already draining or drained stays so
  // Waiting is the background worker's job: in-flight writes finish (each was counted before it
  // could be appended), then the memory tier is flushed so a restart replays nothing.
  const std::string request_id = req.request_id;
  const auto grace = options_.drain_grace;
  // AnswerGuarded: a throw on the worker's thread fails this request (500), not the process.
  bool posted = worker_.Post([this, respond, request_id, grace] {
    AnswerGuarded(respond, request_id, "drain", [&] {
      const auto deadline = std::chrono::steady_clock::now() + grace;
      while (ctx_.node.inflight_writes() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      const int64_t inflight = ctx_.node.inflight_writes();
      Status flushed = ctx_.store.kv().FlushAndPersist();
      if (inflight == 0 && ctx_.node.mode() == NodeMode::kDraining) ctx_.node.set_mode(NodeMode::kDrained);
      json body = {{"state", ctx_.node.StateName()},
                   {"wal_head_offset", ctx_.store.journal().head_offset()},
                   {"inflight", inflight}};
      if (!flushed.ok()) body["flush_error"] = flushed.ToString();
      return JsonResponse(200, body.dump());
    });
  });
  if (!posted) Busy(req, respond);
}

void AdminHandlers::Undrain(const Request& req, Responder respond) {
  LogNodeCommand("undrain", req);
  if (ctx_.node.journal_failed()) {
    return respond(ErrorResponse({409, "journal_failed", "the journal has failed; only a restart brings writes back", ""},
                                 req.request_id));
  }
  if (ctx_.node.mode() == NodeMode::kDraining || ctx_.node.mode() == NodeMode::kDrained) {
    ctx_.node.set_mode(NodeMode::kServing);
  }
  respond(JsonResponse(200, json{{"state", ctx_.node.StateName()}}.dump()));
}

void AdminHandlers::Node(const Request&, Responder respond) { respond(JsonResponse(200, NodeJson().dump())); }

void AdminHandlers::Rotate(const Request& req, Responder respond) {
  const std::string request_id = req.request_id;
  storage::Store* store = &ctx_.store;
  // On the WAL writer's thread: a throw answers 500 (AnswerGuarded) instead of ending the process.
  store->journal().RotateAsync([respond, request_id, store](Result<std::string> sealed) {
    AnswerGuarded(respond, request_id, "rotate callback", [&] {
      if (!sealed.ok()) return StatusResponse(sealed.status(), request_id);
      auto segments = store->journal().Segments();
      return JsonResponse(200, json{{"sealed", *sealed}, {"active", segments.empty() ? "" : segments.back().name}}.dump());
    });
  });
}

void AdminHandlers::Checkpoint(const Request& req, Responder respond) {
  auto body = ObjectBody(req, respond, ctx_.max_body_bytes, {"dir"});
  if (!body) return;
  if (!body->contains("dir") || !(*body)["dir"].is_string()) {
    return respond(ErrorResponse({400, "missing_field", "dir: required, an absolute path that does not exist yet", "dir"},
                                 req.request_id));
  }
  const std::string dir = (*body)["dir"];
  const std::string request_id = req.request_id;
  bool posted = worker_.Post([this, dir, request_id, respond] {
    AnswerGuarded(respond, request_id, "checkpoint", [&] {
      auto info = storage::CreateCheckpoint(ctx_.store, dir);
      if (info.ok()) return JsonResponse(201, info->dump());
      const Status& s = info.status();
      if (s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kAlreadyExists) {
        return ErrorResponse({s.code() == StatusCode::kAlreadyExists ? 409 : 422, "invalid_checkpoint_dir",
                              "dir: " + s.message(), "dir"},
                             request_id);
      }
      return StatusResponse(s, request_id);
    });
  });
  if (!posted) Busy(req, respond);
}

void AdminHandlers::StorageStats(const Request& req, Responder respond) {
  json stats = json::object();
  for (const auto& [name, value] : ctx_.store.kv().Stats()) stats[name] = value;
  auto counts = ctx_.store.Counts();
  if (!counts.ok()) return respond(StatusResponse(counts.status(), req.request_id));
  stats["assertions"] = counts->assertions;
  stats["votes"] = counts->votes;
  stats["epochs"] = counts->epochs;
  stats["sources"] = counts->sources;
  stats["wal"] = WalJson(ctx_.store);
  respond(JsonResponse(200, stats.dump()));
}

void AdminHandlers::WriteRecord(const Request& req, storage::AnyRecord record, Responder respond,
                                std::function<Response()> reply) {
  if (!ctx_.node.accepting_writes()) {
    return respond(RetryLaterResponse({503, "draining", "the node takes no writes now", ""}, req.request_id, 5));
  }
  if (ctx_.replication.not_primary) {
    // API keys and trust overrides are records: written on the primary, replicated from there.
    if (auto primary = ctx_.replication.not_primary()) return respond(NotPrimaryResponse(*primary, req.request_id));
  }
  std::vector<storage::PendingWrite> writes;
  const core::Hash32 id = storage::RecordId(record);
  writes.push_back({std::move(record), id});
  const std::string request_id = req.request_id;
  // On the WAL writer's thread: a throw answers 500 (AnswerGuarded) instead of ending the process.
  ctx_.store.Write(std::move(writes), [this, respond, request_id, reply](const Status& s,
                                                                         std::vector<storage::WriteOutcome> outcomes) {
    AnswerGuarded(respond, request_id, "admin write callback", [&] {
      if (!s.ok()) return StatusResponse(s, request_id);
      if (auto refused = AcknowledgeRefused(ctx_.replication, outcomes, request_id)) return *refused;
      return reply();
    });
  });
}

void AdminHandlers::CreateKey(const Request& req, Responder respond) {
  auto body = ObjectBody(req, respond, ctx_.max_body_bytes, {"role", "name"});
  if (!body) return;
  const json role_json = body->value("role", json());
  auto role = role_json.is_string() ? RoleFromName(role_json.get<std::string>()) : std::nullopt;
  if (!role) {
    return respond(ErrorResponse({422, "invalid_enum", "role: expected one of read, write, admin, replication", "role"}, req.request_id));
  }
  const json name_json = body->value("name", json(""));
  if (!name_json.is_string() || name_json.get<std::string>().size() > kKeyNameBytesMax) {
    return respond(ErrorResponse({422, "string_too_long", "name: a string of at most 128 bytes", "name"}, req.request_id));
  }
  NewKey key = GenerateKey();
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  storage::ApiKeyCreated record{key.key_id, RoleName(*role), key.secret_hash, name_json.get<std::string>(), now_s};
  json reply = {{"key_id", key.key_id}, {"role", RoleName(*role)}, {"name", record.name}, {"created_at", now_s},
                {"key", key.secret_text}};
  WriteRecord(req, std::move(record), std::move(respond), [reply] { return JsonResponse(201, reply.dump()); });
}

void AdminHandlers::ListKeys(const Request&, Responder respond) {
  json keys = json::array();
  for (const auto& k : ctx_.store.catalog().ApiKeys()) {
    keys.push_back({{"key_id", k.created.key_id}, {"role", k.created.role}, {"name", k.created.name},
                    {"created_at", k.created.created_at_s}, {"revoked", k.revoked}});
  }
  respond(JsonResponse(200, json{{"keys", std::move(keys)}}.dump()));
}

void AdminHandlers::RevokeKey(const Request& req, Responder respond) {
  const std::string key_id = req.path_params.at("key_id");
  auto key = ctx_.store.catalog().FindApiKey(key_id);
  if (!key) return respond(ErrorResponse({404, "key_not_found", "no API key has id " + key_id.substr(0, 64), ""}, req.request_id));
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  WriteRecord(req, storage::ApiKeyRevoked{key_id, now_s}, std::move(respond), [key_id] {
    return JsonResponse(200, json{{"key_id", key_id}, {"status", "revoked"}}.dump());
  });
}

void AdminHandlers::SetTrust(const Request& req, Responder respond) {
  auto agent = core::HexDecodeArray<32>(req.path_params.at("agent_id"));
  if (!agent.ok()) return respond(ErrorResponse({400, "invalid_hex", "agent_id: " + agent.status().message(), "agent_id"}, req.request_id));
  auto body = ObjectBody(req, respond, ctx_.max_body_bytes, {"score"});
  if (!body) return;
  const json score = body->value("score", json());
  if (!score.is_number() || !(score.get<double>() >= 0.0 && score.get<double>() <= 1.0)) {
    return respond(ErrorResponse({422, "value_out_of_range", "score: a number in 0..1 is required", "score"}, req.request_id));
  }
  const double value = score.get<double>();
  const std::string agent_hex = core::IdHex(*agent);
  WriteRecord(req, storage::TrustOverride{*agent, value}, std::move(respond), [agent_hex, value] {
    return JsonResponse(200, json{{"agent_id", agent_hex}, {"trust", value}, {"trust_overridden", true}}.dump());
  });
}

void AdminHandlers::ClearTrust(const Request& req, Responder respond) {
  auto agent = core::HexDecodeArray<32>(req.path_params.at("agent_id"));
  if (!agent.ok()) return respond(ErrorResponse({400, "invalid_hex", "agent_id: " + agent.status().message(), "agent_id"}, req.request_id));
  const std::string agent_hex = core::IdHex(*agent);
  WriteRecord(req, storage::TrustOverride{*agent, std::nullopt}, std::move(respond), [agent_hex] {
    return JsonResponse(200, json{{"agent_id", agent_hex}, {"trust_overridden", false}}.dump());
  });
}

void AdminHandlers::Export(const Request& req, Responder respond) {
  auto p = Params(req, {"after"}, respond);
  if (!p) return;
  ApiError e{};
  auto after = p->Uint("after", 0, 0, UINT64_MAX, &e);
  if (!after) return respond(ErrorResponse(e, req.request_id));
  // Everything applied now, and nothing after: a cut that stays the same however long the
  // body takes.
  const uint64_t to_seq = ctx_.store.last_applied_seq();
  auto stream = exports_.Open(*after, to_seq);
  if (!stream) {
    return respond(RetryLaterResponse({503, "too_many_exports",
                                       "at most " + std::to_string(kExportsMax) + " exports run at once", ""},
                                      req.request_id, 30));
  }
  Response r;
  r.content_type = "application/x-ndjson";
  r.SetHeader("X-Stemedb-Export-To-Seq", std::to_string(to_seq));
  r.stream = std::move(stream);
  respond(std::move(r));
}

AdminApi::AdminApi(ApiContext& ctx, AdminOptions options)
    : handlers_(std::make_shared<AdminHandlers>(ctx, std::move(options))) {}

AdminApi::~AdminApi() { Stop(); }

void AdminApi::Stop() { handlers_->Stop(); }

void AdminApi::AddRoutes(Router& router) {
  auto h = handlers_;
  auto bind = [h](void (AdminHandlers::*fn)(const Request&, Responder)) {
    return [h, fn](const Request& req, Responder respond) { ((*h).*fn)(req, std::move(respond)); };
  };
  router.Add(Method::kPost, "/v1/admin/node/drain", RouteClass::kAdmin, bind(&AdminHandlers::Drain));
  router.Add(Method::kPost, "/v1/admin/node/undrain", RouteClass::kAdmin, bind(&AdminHandlers::Undrain));
  router.Add(Method::kGet, "/v1/admin/node", RouteClass::kAdmin, bind(&AdminHandlers::Node));
  router.Add(Method::kPost, "/v1/admin/wal/rotate", RouteClass::kAdmin, bind(&AdminHandlers::Rotate));
  router.Add(Method::kPost, "/v1/admin/checkpoint", RouteClass::kAdmin, bind(&AdminHandlers::Checkpoint));
  router.Add(Method::kGet, "/v1/admin/storage/stats", RouteClass::kAdmin, bind(&AdminHandlers::StorageStats));
  router.Add(Method::kPost, "/v1/admin/keys", RouteClass::kAdmin, bind(&AdminHandlers::CreateKey));
  router.Add(Method::kGet, "/v1/admin/keys", RouteClass::kAdmin, bind(&AdminHandlers::ListKeys));
  router.Add(Method::kDelete, "/v1/admin/keys/{key_id}", RouteClass::kAdmin, bind(&AdminHandlers::RevokeKey));
  router.Add(Method::kPut, "/v1/admin/agents/{agent_id}/trust", RouteClass::kAdmin, bind(&AdminHandlers::SetTrust));
  router.Add(Method::kDelete, "/v1/admin/agents/{agent_id}/trust", RouteClass::kAdmin, bind(&AdminHandlers::ClearTrust));
  router.Add(Method::kGet, "/v1/export", RouteClass::kAdmin, bind(&AdminHandlers::Export));
}

}  // namespace stemedb::http

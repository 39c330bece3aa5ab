#include "stemedb/replication/replication.h"

#include <unistd.h>

#include "stemedb/http/error_response.h"

namespace stemedb::replication {
namespace {

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "standby";
  std::string n(name);
  for (char& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '-';
  }
  return n.substr(0, 64);
}

}  // namespace

Replication::Replication(http::ApiContext& ctx, const ops::ReplicationConfig& config) : ctx_(ctx) {
  if (config.role == "standby") {
    StandbyOptions o;
    o.primary_url = config.primary_url;
    o.api_key = config.api_key;
    o.name = config.name.empty() ? HostName() : config.name;
    o.causal_wait = std::chrono::milliseconds(config.causal_wait_ms);
    standby_ = std::make_unique<StandbyReceiver>(ctx.store, ctx.metrics, o);
    standby_->InstallHooks(ctx.replication);
  } else {
    PrimaryOptions o;
    o.synchronous_standbys = config.synchronous_standbys;
    o.sync_timeout = std::chrono::milliseconds(config.sync_timeout_ms);
    primary_ = std::make_unique<ReplicationPrimary>(ctx, o);
    primary_->InstallHooks(ctx.replication);
  }
  const bool standby = is_standby();
  ctx.metrics.AddCollector([this, standby](ops::ExpositionWriter& w) {
    w.Header("stemedb_replication_role", ops::MetricType::kGauge, "1 for this node's replication role.");
    w.Sample("stemedb_replication_role", {"role"}, {"primary"}, standby ? 0 : 1);
    w.Sample("stemedb_replication_role", {"role"}, {"standby"}, standby ? 1 : 0);
    w.Header("stemedb_replication_applied_offset", ops::MetricType::kGauge,
             "WAL offset up to which this node has applied the log (what its reads see).");
    w.Sample("stemedb_replication_applied_offset", static_cast<double>(ctx_.store.kv().applied_position().offset));
  });
}

Replication::~Replication() { Stop(); }

void Replication::Start() {
  if (standby_) standby_->Start();
}

void Replication::OnApplied() {
  if (primary_) primary_->Notify();
  if (standby_) standby_->OnApplied();
}

void Replication::Stop() {
  if (primary_) primary_->Stop();
  if (standby_) standby_->Stop();
}

void Replication::Role(const http::Request&, http::Responder respond) {
  const auto& j = ctx_.store.journal();
  nlohmann::json body = {{"role", is_standby() ? "standby" : "primary"}, {"durable_offset", j.head_offset()},
                         {"applied_offset", ctx_.store.kv().applied_position().offset}};
  respond(http::JsonResponse(is_standby() ? 503 : 200, body.dump()));
}

void Replication::Replica(const http::Request&, http::Responder respond) {
  if (!standby_) return respond(http::JsonResponse(503, nlohmann::json{{"role", "primary"}, {"replica", false}}.dump()));
  nlohmann::json status = standby_->StatusJson();
  const bool healthy = standby_->streaming() && status["lag_bytes"].get<uint64_t>() <= kReplicaLagBytesMax;
  status["role"] = "standby";
  status["replica"] = healthy;
  respond(http::JsonResponse(healthy ? 200 : 503, status.dump()));
}

void Replication::Status(const http::Request&, http::Responder respond) {
  const auto& j = ctx_.store.journal();
  nlohmann::json body = {{"role", is_standby() ? "standby" : "primary"},
                         {"flushed", j.head_offset()},
                         {"last_seq", j.last_seq()},
                         {"applied", ctx_.store.kv().applied_position().offset}};
  if (primary_) body["standbys"] = primary_->StandbysJson();
  if (standby_) body["standby"] = standby_->StatusJson();
  respond(http::JsonResponse(200, body.dump()));
}

void Replication::AddRoutes(http::Router& router) {
  if (primary_) primary_->AddRoutes(router);
  auto bind = [this](void (Replication::*fn)(const http::Request&, http::Responder)) {
    return [this, fn](const http::Request& req, http::Responder respond) { (this->*fn)(req, std::move(respond)); };
  };
  // Load balancers ask these without a key, as they ask /v1/health.
  router.Add(http::Method::kGet, "/v1/role", http::RouteClass::kOps, bind(&Replication::Role));
  router.Add(http::Method::kGet, "/v1/replica", http::RouteClass::kOps, bind(&Replication::Replica));
  router.Add(http::Method::kGet, "/v1/admin/replication", http::RouteClass::kAdmin, bind(&Replication::Status));
}

}  // namespace stemedb::replication

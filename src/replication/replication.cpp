#include "stemedb/replication/replication.h"

#include <unistd.h>

#include "stemedb/http/error_response.h"
#include "stemedb/http/query_params.h"
#include "stemedb/replication/log_digest.h"

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
    standby_ = std::make_unique<StandbyReceiver>(ctx.store, o);
    standby_->InstallHooks(ctx.replication);
  } else {
    PrimaryOptions o;
    o.synchronous_standbys = config.synchronous_standbys;
    o.sync_timeout = std::chrono::milliseconds(config.sync_timeout_ms);
    primary_ = std::make_unique<ReplicationPrimary>(ctx, o);
    primary_->InstallHooks(ctx.replication);
  }
  ctx.metrics.AddCollector([this](ops::ExpositionWriter& w) { CollectMetrics(w); });
}

void Replication::CollectMetrics(ops::ExpositionWriter& w) const {
  using ops::MetricType;
  const bool standby = is_standby();
  w.Header("stemedb_replication_role", MetricType::kGauge, "1 for this node's replication role.");
  w.Sample("stemedb_replication_role", {"role"}, {"primary"}, standby ? 0 : 1);
  w.Sample("stemedb_replication_role", {"role"}, {"standby"}, standby ? 1 : 0);
  w.Header("stemedb_replication_applied_offset", MetricType::kGauge,
           "WAL offset up to which this node has applied the log (what its reads see).");
  w.Sample("stemedb_replication_applied_offset", static_cast<double>(ctx_.store.kv().applied_position().offset));

  const std::vector<ReplicationPrimary::StandbyMetrics> standbys =
      primary_ ? primary_->Metrics() : std::vector<ReplicationPrimary::StandbyMetrics>{};
  size_t connected = 0;
  for (const auto& s : standbys) connected += s.connected ? 1 : 0;
  w.Header("stemedb_replication_standbys_connected", MetricType::kGauge, "Standbys streaming from this primary.");
  w.Sample("stemedb_replication_standbys_connected", static_cast<double>(connected));
  w.Header("stemedb_replication_standby_connected", MetricType::kGauge,
           "1 while the standby streams from this primary, 0 once its stream ended (standbys seen since the start).");
  for (const auto& s : standbys) w.Sample("stemedb_replication_standby_connected", {"standby"}, {s.name}, s.connected ? 1 : 0);
  w.Header("stemedb_replication_lag_bytes", MetricType::kGauge,
           "WAL bytes durable on this primary that the standby has not applied yet.");
  for (const auto& s : standbys) w.Sample("stemedb_replication_lag_bytes", {"standby"}, {s.name}, static_cast<double>(s.lag_bytes));
  w.Header("stemedb_replication_lag_seconds", MetricType::kGauge,
           "How long ago this primary made durable the first byte the standby has not applied (0 when caught up).");
  for (const auto& s : standbys) w.Sample("stemedb_replication_lag_seconds", {"standby"}, {s.name}, s.lag_seconds);

  w.Header("stemedb_replication_primary_connected", MetricType::kGauge,
           "On a standby: 1 while it streams from its primary and hears from it within the read timeout. 0 on a primary.");
  w.Sample("stemedb_replication_primary_connected", standby_ && standby_->streaming() ? 1 : 0);
  w.Header("stemedb_replication_received_offset", MetricType::kGauge,
           "On a standby: the WAL offset received from its primary. On a primary: its durable WAL end.");
  w.Sample("stemedb_replication_received_offset",
           static_cast<double>(standby_ ? standby_->received_offset() : ctx_.store.journal().head_offset()));
  w.Header("stemedb_replication_reconnects_total", MetricType::kCounter,
           "On a standby: streams to the primary that ended and were opened again.");
  w.Sample("stemedb_replication_reconnects_total", static_cast<double>(standby_ ? standby_->reconnects() : 0));
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
  std::thread digest;
  {
    std::lock_guard lock(digest_mu_);
    stopped_ = true;
    digest.swap(digest_thread_);
  }
  if (digest.joinable()) digest.join();
}

void Replication::Digest(const http::Request& req, http::Responder respond) {
  const auto& journal = ctx_.store.journal();
  http::ApiError error{};
  auto params = http::QueryParams::Parse(req.query_string, &error);
  std::optional<uint64_t> offset, from;
  if (params) {
    if (auto unknown = params->RejectUnknown({"offset", "from"})) error = *unknown, params.reset();
  }
  if (params) offset = params->Uint("offset", journal.head_offset(), 0, UINT64_MAX, &error);
  if (offset) from = params->Uint("from", 0, 0, UINT64_MAX, &error);
  if (!from) return respond(http::ErrorResponse(error, req.request_id));
  std::unique_lock lock(digest_mu_);
  if (digest_running_ || stopped_) {
    return respond(http::RetryLaterResponse(
        {503, "busy", "a digest of the record stream is being computed; one runs at a time", ""}, req.request_id, 1));
  }
  if (digest_thread_.joinable()) digest_thread_.join();  // the last one is done or answering
  digest_running_ = true;
  const std::string request_id = req.request_id;
  digest_thread_ = std::thread([this, respond, request_id, from = *from, to = *offset] {
    const auto& j = ctx_.store.journal();
    WalSource source(ctx_.store.env(), j);
    const auto segments = j.Segments();
    auto digest = DigestLog(source, segments.empty() ? 0 : segments.front().base_offset, from, to);
    {
      // Before the answer: a client that asks again right after it must not find this one busy.
      std::lock_guard done(digest_mu_);
      digest_running_ = false;
    }
    http::AnswerGuarded(respond, request_id, "replication digest", [&] {
      if (!digest.ok()) {
        const bool input = digest.status().code() == StatusCode::kInvalidArgument ||
                           digest.status().code() == StatusCode::kFailedPrecondition;
        return http::ErrorResponse({input ? 422 : 503, input ? "invalid_offset" : "storage_unavailable",
                                    "offset: " + digest.status().message(), "offset"},
                                   request_id);
      }
      return http::JsonResponse(
          200, nlohmann::json{{"from", digest->from},
                              {"offset", digest->offset},
                              {"records", digest->records},
                              {"sha256", digest->sha256_hex}}
                   .dump());
    });
  });
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
  router.Add(http::Method::kGet, "/v1/admin/replication/digest", http::RouteClass::kAdmin, bind(&Replication::Digest));
}

}  // namespace stemedb::replication

#include "stemedb/replication/replication.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <future>

#include "stemedb/ground/check.h"
#include "stemedb/http/error_response.h"
#include "stemedb/http/query_params.h"
#include "stemedb/replication/log_digest.h"

namespace stemedb::replication {
namespace {

int64_t UnixNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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

Replication::Replication(http::ApiContext& ctx, const ops::ReplicationConfig& config, RoleSource source,
                         std::string node_name)
    : ctx_(ctx),
      config_(config),
      source_(source),
      name_(!node_name.empty() ? std::move(node_name) : !config.name.empty() ? config.name : HostName()) {
  if (source_ == RoleSource::kCluster) {
    fenced_ = true;  // nothing is taken until etcd says this node leads
  } else if (config.role == "standby") {
    primary_url_ = config.primary_url;
    standby_ = MakeStandby(config.primary_url);
  } else {
    primary_ = std::make_shared<ReplicationPrimary>(ctx, MakePrimaryOptions());
  }
  InstallHooks();
  ctx.metrics.AddCollector([this](ops::ExpositionWriter& w) { CollectMetrics(w); });
}

std::shared_ptr<StandbyReceiver> Replication::MakeStandby(const std::string& url) const {
  StandbyOptions o;
  o.primary_url = url;
  o.api_key = config_.api_key;
  o.name = name_;
  o.causal_wait = std::chrono::milliseconds(config_.causal_wait_ms);
  return std::make_shared<StandbyReceiver>(ctx_.store, o);
}

PrimaryOptions Replication::MakePrimaryOptions() const {
  PrimaryOptions o;
  o.synchronous_standbys = config_.synchronous_standbys;
  o.sync_timeout = std::chrono::milliseconds(config_.sync_timeout_ms);
  return o;
}

// Installed once and never changed (request threads call them): each looks up the role object
// of the moment.
void Replication::InstallHooks() {
  http::ReplicationHooks& hooks = ctx_.replication;
  if (source_ == RoleSource::kCluster || standby_) hooks.not_primary = [this] { return NotPrimary(); };
  if (source_ == RoleSource::kCluster) hooks.acknowledge_refused = [this] { return NotPrimary(); };
  if (config_.synchronous_standbys > 0) {
    hooks.await_standbys = [this](uint64_t position, http::PositionReached done) {
      auto p = primary();
      if (!p) return done(false);
      p->AwaitFlushed(position, std::move(done));
    };
  }
  if (source_ == RoleSource::kCluster || standby_) {
    hooks.await_applied = [this](uint64_t position, http::PositionReached done) {
      auto s = standby();
      if (!s) return done(ctx_.store.kv().applied_position().offset >= position);
      s->AwaitApplied(position, std::move(done));
    };
    hooks.applied_offset = [this] { return ctx_.store.kv().applied_position().offset; };
  }
}

bool Replication::LeaseHeld() const {
  return BootClock::now().time_since_epoch().count() < lease_deadline_ns_.load();
}

void Replication::SetLeaseDeadline(BootClock::time_point deadline) {
  lease_deadline_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch()).count());
}

std::optional<std::string> Replication::NotPrimary() const {
  std::lock_guard lock(role_mu_);
  if (primary_ && !fenced_ && !writes_paused_ && LeaseHeld()) return std::nullopt;
  return primary_url_;
}

void Replication::PauseWrites(bool paused) {
  std::lock_guard lock(role_mu_);
  writes_paused_ = paused;
}

void Replication::SetSwitchoverHandler(std::function<void(std::string to, SwitchoverDone done)> handler) {
  switchover_ = std::move(handler);
}

void Replication::Switchover(const http::Request& req, http::Responder respond) {
  const nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  if (!body.is_object() || !body.contains("to") || !body["to"].is_string() ||
      !ops::IsValidReplicationName(body["to"].get<std::string>())) {
    return respond(http::ErrorResponse(
        {400, "invalid_field", "to: the name of the node to hand the primary role to (1-64 of A-Z a-z 0-9 - _ .)",
         "to"},
        req.request_id));
  }
  if (!switchover_) {
    return respond(http::ErrorResponse({409, "not_clustered",
                                        "switchover needs cluster mode (cluster.etcd_endpoints); in static mode, "
                                        "promote a standby by hand (docs/operations/runbooks/failover-to-replica.md)",
                                        ""},
                                       req.request_id));
  }
  const std::string request_id = req.request_id;
  switchover_(body["to"].get<std::string>(), [respond, request_id](int status, std::string answer) {
    nlohmann::json parsed = nlohmann::json::parse(answer, nullptr, false);
    if (parsed.is_object() && parsed.contains("error")) parsed["error"]["request_id"] = request_id;
    respond(http::JsonResponse(status, parsed.is_discarded() ? answer : parsed.dump()));
  });
}

std::shared_ptr<ReplicationPrimary> Replication::primary() const {
  std::lock_guard lock(role_mu_);
  return fenced_ || !LeaseHeld() ? nullptr : primary_;
}

std::shared_ptr<StandbyReceiver> Replication::standby() const {
  std::lock_guard lock(role_mu_);
  return standby_;
}

bool Replication::is_primary() const { return primary() != nullptr; }
bool Replication::is_standby() const { return !is_primary(); }

std::optional<uint64_t> Replication::diverged_at() const {
  auto s = standby();
  return s ? s->diverged_at() : std::nullopt;
}

uint64_t Replication::flushed_offset() const { return ctx_.store.journal().head_offset(); }

void Replication::FollowPrimary(const std::string& url) {
  std::shared_ptr<StandbyReceiver> old, started;
  {
    std::lock_guard lock(role_mu_);
    primary_url_ = url;
    if (standby_ && standby_->primary_url() == url) return;
    old = std::move(standby_);
  }
  if (old) old->Stop();
  started = MakeStandby(url);
  {
    std::lock_guard lock(role_mu_);
    if (role_stopped_) return;
    standby_ = started;
  }
  spdlog::info("replication: following the primary at {}", url);
  started->Start();
}

stemedb::Status Replication::Promote(uint64_t term) {
  std::shared_ptr<StandbyReceiver> old;
  {
    std::lock_guard lock(role_mu_);
    old = std::move(standby_);
  }
  // Stopping the receiver waits for what it handed the journal: the term record follows the
  // last replicated one.
  if (old) old->Stop();
  storage::TermStarted started{term, name_, UnixNowMs()};
  std::vector<storage::PendingWrite> writes;
  const core::Hash32 id = storage::RecordId(started);
  writes.push_back({std::move(started), id});
  std::promise<stemedb::Status> written;
  ctx_.store.Write(std::move(writes), [&written](const stemedb::Status& s, std::vector<storage::WriteOutcome>) {
    written.set_value(s);
  });
  stemedb::Status s = written.get_future().get();
  if (!s.ok()) return s;
  {
    std::lock_guard lock(role_mu_);
    if (!primary_) primary_ = std::make_shared<ReplicationPrimary>(ctx_, MakePrimaryOptions());
    fenced_ = false;
    primary_url_.clear();
  }
  spdlog::warn("replication: this node ({}) is the primary of term {} from offset {}", name_, term,
               ctx_.store.journal().head_offset());
  return stemedb::Status::OK();
}

void Replication::Fence(const std::string& primary_url) {
  std::shared_ptr<ReplicationPrimary> deposed;
  {
    std::lock_guard lock(role_mu_);
    if (!fenced_) spdlog::warn("replication: this node ({}) stops taking writes: it no longer holds the lease", name_);
    fenced_ = true;
    primary_url_ = primary_url;
    deposed = std::move(primary_);
  }
  // Its streams end: nothing it makes durable from now on reaches a standby, so the standbys'
  // offsets (which decide the next primary) stop at what this node shipped while it led.
  if (deposed) deposed->Stop();
}

void Replication::CollectMetrics(ops::ExpositionWriter& w) const {
  using ops::MetricType;
  const auto primary_now = primary();
  const auto standby_now = standby();
  const bool standby = primary_now == nullptr;
  w.Header("stemedb_replication_term", MetricType::kGauge,
           "The last leadership term in this node's applied log (0: never led by etcd).");
  w.Sample("stemedb_replication_term", static_cast<double>(ctx_.store.terms().current()));
  w.Header("stemedb_replication_role", MetricType::kGauge, "1 for this node's replication role.");
  w.Sample("stemedb_replication_role", {"role"}, {"primary"}, standby ? 0 : 1);
  w.Sample("stemedb_replication_role", {"role"}, {"standby"}, standby ? 1 : 0);
  w.Header("stemedb_replication_applied_offset", MetricType::kGauge,
           "WAL offset up to which this node has applied the log (what its reads see).");
  w.Sample("stemedb_replication_applied_offset", static_cast<double>(ctx_.store.kv().applied_position().offset));

  const std::vector<ReplicationPrimary::StandbyMetrics> standbys =
      primary_now ? primary_now->Metrics() : std::vector<ReplicationPrimary::StandbyMetrics>{};
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
  w.Sample("stemedb_replication_primary_connected", standby_now && standby_now->streaming() ? 1 : 0);
  w.Header("stemedb_replication_received_offset", MetricType::kGauge,
           "On a standby: the WAL offset received from its primary. On a primary: its durable WAL end.");
  w.Sample("stemedb_replication_received_offset",
           static_cast<double>(standby_now ? standby_now->received_offset() : ctx_.store.journal().head_offset()));
  w.Header("stemedb_replication_reconnects_total", MetricType::kCounter,
           "On a standby: streams to the primary that ended and were opened again.");
  w.Sample("stemedb_replication_reconnects_total", static_cast<double>(standby_now ? standby_now->reconnects() : 0));
}

Replication::~Replication() { Stop(); }

void Replication::Start() {
  if (auto s = standby()) s->Start();
}

void Replication::OnApplied() {
  std::shared_ptr<ReplicationPrimary> p;
  std::shared_ptr<StandbyReceiver> s;
  {
    std::lock_guard lock(role_mu_);
    p = primary_;
    s = standby_;
  }
  if (p) p->Notify();
  if (s) s->OnApplied();
}

void Replication::Stop() {
  std::shared_ptr<ReplicationPrimary> p;
  std::shared_ptr<StandbyReceiver> s;
  {
    std::lock_guard lock(role_mu_);
    role_stopped_ = true;
    p = primary_;
    s = standby_;
  }
  if (p) p->Stop();
  if (s) s->Stop();
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
  const bool primary = is_primary();
  nlohmann::json body = {{"role", primary ? "primary" : "standby"},
                         {"term", ctx_.store.terms().current()},
                         {"durable_offset", j.head_offset()},
                         {"applied_offset", ctx_.store.kv().applied_position().offset}};
  // Which node answered, for people reading it through a load balancer.
  body["name"] = name_;
  if (!primary) {
    if (auto url = NotPrimary(); url && !url->empty()) body["primary"] = *url;
  }
  respond(http::JsonResponse(primary ? 200 : 503, body.dump()));
}

void Replication::Replica(const http::Request&, http::Responder respond) {
  auto s = standby();
  if (!s) {
    const char* role = is_primary() ? "primary" : "standby";
    return respond(http::JsonResponse(503, nlohmann::json{{"role", role}, {"replica", false}}.dump()));
  }
  nlohmann::json status = s->StatusJson();
  const bool healthy = s->streaming() && status["lag_bytes"].get<uint64_t>() <= kReplicaLagBytesMax;
  status["role"] = "standby";
  status["replica"] = healthy;
  respond(http::JsonResponse(healthy ? 200 : 503, status.dump()));
}

void Replication::Status(const http::Request&, http::Responder respond) {
  const auto& j = ctx_.store.journal();
  const auto p = primary();
  const auto s = standby();
  nlohmann::json body = {{"role", p ? "primary" : "standby"},
                         {"role_source", source_ == RoleSource::kCluster ? "etcd" : "configuration"},
                         {"name", name_},
                         {"term", ctx_.store.terms().current()},
                         {"flushed", j.head_offset()},
                         {"last_seq", j.last_seq()},
                         {"applied", ctx_.store.kv().applied_position().offset}};
  if (p) body["standbys"] = p->StandbysJson();
  if (s) {
    body["standby"] = s->StatusJson();
    if (auto fork = s->diverged_at()) body["standby"]["diverged_at"] = *fork;
  }
  respond(http::JsonResponse(200, body.dump()));
}

void Replication::AddRoutes(http::Router& router) {
  auto bind = [this](void (Replication::*fn)(const http::Request&, http::Responder)) {
    return [this, fn](const http::Request& req, http::Responder respond) { (this->*fn)(req, std::move(respond)); };
  };
  // The primary's side goes to whichever primary this node is now; a standby refuses it.
  auto to_primary = [this](void (ReplicationPrimary::*fn)(const http::Request&, http::Responder)) {
    return [this, fn](const http::Request& req, http::Responder respond) {
      auto p = primary();
      if (!p) return respond(http::NotPrimaryResponse(NotPrimary().value_or(""), req.request_id));
      ((*p).*fn)(req, std::move(respond));
    };
  };
  router.Add(http::Method::kGet, "/v1/replication/stream", http::RouteClass::kReplication,
             to_primary(&ReplicationPrimary::HandleStream));
  router.Add(http::Method::kPost, "/v1/replication/ack", http::RouteClass::kReplication,
             to_primary(&ReplicationPrimary::HandleAck));
  // Load balancers ask these without a key, as they ask /v1/health.
  router.Add(http::Method::kGet, "/v1/role", http::RouteClass::kOps, bind(&Replication::Role));
  router.Add(http::Method::kGet, "/v1/replica", http::RouteClass::kOps, bind(&Replication::Replica));
  router.Add(http::Method::kGet, "/v1/admin/replication", http::RouteClass::kAdmin, bind(&Replication::Status));
  router.Add(http::Method::kGet, "/v1/admin/replication/digest", http::RouteClass::kAdmin, bind(&Replication::Digest));
  router.Add(http::Method::kPost, "/v1/admin/cluster/switchover", http::RouteClass::kAdmin,
             bind(&Replication::Switchover));
}

}  // namespace stemedb::replication

#include "daemon.h"

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "rejoin.h"
#include "stemedb/build_info.h"
#include "stemedb/ground/check.h"
#include "stemedb/http/admin_routes.h"
#include "stemedb/http/api_keys.h"
#include "stemedb/http/api_routes.h"
#include "stemedb/http/auth_middleware.h"
#include "stemedb/http/dispatcher.h"
#include "stemedb/http/rate_limiter.h"
#include "stemedb/http/node_state.h"
#include "stemedb/http/router.h"
#include "stemedb/http/server.h"
#include "stemedb/http/feed.h"
#include "stemedb/http/worker_pool.h"
#include "stemedb/storage/store.h"
#include "stemedb/ops/logging.h"
#include "stemedb/ops/origin_list.h"
#include "stemedb/ops/process_metrics.h"
#include "stemedb/cluster/cluster_node.h"
#include "stemedb/replication/replication.h"

namespace stemedb::api {
namespace {

// A thread count from the configuration: 0 means one per core.
int ThreadsOrCores(int configured) {
  return configured > 0 ? configured : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

http::ServerOptions ServerOptionsFrom(const ops::Config& c) {
  // ConfigLoader::Finish refused a bind address that does not parse.
  Result<ops::BindAddress> bind = ops::ParseBindAddress(c.server.bind);
  STEMEDB_CHECK(bind.ok());
  http::ServerOptions o;
  o.host = bind->host;
  o.port = bind->port;
  o.threads = ThreadsOrCores(c.server.threads);
  o.max_connections = c.server.max_connections;
  o.max_connections_per_client = c.server.max_connections_per_client;
  o.max_body_bytes = static_cast<uint64_t>(c.server.max_body_bytes);
  o.max_header_bytes = static_cast<uint32_t>(c.server.max_header_bytes);
  o.read_timeout = std::chrono::milliseconds(c.server.read_timeout_ms);
  o.idle_timeout = std::chrono::seconds(c.server.idle_timeout_s);
  o.tls_cert_file = c.tls.cert_file;
  o.tls_key_file = c.tls.key_file;
  return o;
}

// Blocks until SIGTERM or SIGINT; SIGHUP reopens the log file.
int WaitForStopSignal(const sigset_t& set) {
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      if (Status s = ops::ReopenLogFile(); !s.ok()) {
        spdlog::error("SIGHUP: {}; still logging to the file opened before", s.message());
      } else {
        spdlog::info("SIGHUP: log file reopened");
      }
      continue;
    }
    return sig;
  }
}

storage::StoreOptions StoreOptionsFrom(const ops::Config& c) {
  storage::StoreOptions o;
  o.data_dir = c.storage.data_dir;
  o.journal.dir = c.WalDir();
  o.journal.segment_bytes = static_cast<uint64_t>(c.wal.segment_size_mb) << 20;
  o.journal.max_batch_bytes = static_cast<uint64_t>(c.wal.max_batch_bytes);
  o.journal.queue_bytes_max = static_cast<uint64_t>(c.wal.queue_bytes);
  o.journal.log_fsync_errors = c.wal.log_fsync_errors;
  o.kv.memory_tier_bytes_max = static_cast<size_t>(c.storage.memory_tier_mb) << 20;
  o.kv.memtable_bytes_flush = std::max<size_t>(1u << 20, o.kv.memory_tier_bytes_max / 16);
  const size_t cache_bytes = static_cast<size_t>(c.storage.cache_mb) << 20;
  o.block_cache_bytes = cache_bytes / 4;
  o.candidate_cache_bytes = cache_bytes - o.block_cache_bytes;
  return o;
}

nlohmann::json HealthDetails(storage::Store& store) {
  auto counts = store.Counts();
  auto& j = store.journal();
  return {
      {"assertions_count", counts.ok() ? counts->assertions : 0},
      {"wal",
       {{"state", wal::JournalStateName(j.state())},
        {"head_offset", j.head_offset()},
        {"applied_offset", store.kv().persisted_position().offset},
        {"segments", j.Segments().size()}}},
  };
}

}  // namespace

sigset_t BlockControlSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int RunDaemon(const ops::Config& config, const sigset_t& signals) {
  const auto started = std::chrono::steady_clock::now();

  ops::Registry metrics;
  ops::RegisterProcessMetrics(metrics);
  ops::RegisterBuildInfo(metrics);
  http::NodeState node(metrics);

  if (config.wal.retention != "keep") {
    // Said at every start so nobody counts on space the daemon will not free.
    spdlog::warn("wal.retention = {} is accepted but not implemented in this version: the daemon keeps every WAL "
                 "segment; free space with wal-archive.sh --prune (docs/operations/backup-and-dr.md)",
                 config.wal.retention);
  }
  if (config.auth.mode == "off") {
    // Said at every start: nothing else tells an operator that the admin routes are open.
    spdlog::warn("auth.mode = off: no route needs an API key, the admin routes (drain, API keys, trust overrides, "
                 "checkpoints) included; anyone who reaches {} can use them (development only)",
                 config.server.bind);
  }
  if (config.signatures.skip_unsafe) {
    spdlog::warn("signatures.skip_unsafe is on: writes are accepted WITHOUT verifying signatures (development only)");
  }
  if (Status s = CompletePendingRejoin(config); !s.ok()) {
    spdlog::critical("cannot start: {}", s.ToString());
    return 1;
  }
  spdlog::info("opening the store: data {}, WAL {}", config.storage.data_dir, config.WalDir());
  auto opened = storage::Store::Open(StoreOptionsFrom(config), metrics);
  if (!opened.ok()) {
    spdlog::critical("cannot start: {}", opened.status().ToString());
    return 1;
  }
  std::unique_ptr<storage::Store> store = std::move(opened).value();
  bool root_key_generated = false;
  auto root_digest =
      http::LoadOrCreateRootKey(store->env(), config.auth.root_api_key, config.RootKeyFile(), &root_key_generated);
  if (!root_digest.ok()) {
    spdlog::critical("cannot start: root API key: {}", root_digest.status().ToString());
    return 1;
  }
  if (root_key_generated) spdlog::warn("generated the root admin API key into {} (mode 0600)", config.RootKeyFile());
  else if (config.auth.root_api_key.empty()) spdlog::info("root admin API key: {}", config.RootKeyFile());
  node.set_journal_failed_probe([&store] { return store->journal().state() == wal::JournalState::kFailed; });
  node.set_storage_degraded_probe([&store] { return store->degraded(); });
  node.set_disk_full_probe([&store] { return store->disk_full(); });

  http::ApiContext api{*store, node, metrics, config.signatures.skip_unsafe,
                       static_cast<uint64_t>(config.server.max_body_bytes)};
  http::FeedHub feed(api);
  // Before the routes: it fills api.replication (not_primary on a standby, synchronous commit).
  const bool cluster_mode = !config.cluster.etcd_endpoints.empty();
  replication::Replication replication(api, config.replication,
                                       cluster_mode ? replication::RoleSource::kCluster : replication::RoleSource::kStatic,
                                       config.cluster.name);
  cluster::ClusterMetrics cluster_metrics(metrics);
  std::unique_ptr<cluster::ClusterNode> cluster_node;
  std::atomic<bool> rejoin{false};
  if (cluster_mode) {
    auto etcd = cluster::EtcdClient::ParseEndpoints(config.cluster.etcd_endpoints);
    if (!etcd.ok()) {
      spdlog::critical("cannot start: {}", etcd.status().ToString());
      return 1;
    }
    cluster_node = std::make_unique<cluster::ClusterNode>(
        replication,
        cluster::ClusterOptions{.name = config.cluster.name,
                                .scope = config.cluster.scope,
                                .advertise_url = config.cluster.advertise_url,
                                .etcd = *etcd,
                                .lease_ttl_s = config.cluster.lease_ttl_s,
                                .synchronous_standbys = config.replication.synchronous_standbys,
                                .on_diverged = [&config, &rejoin](uint64_t fork) {
                                  if (Status s = RequestRejoin(config, fork); !s.ok()) {
                                    spdlog::critical("rejoin: cannot write its marker: {}", s.ToString());
                                    return;
                                  }
                                  rejoin.store(true);
                                  kill(getpid(), SIGTERM);  // the stop below, then exit kExitRejoin
                                }},
        cluster_metrics);
    replication.SetSwitchoverHandler([&cluster_node](std::string to, replication::Replication::SwitchoverDone done) {
      cluster_node->RequestSwitchover(std::move(to), std::move(done));
    });
  }
  store->SetApplyListener([&feed, &replication](uint64_t last_seq) {
    feed.Notify(last_seq);
    replication.OnApplied();
  });
  http::AdminApi admin(api, {started, std::chrono::seconds(config.server.shutdown_grace_s)});
  http::Router router;
  http::AddApiRoutes(router, api, feed, admin, started, [&store] { return HealthDetails(*store); });
  replication.AddRoutes(router);

  // CPU-heavy handlers run here, off the I/O threads (docs/architecture.md, Threads).
  http::WorkerPool pool({.threads = ThreadsOrCores(config.server.worker_threads),
                         .queue_max = static_cast<size_t>(config.server.worker_queue_max)},
                        metrics);
  // Checked when the configuration was loaded (ops::ConfigLoader::Finish): here it parses.
  const http::CorsPolicy cors({.allowed_origins = *ops::ParseOriginList(config.server.cors_allowed_origins),
                               .max_age_s = config.server.cors_max_age_s});
  http::Dispatcher dispatcher(router, metrics, {config.rate_limit.max_inflight, &pool, &api.replication, &cors});
  http::KeyVerifier verifier(store->catalog(), *root_digest);
  http::RateLimitMiddleware rate_limit(config.rate_limit, metrics);
  // Failed authentications count against the client's rate limit (when rate limiting is on).
  http::AuthMiddleware auth(verifier, *http::AuthModeFromName(config.auth.mode), metrics,
                            config.rate_limit.enabled ? &rate_limit : nullptr);
  dispatcher.Use(&auth);
  if (config.rate_limit.enabled) dispatcher.Use(&rate_limit);
  http::Server server(ServerOptionsFrom(config), dispatcher, metrics);

  if (Status s = server.Start(); !s.ok()) {
    spdlog::critical("cannot start: {}", s.ToString());
    return 1;
  }
  spdlog::info("stemedb-api {} (commit {}) listening on {}:{} ({} I/O threads, {} worker threads)", build::kVersion,
               build::kCommit, ServerOptionsFrom(config).host, server.port(), ServerOptionsFrom(config).threads,
               pool.threads());

  // systemd (Type=notify) hears READY=1 once recovery is done and the port listens. An admin
  // drain or undrain changes only STATUS=: STOPPING=1 would put the unit in "deactivating" and
  // arm TimeoutStopSec, after which systemd kills a node an operator merely took out of rotation.
  // STOPPING=1 is sent when the process really begins to stop (SIGTERM or SIGINT, below).
  node.set_mode_listener([](http::NodeMode mode) {
    if (mode == http::NodeMode::kDraining) sd_notify(0, "STATUS=draining");
    if (mode == http::NodeMode::kDrained) sd_notify(0, "STATUS=drained");
    if (mode == http::NodeMode::kServing) sd_notify(0, "READY=1\nSTATUS=serving");
  });
  node.set_mode(http::NodeMode::kServing);
  replication.Start();
  // Under etcd, the node starts as neither role and takes the one the leader key gives it.
  if (cluster_node) cluster_node->Start();

  int sig = WaitForStopSignal(signals);
  sd_notify(0, "STOPPING=1\nSTATUS=stopping");
  spdlog::info("{}: draining, grace {} s", sig == SIGTERM ? "SIGTERM" : "SIGINT", config.server.shutdown_grace_s);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(config.server.shutdown_grace_s);
  // Drain first: new writes get 503 draining (load balancers move on), writes in flight finish.
  node.set_mode(http::NodeMode::kDraining);
  // A leader hands the lease back first: the next primary is elected without waiting the TTL.
  if (cluster_node) cluster_node->Stop();
  while (node.inflight_writes() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  server.BeginShutdown();
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (!server.WaitForIdle(std::max(left, std::chrono::milliseconds(0)))) {
    spdlog::warn("shutdown grace of {} s passed with {} requests in flight; closing them",
                 config.server.shutdown_grace_s, server.inflight());
  }
  // Everything that may still hold a request's Responder (and with it its session) stops before
  // the server is destroyed at the end of this scope: the pool answers what is queued 503, the
  // hub ends its streams, the admin worker runs what is queued, the journal calls back every
  // append. Their answers land in the stopped I/O context, whose destruction (in ~Server)
  // destroys those sessions while the server's registry is still there.
  server.Stop();
  pool.Stop();
  feed.Stop();
  replication.Stop();
  admin.Stop();
  if (Status s = store->Close(); !s.ok()) spdlog::error("closing the store: {}", s.ToString());
  node.set_mode(http::NodeMode::kDrained);
  spdlog::info("stopped");
  spdlog::shutdown();
  return rejoin.load() ? kExitRejoin : 0;
}

}  // namespace stemedb::api

#pragma once
// The daemon's configuration: every key of docs/operations/configuration.md, its default, its
// limits, and where its value came from.
//
// Sources, lowest to highest precedence: defaults < TOML file < STEMEDB_* environment < flags.
// An unknown key, a value of the wrong type or out of range, or an unreadable file is an error
// (a Status, never an exception) naming the key and the source; start-up stops. Nothing is
// silently ignored.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stemedb/ground/status.h"

namespace stemedb::ops {

struct ServerConfig {
  std::string bind = "127.0.0.1:18180";
  int threads = 0;  // 0: one per core
  int max_connections = 4096;
  int max_connections_per_client = 1024;  // by remote address
  int worker_threads = 0;                 // 0: one per core
  int worker_queue_max = 1024;
  int64_t max_body_bytes = 1 << 20;
  int64_t max_header_bytes = 16 << 10;
  int read_timeout_ms = 10000;
  int idle_timeout_s = 60;
  int shutdown_grace_s = 25;
  std::string cors_allowed_origins;  // comma-separated; empty: no browser origin may read answers
  int cors_max_age_s = 600;
};

struct TlsConfig {
  std::string cert_file;
  std::string key_file;
};

struct StorageConfig {
  std::string data_dir = "/var/lib/stemedb";
  int memory_tier_mb = 256;
  int cache_mb = 512;
};

struct WalConfig {
  std::string dir;  // empty: <data_dir>/wal
  int segment_size_mb = 64;
  int64_t max_batch_bytes = 4 << 20;
  int64_t queue_bytes = 64 << 20;
  bool log_fsync_errors = false;
  std::string retention = "keep";  // keep | archived | applied
};

struct AuthConfig {
  std::string mode = "admin";  // off | admin | all
  std::string root_key_file;   // empty: <data_dir>/root.key
  std::string root_api_key;    // secret; STEMEDB_ROOT_API_KEY
};

struct RateLimitConfig {
  bool enabled = true;
  double write_rps = 2000;
  int write_burst = 4000;
  double read_rps = 10000;
  int read_burst = 20000;
  double admin_rps = 10;
  int admin_burst = 20;
  int max_clients = 10000;
  int max_inflight = 4096;
};

struct SignaturesConfig {
  bool skip_unsafe = false;
};

// Streaming replication (docs/replication.md).
struct ReplicationConfig {
  std::string role = "primary";  // primary | standby
  std::string primary_url;       // a standby streams from here, http://host:port
  std::string api_key;           // secret: the key a standby presents (role replication or admin)
  std::string name;              // how the primary lists this standby; empty: the host name
  int synchronous_standbys = 0;  // 0: asynchronous
  int sync_timeout_ms = 5000;
  int causal_wait_ms = 1000;
};

// Cluster mode (docs/replication.md, "Automatic failover"): etcd decides who is primary.
// Setting etcd_endpoints turns it on; replication.role is then ignored.
struct ClusterConfig {
  std::string name;            // this node, unique in the cluster (the leader key's holder)
  std::string scope = "stemedb";  // etcd prefix /stemedb/<scope>/
  std::string advertise_url;   // how the other nodes and clients reach this node
  std::string etcd_endpoints;  // comma-separated http://host:port
  int lease_ttl_s = 10;
};

// A standby's name (replication.name, the stream's name=): 1 to 64 of A-Z a-z 0-9 - _ . (it is a
// metric label and a log field).
bool IsValidReplicationName(std::string_view name);

struct LogConfig {
  std::string level = "info";  // trace | debug | info | warn | error | critical | off
  std::string format = "text";  // text | json
  std::string file;             // empty: stderr
};

struct Config {
  ServerConfig server;
  TlsConfig tls;
  StorageConfig storage;
  WalConfig wal;
  AuthConfig auth;
  RateLimitConfig rate_limit;
  SignaturesConfig signatures;
  ReplicationConfig replication;
  ClusterConfig cluster;
  LogConfig log;

  // Derived paths with their defaults applied.
  std::string WalDir() const;
  std::string RootKeyFile() const;
};

// What one request's records take in the WAL beyond the bytes of its body: the journal framing
// (header and seq/time prefix, 25 bytes) of each of the up to 1,000 records of a batch, plus the
// stored form's domain tag and field framing, which the hex ids and signatures it turns into raw
// bytes more than pay for. tests/storage/wal_entry_bytes_test.cpp checks it against the largest
// bodies of every record kind. wal.max_batch_bytes must hold server.max_body_bytes plus this.
inline constexpr int64_t kWalRequestOverheadBytes = 64 << 10;

enum class ValueKind { kString, kInt, kDouble, kBool };

// One configuration key; the table of these drives parsing from every source, --help,
// --check-config and the .env.example check.
struct ConfigKeySpec {
  std::string section;
  std::string key;
  ValueKind kind;
  std::string help;
  bool secret = false;
  std::vector<std::string> allowed;  // for enumerations; empty: any
  double min = 0, max = 0;           // for numbers (inclusive)

  std::string Dotted() const { return section + "." + key; }
  std::string EnvName() const;  // STEMEDB_<SECTION>_<KEY>
  std::string FlagName() const;  // --<section>-<key>, underscores as dashes
};

const std::vector<ConfigKeySpec>& ConfigKeys();

// Short environment names that operations.md promises, mapped to their dotted key.
const std::map<std::string, std::string>& EnvAliases();

// Where each value came from, for --check-config.
struct ConfigOrigin {
  std::map<std::string, std::string> by_key;  // dotted key -> "default" | "file PATH" | "env NAME" | "flag --NAME"
};

// Builds the configuration from a file (may be empty: none), an environment, and flag values
// already collected as dotted key -> raw string. Every error is kInvalidArgument whose message
// ("config: ...") names the key (or file), where its value came from and what is wrong; the
// first error stops the step that found it.
class ConfigLoader {
 public:
  Status LoadFile(const std::string& path);
  // environ-style "NAME=value" entries; unknown STEMEDB_* names are returned as warnings
  // (the environment is shared with other programs, e.g. the client's STEMEDB_URL).
  Result<std::vector<std::string>> LoadEnvironment(const std::vector<std::string>& environ_entries);
  Status SetFromFlag(const std::string& dotted_key, const std::string& raw, const std::string& flag);

  // Cross-key checks and derived defaults.
  Result<Config> Finish();
  const ConfigOrigin& origin() const { return origin_; }

 private:
  Status Set(const ConfigKeySpec& spec, const std::string& raw, const std::string& where);

  Config config_;
  ConfigOrigin origin_;
};

// Effective configuration as TOML with each value's origin; secrets masked.
std::string RenderConfig(const Config& config, const ConfigOrigin& origin);

// The .env.example a Config's defaults imply (a test checks the shipped file against it).
std::string RenderEnvExample();

// "host:port" -> parts; kInvalidArgument naming server.bind.
struct BindAddress {
  std::string host;
  uint16_t port;
};
Result<BindAddress> ParseBindAddress(const std::string& bind);

}  // namespace stemedb::ops

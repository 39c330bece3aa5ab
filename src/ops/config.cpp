#include "stemedb/ops/config.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <toml++/toml.h>

#include "stemedb/ops/origin_list.h"

namespace stemedb::ops {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

// How one key reads and writes its field of Config.
struct Binding {
  std::function<std::string(const Config&)> get;
  std::function<Status(Config&, const ConfigKeySpec&, const std::string& raw, const std::string& where)> set;
};

Status Invalid(const std::string& message) { return Status::InvalidArgument("config: " + message); }

Status Fail(const ConfigKeySpec& spec, const std::string& where, const std::string& why) {
  return Invalid(spec.Dotted() + " (from " + where + "): " + why);
}

template <typename T>
Result<T> ParseNumber(const ConfigKeySpec& spec, const std::string& raw, const std::string& where) {
  T value{};
  const char* end = raw.data() + raw.size();
  auto [ptr, ec] = std::from_chars(raw.data(), end, value);
  if (raw.empty() || ec != std::errc() || ptr != end) {
    return Fail(spec, where, "'" + raw + "' is not " + (std::is_integral_v<T> ? "an integer" : "a number"));
  }
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(value)) return Fail(spec, where, "'" + raw + "' is not a finite number");
  }
  if (value < spec.min || value > spec.max) {
    std::ostringstream os;
    os << "'" << raw << "' is out of range: must be between " << spec.min << " and " << spec.max;
    return Fail(spec, where, os.str());
  }
  return value;
}

Result<bool> ParseBool(const ConfigKeySpec& spec, const std::string& raw, const std::string& where) {
  std::string v = raw;
  std::transform(v.begin(), v.end(), v.begin(), ::tolower);
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return Fail(spec, where, "'" + raw + "' is not a boolean (true or false)");
}

std::string FormatDouble(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

template <typename S, typename T>
Binding Bind(S Config::*section, T S::*field) {
  Binding b;
  b.get = [=](const Config& c) -> std::string {
    const T& v = c.*section.*field;
    if constexpr (std::is_same_v<T, std::string>) return v;
    else if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
    else if constexpr (std::is_floating_point_v<T>) return FormatDouble(v);
    else return std::to_string(v);
  };
  b.set = [=](Config& c, const ConfigKeySpec& spec, const std::string& raw, const std::string& where) -> Status {
    if constexpr (std::is_same_v<T, std::string>) {
      c.*section.*field = raw;
      return Status::OK();
    } else {
      Result<T> parsed = [&] {
        if constexpr (std::is_same_v<T, bool>) return ParseBool(spec, raw, where);
        else return ParseNumber<T>(spec, raw, where);
      }();
      if (!parsed.ok()) return parsed.status();
      c.*section.*field = *parsed;
      return Status::OK();
    }
  };
  return b;
}

struct KeyTable {
  std::vector<ConfigKeySpec> specs;
  std::map<std::string, Binding> bindings;  // by dotted key
};

const KeyTable& Table() {
  static const KeyTable table = [] {
    KeyTable t;
    auto add = [&t](ConfigKeySpec spec, Binding binding) {
      t.bindings[spec.Dotted()] = std::move(binding);
      t.specs.push_back(std::move(spec));
    };
    using K = ValueKind;
    // [server]
    add({"server", "bind", K::kString, "Listen address, host:port", false, {}, 0, 0}, Bind(&Config::server, &ServerConfig::bind));
    add({"server", "threads", K::kInt, "I/O threads; 0 means one per core", false, {}, 0, 256}, Bind(&Config::server, &ServerConfig::threads));
    add({"server", "max_connections", K::kInt, "Open connections at most; more are refused", false, {}, 1, 1000000}, Bind(&Config::server, &ServerConfig::max_connections));
    add({"server", "max_connections_per_client", K::kInt, "Open connections at most from one client address (behind a proxy: the proxy's); more are refused", false, {}, 1, 1000000}, Bind(&Config::server, &ServerConfig::max_connections_per_client));
    add({"server", "worker_threads", K::kInt, "Threads for CPU-heavy requests (writes, lenses, feed pages); 0 means one per core", false, {}, 0, 256}, Bind(&Config::server, &ServerConfig::worker_threads));
    add({"server", "worker_queue_max", K::kInt, "Requests waiting for a worker thread at most; beyond it 503 overloaded", false, {}, 1, 1000000}, Bind(&Config::server, &ServerConfig::worker_queue_max));
    add({"server", "max_body_bytes", K::kInt, "Largest request body; larger gets 413", false, {}, 1024, 64 * kMiB}, Bind(&Config::server, &ServerConfig::max_body_bytes));
    add({"server", "max_header_bytes", K::kInt, "Largest request header block; larger gets 431", false, {}, 1024, kMiB}, Bind(&Config::server, &ServerConfig::max_header_bytes));
    add({"server", "read_timeout_ms", K::kInt, "Time allowed to receive one whole request", false, {}, 100, 600000}, Bind(&Config::server, &ServerConfig::read_timeout_ms));
    add({"server", "idle_timeout_s", K::kInt, "Keep-alive connections idle this long are closed", false, {}, 1, 86400}, Bind(&Config::server, &ServerConfig::idle_timeout_s));
    add({"server", "shutdown_grace_s", K::kInt, "On SIGTERM, time in-flight requests get to finish", false, {}, 0, 3600}, Bind(&Config::server, &ServerConfig::shutdown_grace_s));
    add({"server", "cors_allowed_origins", K::kString, "Browser origins allowed to call the API (CORS), comma-separated scheme://host[:port]; empty: none", false, {}, 0, 0}, Bind(&Config::server, &ServerConfig::cors_allowed_origins));
    add({"server", "cors_max_age_s", K::kInt, "How long a browser may cache a CORS preflight answer", false, {}, 0, 86400}, Bind(&Config::server, &ServerConfig::cors_max_age_s));
    // [tls]
    add({"tls", "cert_file", K::kString, "PEM certificate chain; set with key_file to serve HTTPS", false, {}, 0, 0}, Bind(&Config::tls, &TlsConfig::cert_file));
    add({"tls", "key_file", K::kString, "PEM private key for cert_file", false, {}, 0, 0}, Bind(&Config::tls, &TlsConfig::key_file));
    // [storage]
    add({"storage", "data_dir", K::kString, "Data directory (RocksDB tier, root.key, default WAL dir)", false, {}, 0, 0}, Bind(&Config::storage, &StorageConfig::data_dir));
    add({"storage", "memory_tier_mb", K::kInt, "Memory tier bound; writes slow down beyond it", false, {}, 16, 1 << 20}, Bind(&Config::storage, &StorageConfig::memory_tier_mb));
    add({"storage", "cache_mb", K::kInt, "Read caches: a quarter for RocksDB blocks, the rest for decoded candidate lists", false, {}, 8, 1 << 20}, Bind(&Config::storage, &StorageConfig::cache_mb));
    // [wal]
    add({"wal", "dir", K::kString, "WAL directory; empty means <data_dir>/wal", false, {}, 0, 0}, Bind(&Config::wal, &WalConfig::dir));
    add({"wal", "segment_size_mb", K::kInt, "Segment size before rotation", false, {}, 1, 1024}, Bind(&Config::wal, &WalConfig::segment_size_mb));
    add({"wal", "max_batch_bytes", K::kInt, "Bytes at most in one group commit", false, {}, 64 * 1024, 256 * kMiB}, Bind(&Config::wal, &WalConfig::max_batch_bytes));
    add({"wal", "queue_bytes", K::kInt, "Bytes waiting for the WAL at most; beyond it writes get 503 overloaded", false, {}, kMiB, 16384 * kMiB}, Bind(&Config::wal, &WalConfig::queue_bytes));
    add({"wal", "log_fsync_errors", K::kBool, "Log every WAL I/O error in detail", false, {}, 0, 0}, Bind(&Config::wal, &WalConfig::log_fsync_errors));
    add({"wal", "retention", K::kString, "Deleting WAL segments below the applied offset; only keep is implemented (archived and applied are accepted and act as keep, with a warning at start-up; docs/operations/backup-and-dr.md says how to free space)", false, {"keep", "archived", "applied"}, 0, 0}, Bind(&Config::wal, &WalConfig::retention));
    // [auth]
    add({"auth", "mode", K::kString, "Which routes need an API key: off (dev only), admin, all", false, {"off", "admin", "all"}, 0, 0}, Bind(&Config::auth, &AuthConfig::mode));
    add({"auth", "root_key_file", K::kString, "Where the generated root admin key is written; empty means <data_dir>/root.key", false, {}, 0, 0}, Bind(&Config::auth, &AuthConfig::root_key_file));
    add({"auth", "root_api_key", K::kString, "Root admin API key; when empty one is generated at first start", true, {}, 0, 0}, Bind(&Config::auth, &AuthConfig::root_api_key));
    // [rate_limit]
    add({"rate_limit", "enabled", K::kBool, "Token-bucket rate limiting per client and route class", false, {}, 0, 0}, Bind(&Config::rate_limit, &RateLimitConfig::enabled));
    add({"rate_limit", "write_rps", K::kDouble, "Write requests per second per client", false, {}, 0.01, 1e7}, Bind(&Config::rate_limit, &RateLimitConfig::write_rps));
    add({"rate_limit", "write_burst", K::kInt, "Write bucket size per client", false, {}, 1, 1e8}, Bind(&Config::rate_limit, &RateLimitConfig::write_burst));
    add({"rate_limit", "read_rps", K::kDouble, "Read requests per second per client", false, {}, 0.01, 1e7}, Bind(&Config::rate_limit, &RateLimitConfig::read_rps));
    add({"rate_limit", "read_burst", K::kInt, "Read bucket size per client", false, {}, 1, 1e8}, Bind(&Config::rate_limit, &RateLimitConfig::read_burst));
    add({"rate_limit", "admin_rps", K::kDouble, "Admin requests per second per client", false, {}, 0.01, 1e7}, Bind(&Config::rate_limit, &RateLimitConfig::admin_rps));
    add({"rate_limit", "admin_burst", K::kInt, "Admin bucket size per client", false, {}, 1, 1e8}, Bind(&Config::rate_limit, &RateLimitConfig::admin_burst));
    add({"rate_limit", "max_clients", K::kInt, "Clients tracked at most; least recently seen are evicted", false, {}, 16, 1e7}, Bind(&Config::rate_limit, &RateLimitConfig::max_clients));
    add({"rate_limit", "max_inflight", K::kInt, "Requests in progress at most; beyond it 503 overloaded", false, {}, 1, 1e6}, Bind(&Config::rate_limit, &RateLimitConfig::max_inflight));
    // [signatures]
    add({"signatures", "skip_unsafe", K::kBool, "DEV ONLY: accept writes without verifying signatures; refused unless auth.mode = off", false, {}, 0, 0}, Bind(&Config::signatures, &SignaturesConfig::skip_unsafe));
    // [replication]
    add({"replication", "role", K::kString, "primary takes writes; standby streams the primary's WAL, serves reads and refuses writes (503 not_primary)", false, {"primary", "standby"}, 0, 0}, Bind(&Config::replication, &ReplicationConfig::role));
    add({"replication", "primary_url", K::kString, "Where a standby streams from, http://host:port", false, {}, 0, 0}, Bind(&Config::replication, &ReplicationConfig::primary_url));
    add({"replication", "api_key", K::kString, "The API key a standby presents to its primary (role replication or admin)", true, {}, 0, 0}, Bind(&Config::replication, &ReplicationConfig::api_key));
    add({"replication", "name", K::kString, "This standby's name in the primary's list; empty means the host name", false, {}, 0, 0}, Bind(&Config::replication, &ReplicationConfig::name));
    add({"replication", "synchronous_standbys", K::kInt, "Standbys that must have flushed a write before it is acknowledged; 0 is asynchronous", false, {}, 0, 16}, Bind(&Config::replication, &ReplicationConfig::synchronous_standbys));
    add({"replication", "sync_timeout_ms", K::kInt, "How long a write waits for synchronous standbys, then 503 replication_timeout", false, {}, 1, 600000}, Bind(&Config::replication, &ReplicationConfig::sync_timeout_ms));
    add({"replication", "causal_wait_ms", K::kInt, "How long a read with min_position waits for this node to apply that far, then 503 replica_behind", false, {}, 0, 60000}, Bind(&Config::replication, &ReplicationConfig::causal_wait_ms));
    // [cluster]
    add({"cluster", "name", K::kString, "This node's name in the cluster, unique; under etcd it also names it as a standby", false, {}, 0, 0}, Bind(&Config::cluster, &ClusterConfig::name));
    add({"cluster", "scope", K::kString, "The cluster's name: its keys in etcd live under /stemedb/<scope>/", false, {}, 0, 0}, Bind(&Config::cluster, &ClusterConfig::scope));
    add({"cluster", "advertise_url", K::kString, "How the other nodes and clients reach this node, http://host:port", false, {}, 0, 0}, Bind(&Config::cluster, &ClusterConfig::advertise_url));
    add({"cluster", "etcd_endpoints", K::kString, "etcd members, comma-separated http://host:port; setting it turns cluster mode on (etcd decides who is primary)", false, {}, 0, 0}, Bind(&Config::cluster, &ClusterConfig::etcd_endpoints));
    add({"cluster", "lease_ttl_s", K::kInt, "The leader lease: a primary that cannot renew it stops taking writes before it runs out", false, {}, 3, 300}, Bind(&Config::cluster, &ClusterConfig::lease_ttl_s));
    // [log]
    add({"log", "level", K::kString, "Log level", false, {"trace", "debug", "info", "warn", "error", "critical", "off"}, 0, 0}, Bind(&Config::log, &LogConfig::level));
    add({"log", "format", K::kString, "Log line format", false, {"text", "json"}, 0, 0}, Bind(&Config::log, &LogConfig::format));
    add({"log", "file", K::kString, "Log file; empty means stderr (journald under systemd). SIGHUP reopens it", false, {}, 0, 0}, Bind(&Config::log, &LogConfig::file));
    return t;
  }();
  return table;
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string Suggest(const std::string& dotted) {
  std::string best;
  size_t best_d = 4;  // only close matches are worth suggesting
  for (const auto& s : Table().specs) {
    size_t d = EditDistance(dotted, s.Dotted());
    if (d < best_d) best_d = d, best = s.Dotted();
  }
  return best.empty() ? "" : " (did you mean " + best + "?)";
}

const ConfigKeySpec* FindSpec(const std::string& dotted) {
  for (const auto& s : Table().specs) {
    if (s.Dotted() == dotted) return &s;
  }
  return nullptr;
}

Result<std::string> TomlValueToRaw(const ConfigKeySpec& spec, const toml::node& node, const std::string& where) {
  switch (spec.kind) {
    case ValueKind::kString:
      if (auto v = node.value<std::string>(); v && node.is_string()) return *v;
      return Fail(spec, where, "expected a string");
    case ValueKind::kInt:
      if (node.is_integer()) return std::to_string(*node.value<int64_t>());
      return Fail(spec, where, "expected an integer");
    case ValueKind::kDouble:
      if (node.is_integer()) return std::to_string(*node.value<int64_t>());
      if (node.is_floating_point()) return FormatDouble(*node.value<double>());
      return Fail(spec, where, "expected a number");
    case ValueKind::kBool:
      if (node.is_boolean()) return std::string(*node.value<bool>() ? "true" : "false");
      return Fail(spec, where, "expected true or false");
  }
  return Fail(spec, where, "unsupported value");
}

// toml++ as Debian builds it reports syntax errors only by throwing; the exception stops here.
Result<toml::table> ParseTomlFile(const std::string& path) {
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << path << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
    return Invalid(os.str());
  }
}

// A TOML basic string. Besides '"' and '\\', TOML allows no control character in one (U+0000 to
// U+001F and U+007F): they are written as \uXXXX, so a value set through the environment or a flag
// (a tab in a path, say) still prints as TOML that loads back (--check-config).
std::string TomlQuote(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[7];
      std::snprintf(escaped, sizeof escaped, "\\u%04X", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string ConfigKeySpec::EnvName() const {
  std::string out = "STEMEDB_" + section + "_" + key;
  std::transform(out.begin(), out.end(), out.begin(), ::toupper);
  return out;
}

std::string ConfigKeySpec::FlagName() const {
  std::string out = section + "-" + key;
  std::replace(out.begin(), out.end(), '_', '-');
  return "--" + out;
}

const std::vector<ConfigKeySpec>& ConfigKeys() { return Table().specs; }

const std::map<std::string, std::string>& EnvAliases() {
  static const std::map<std::string, std::string> aliases = {
      {"STEMEDB_BIND_ADDR", "server.bind"},
      {"STEMEDB_DATA_DIR", "storage.data_dir"},
      {"STEMEDB_WAL_DIR", "wal.dir"},
      {"STEMEDB_LOG_LEVEL", "log.level"},
      {"STEMEDB_AUTH_MODE", "auth.mode"},
      {"STEMEDB_ROOT_API_KEY", "auth.root_api_key"},
      {"STEMEDB_UNSAFE_SKIP_SIGNATURES", "signatures.skip_unsafe"},
  };
  return aliases;
}

std::string Config::WalDir() const { return wal.dir.empty() ? storage.data_dir + "/wal" : wal.dir; }

std::string Config::RootKeyFile() const {
  return auth.root_key_file.empty() ? storage.data_dir + "/root.key" : auth.root_key_file;
}

Status ConfigLoader::Set(const ConfigKeySpec& spec, const std::string& raw, const std::string& where) {
  if (!spec.allowed.empty() &&
      std::find(spec.allowed.begin(), spec.allowed.end(), raw) == spec.allowed.end()) {
    std::string list;
    for (const auto& a : spec.allowed) list += (list.empty() ? "" : ", ") + a;
    return Fail(spec, where, "'" + raw + "' is not one of: " + list);
  }
  const std::string k = spec.Dotted();
  STEMEDB_RETURN_IF_ERROR(Table().bindings.at(k).set(config_, spec, raw, where));
  origin_.by_key[k] = where;
  return Status::OK();
}

Status ConfigLoader::LoadFile(const std::string& path) {
  {
    std::ifstream probe(path);
    if (!probe) return Invalid("cannot read config file " + path + ": " + std::strerror(errno));
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      return Invalid("cannot read config file " + path + ": not a regular file");
    }
  }
  Result<toml::table> root = ParseTomlFile(path);
  if (!root.ok()) return root.status();
  const std::string where = "file " + path;
  for (const auto& [section_key, section_node] : *root) {
    std::string section(section_key.str());
    const toml::table* section_table = section_node.as_table();
    if (!section_table) return Invalid(path + ": '" + section + "' must be a [section] table" + Suggest(section));
    for (const auto& [key, node] : *section_table) {
      std::string dotted = section + "." + std::string(key.str());
      const ConfigKeySpec* spec = FindSpec(dotted);
      if (!spec) return Invalid("unknown key " + dotted + " in " + path + Suggest(dotted));
      Result<std::string> raw = TomlValueToRaw(*spec, node, where);
      if (!raw.ok()) return raw.status();
      STEMEDB_RETURN_IF_ERROR(Set(*spec, *raw, where));
    }
  }
  return Status::OK();
}

Result<std::vector<std::string>> ConfigLoader::LoadEnvironment(const std::vector<std::string>& entries) {
  std::map<std::string, std::string> env;
  for (const auto& e : entries) {
    auto eq = e.find('=');
    if (eq != std::string::npos && e.rfind("STEMEDB_", 0) == 0) env[e.substr(0, eq)] = e.substr(eq + 1);
  }
  // Aliases first, so the canonical STEMEDB_<SECTION>_<KEY> wins when both are set.
  for (const auto& [alias, dotted] : EnvAliases()) {
    if (auto it = env.find(alias); it != env.end()) {
      STEMEDB_RETURN_IF_ERROR(Set(*FindSpec(dotted), it->second, "env " + alias));
    }
  }
  for (const auto& spec : ConfigKeys()) {
    if (auto it = env.find(spec.EnvName()); it != env.end()) {
      STEMEDB_RETURN_IF_ERROR(Set(spec, it->second, "env " + spec.EnvName()));
    }
  }
  static const std::vector<std::string> kOtherPrograms = {"STEMEDB_URL", "STEMEDB_API_KEY", "STEMEDB_CONFIG"};
  std::vector<std::string> warnings;
  for (const auto& [name, value] : env) {
    bool known = EnvAliases().count(name) > 0 ||
                 std::find(kOtherPrograms.begin(), kOtherPrograms.end(), name) != kOtherPrograms.end();
    for (const auto& spec : ConfigKeys()) known = known || spec.EnvName() == name;
    if (!known) warnings.push_back("unknown environment variable " + name + " ignored");
  }
  return warnings;
}

Status ConfigLoader::SetFromFlag(const std::string& dotted, const std::string& raw, const std::string& flag) {
  const ConfigKeySpec* spec = FindSpec(dotted);
  if (!spec) return Invalid("unknown key " + dotted);
  return Set(*spec, raw, "flag " + flag);
}

bool IsValidReplicationName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

Result<Config> ConfigLoader::Finish() {
  const Config& c = config_;
  if (Result<BindAddress> bind = ParseBindAddress(c.server.bind); !bind.ok()) return bind.status();
  if (c.storage.data_dir.empty()) return Invalid("storage.data_dir must not be empty");
  if (c.tls.cert_file.empty() != c.tls.key_file.empty()) {
    return Invalid("tls.cert_file and tls.key_file must be set together");
  }
  if (c.signatures.skip_unsafe && c.auth.mode != "off") {
    return Invalid("signatures.skip_unsafe (STEMEDB_UNSAFE_SKIP_SIGNATURES) is refused while auth.mode = " +
                   c.auth.mode + "; it is a development switch, allowed only with auth.mode = off");
  }
  if (c.wal.max_batch_bytes > c.wal.queue_bytes) {
    return Invalid("wal.max_batch_bytes (" + std::to_string(c.wal.max_batch_bytes) +
                   ") must not exceed wal.queue_bytes (" + std::to_string(c.wal.queue_bytes) + ")");
  }
  // One append carries one request's records: a smaller batch cap would pass start-up and then
  // refuse the largest bodies the server accepts, as a 500 at write time.
  if (c.wal.max_batch_bytes < c.server.max_body_bytes + kWalRequestOverheadBytes) {
    return Invalid("wal.max_batch_bytes (" + std::to_string(c.wal.max_batch_bytes) +
                   ") is below server.max_body_bytes (" + std::to_string(c.server.max_body_bytes) + ") plus " +
                   std::to_string(kWalRequestOverheadBytes) +
                   " bytes of WAL framing: the largest request would be refused at write time; raise "
                   "wal.max_batch_bytes to at least " +
                   std::to_string(c.server.max_body_bytes + kWalRequestOverheadBytes) +
                   " or lower server.max_body_bytes");
  }
  // A record never spans segments, so the largest request must fit in one with room to spare.
  if (static_cast<int64_t>(c.wal.segment_size_mb) * (1 << 20) < 2 * c.server.max_body_bytes) {
    return Invalid("wal.segment_size_mb must be at least twice server.max_body_bytes");
  }
  if (c.replication.role == "standby") {
    if (c.replication.primary_url.rfind("http://", 0) != 0) {
      return Invalid("replication.role = standby needs replication.primary_url as http://host:port, got '" +
                     c.replication.primary_url + "'");
    }
    const std::string& name = c.replication.name;
    if (!name.empty() && !IsValidReplicationName(name)) {
      return Invalid("replication.name '" + name + "': at most 64 of A-Z a-z 0-9 - _ .");
    }
    if (c.replication.api_key.empty()) {
      return Invalid("replication.role = standby needs replication.api_key (STEMEDB_REPLICATION_API_KEY): a key "
                     "with role replication or admin on the primary");
    }
  }
  if (auto origins = ParseOriginList(c.server.cors_allowed_origins); !origins.ok()) {
    return Invalid(origins.status().message());
  }
  if (!c.cluster.etcd_endpoints.empty()) {
    if (!IsValidReplicationName(c.cluster.name)) {
      return Invalid("cluster.etcd_endpoints is set, so cluster.name must be 1 to 64 of A-Z a-z 0-9 - _ ., got '" +
                     c.cluster.name + "'");
    }
    if (!IsValidReplicationName(c.cluster.scope)) {
      return Invalid("cluster.scope '" + c.cluster.scope + "': 1 to 64 of A-Z a-z 0-9 - _ .");
    }
    if (c.cluster.advertise_url.rfind("http://", 0) != 0) {
      return Invalid("cluster.etcd_endpoints is set, so cluster.advertise_url must be http://host:port, got '" +
                     c.cluster.advertise_url + "'");
    }
    if (c.replication.api_key.empty()) {
      return Invalid("cluster mode needs replication.api_key (STEMEDB_REPLICATION_API_KEY): every node streams from "
                     "whichever is primary with it");
    }
  }
  for (const auto& spec : ConfigKeys()) {
    if (!origin_.by_key.count(spec.Dotted())) origin_.by_key[spec.Dotted()] = "default";
  }
  return config_;
}

Result<BindAddress> ParseBindAddress(const std::string& bind) {
  auto colon = bind.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == bind.size()) {
    return Invalid("server.bind '" + bind + "' must be host:port");
  }
  std::string host = bind.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string port_text = bind.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
    return Invalid("server.bind '" + bind + "': port must be 0..65535");
  }
  return BindAddress{host, static_cast<uint16_t>(port)};
}

std::string RenderConfig(const Config& config, const ConfigOrigin& origin) {
  std::ostringstream os;
  os << "# stemedb-api effective configuration (secrets masked)\n";
  std::string section;
  for (const auto& spec : ConfigKeys()) {
    if (spec.section != section) {
      section = spec.section;
      os << "\n[" << section << "]\n";
    }
    std::string value = Table().bindings.at(spec.Dotted()).get(config);
    if (spec.secret && !value.empty()) value = "********";
    if (spec.kind == ValueKind::kString) value = TomlQuote(value);
    auto it = origin.by_key.find(spec.Dotted());
    os << spec.key << " = " << value << "  # " << (it == origin.by_key.end() ? "default" : it->second) << "\n";
  }
  return os.str();
}

std::string RenderEnvExample() {
  std::map<std::string, std::string> alias_of;  // dotted -> alias
  for (const auto& [alias, dotted] : EnvAliases()) alias_of[dotted] = alias;
  const Config defaults;
  std::ostringstream os;
  os << "# StemeDB environment variables, with their defaults.\n"
     << "# Precedence: command-line flags > environment > config file (/etc/stemedb/api.toml) > defaults.\n"
     << "# Every key is also STEMEDB_<SECTION>_<KEY>; where a short name exists it is shown first.\n"
     << "# STEMEDB_CONFIG names the config file (like --config).\n";
  std::string section;
  for (const auto& spec : ConfigKeys()) {
    if (spec.section != section) {
      section = spec.section;
      os << "\n# [" << section << "]\n";
    }
    std::string value = Table().bindings.at(spec.Dotted()).get(defaults);
    os << "# " << spec.help;
    if (!spec.allowed.empty()) {
      os << " (";
      for (size_t i = 0; i < spec.allowed.size(); ++i) os << (i ? " | " : "") << spec.allowed[i];
      os << ")";
    }
    os << "\n";
    auto alias = alias_of.find(spec.Dotted());
    if (alias != alias_of.end()) {
      os << alias->second << "=" << value << "\n";
      os << "# same as " << spec.EnvName() << "\n";
    } else {
      os << spec.EnvName() << "=" << value << "\n";
    }
  }
  return os.str();
}

}  // namespace stemedb::ops

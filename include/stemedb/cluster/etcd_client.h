#pragma once
// The few etcd v3 calls a node needs for leader election (docs/replication.md, "Automatic
// failover"), over etcd's JSON gateway (POST /v3/...): leases, single keys, a prefix, and the
// campaign transaction. Keys and values travel base64-encoded; 64-bit numbers as strings.
//
// Blocking, one connection, not thread-safe: the cluster thread owns it. A call that fails on
// one endpoint (connection refused, timeout, 5xx) moves to the next and tries once more there,
// so one etcd member down costs one timeout, not an election.

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "stemedb/client/http_connection.h"
#include "stemedb/ground/status.h"

namespace stemedb::cluster {

struct EtcdKeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t lease = 0;
};

// At most this many keys from one prefix read: a cluster has a handful of members.
inline constexpr size_t kPrefixKeysMax = 256;

class EtcdClient {
 public:
  EtcdClient(std::vector<client::ServerAddress> endpoints, std::chrono::milliseconds timeout);

  // "http://h1:2379,http://h2:2379" -> addresses; fails naming the bad one.
  static Result<std::vector<client::ServerAddress>> ParseEndpoints(const std::string& csv);

  Result<int64_t> GrantLease(int ttl_s);
  // The lease's remaining TTL in seconds; 0 when it is gone (expired or revoked).
  Result<int64_t> KeepAlive(int64_t lease);
  Status Revoke(int64_t lease);
  Result<std::optional<EtcdKeyValue>> Get(const std::string& key);
  Result<std::vector<EtcdKeyValue>> GetPrefix(const std::string& prefix);
  Status Put(const std::string& key, const std::string& value, int64_t lease);
  // The election (one transaction): if nobody holds `leader_key` and `term_key` is unchanged
  // since it was read (its mod_revision, 0 when absent), put both: the leader key bound to the
  // lease, the term key to new_term. True when this call won.
  Result<bool> Campaign(const std::string& leader_key, const std::string& leader_value, int64_t lease,
                        const std::string& term_key, int64_t term_mod_revision, uint64_t new_term);
  Status Delete(const std::string& key);
  // Deletes `key` only while it is still bound to `lease` (a leader handing over).
  Result<bool> DeleteIfLease(const std::string& key, int64_t lease);

 private:
  Result<nlohmann::json> Call(const std::string& path, const nlohmann::json& body);
  Result<nlohmann::json> CallOnce(const std::string& path, const std::string& body);

  std::vector<client::ServerAddress> endpoints_;
  const std::chrono::milliseconds timeout_;
  size_t current_ = 0;
  std::unique_ptr<client::HttpConnection> conn_;
};

std::string Base64(std::string_view bytes);
std::optional<std::string> FromBase64(std::string_view text);

}  // namespace stemedb::cluster

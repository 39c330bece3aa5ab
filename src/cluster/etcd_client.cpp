#include "stemedb/cluster/etcd_client.h"

#include <sodium.h>

#include <cstring>
#include <string_view>

namespace stemedb::cluster {
namespace {

using json = nlohmann::json;

int64_t Int(const json& j, const char* key) {
  if (!j.contains(key)) return 0;  // the gateway leaves zero values out
  const json& v = j[key];
  if (v.is_string()) return std::stoll(v.get<std::string>());
  return v.is_number_integer() ? v.get<int64_t>() : 0;
}

EtcdKeyValue KeyValueFrom(const json& kv) {
  EtcdKeyValue out;
  out.key = FromBase64(kv.value("key", "")).value_or("");
  out.value = FromBase64(kv.value("value", "")).value_or("");
  out.create_revision = Int(kv, "create_revision");
  out.mod_revision = Int(kv, "mod_revision");
  out.lease = Int(kv, "lease");
  return out;
}

// The end of a prefix range: the prefix with its last byte incremented (etcd's convention).
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(prefix.back());
    if (last < 0xff) {
      ++last;
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');
}

}  // namespace

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::string> FromBase64(std::string_view text) {
  std::string out(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

EtcdClient::EtcdClient(std::vector<client::ServerAddress> endpoints, std::chrono::milliseconds timeout)
    : endpoints_(std::move(endpoints)), timeout_(timeout) {}

Result<std::vector<client::ServerAddress>> EtcdClient::ParseEndpoints(const std::string& csv) {
  std::vector<client::ServerAddress> out;
  size_t start = 0;
  while (start <= csv.size()) {
    size_t comma = csv.find(',', start);
    std::string one = csv.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!one.empty()) {
      auto address = client::ParseServerUrl(one);
      if (!address.ok()) return Status::InvalidArgument("cluster.etcd_endpoints: " + address.status().message());
      out.push_back(*address);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.empty()) return Status::InvalidArgument("cluster.etcd_endpoints names no endpoint");
  if (out.size() > 16) return Status::InvalidArgument("cluster.etcd_endpoints: at most 16 endpoints");
  return out;
}

Result<json> EtcdClient::CallOnce(const std::string& path, const std::string& body) {
  if (!conn_) {
    const client::ServerAddress& a = endpoints_[current_];
    conn_ = std::make_unique<client::HttpConnection>(a.host, a.port, timeout_);
  }
  auto r = conn_->Post(path, body);
  if (!r.ok()) {
    conn_.reset();
    return r.status();
  }
  if (r->status >= 500 || r->status == 0) {
    conn_.reset();
    return Status::Unavailable("etcd " + path + ": HTTP " + std::to_string(r->status) + " " + r->body.substr(0, 200));
  }
  json parsed = json::parse(r->body, nullptr, false);
  if (!parsed.is_object()) return Status::Unavailable("etcd " + path + ": not a JSON object: " + r->body.substr(0, 200));
  if (r->status != 200) {
    return Status::FailedPrecondition("etcd " + path + ": HTTP " + std::to_string(r->status) + " " +
                                      parsed.value("message", parsed.value("error", std::string())));
  }
  return parsed;
}

Result<json> EtcdClient::Call(const std::string& path, const json& body) {
  const std::string text = body.dump();
  auto first = CallOnce(path, text);
  if (first.ok() || first.status().code() == StatusCode::kFailedPrecondition) return first;
  current_ = (current_ + 1) % endpoints_.size();
  auto second = CallOnce(path, text);
  if (!second.ok() && second.status().code() != StatusCode::kFailedPrecondition) {
    current_ = (current_ + 1) % endpoints_.size();
    return Status::Unavailable(first.status().message() + "; then " + second.status().message());
  }
  return second;
}

Result<int64_t> EtcdClient::GrantLease(int ttl_s) {
  auto r = Call("/v3/lease/grant", {{"TTL", std::to_string(ttl_s)}});
  if (!r.ok()) return r.status();
  const int64_t id = Int(*r, "ID");
  if (id == 0) return Status::Unavailable("etcd granted no lease: " + r->dump());
  return id;
}

Result<int64_t> EtcdClient::KeepAlive(int64_t lease) {
  auto r = Call("/v3/lease/keepalive", {{"ID", std::to_string(lease)}});
  if (!r.ok()) return r.status();
  if (!r->contains("result")) return Status::Unavailable("etcd keepalive: no result: " + r->dump());
  return Int((*r)["result"], "TTL");
}

Status EtcdClient::Revoke(int64_t lease) {
  auto r = Call("/v3/lease/revoke", {{"ID", std::to_string(lease)}});
  return r.ok() ? Status::OK() : r.status();
}

Result<std::optional<EtcdKeyValue>> EtcdClient::Get(const std::string& key) {
  auto r = Call("/v3/kv/range", {{"key", Base64(key)}});
  if (!r.ok()) return r.status();
  if (!r->contains("kvs") || (*r)["kvs"].empty()) return std::optional<EtcdKeyValue>();
  return std::optional<EtcdKeyValue>(KeyValueFrom((*r)["kvs"][0]));
}

Result<std::vector<EtcdKeyValue>> EtcdClient::GetPrefix(const std::string& prefix) {
  auto r = Call("/v3/kv/range", {{"key", Base64(prefix)}, {"range_end", Base64(PrefixEnd(prefix))},
                                 {"limit", std::to_string(kPrefixKeysMax)}});
  if (!r.ok()) return r.status();
  std::vector<EtcdKeyValue> out;
  if (r->contains("kvs")) {
    for (const json& kv : (*r)["kvs"]) out.push_back(KeyValueFrom(kv));
  }
  return out;
}

Status EtcdClient::Put(const std::string& key, const std::string& value, int64_t lease) {
  json body = {{"key", Base64(key)}, {"value", Base64(value)}};
  if (lease != 0) body["lease"] = std::to_string(lease);
  auto r = Call("/v3/kv/put", body);
  return r.ok() ? Status::OK() : r.status();
}

Result<bool> EtcdClient::Campaign(const std::string& leader_key, const std::string& leader_value, int64_t lease,
                                  const std::string& term_key, int64_t term_mod_revision, uint64_t new_term) {
  json txn = {
      {"compare",
       json::array({{{"key", Base64(leader_key)}, {"result", "EQUAL"}, {"target", "CREATE"}, {"create_revision", "0"}},
                    {{"key", Base64(term_key)},
                     {"result", "EQUAL"},
                     {"target", "MOD"},
                     {"mod_revision", std::to_string(term_mod_revision)}}})},
      {"success",
       json::array({{{"request_put",
                      {{"key", Base64(leader_key)}, {"value", Base64(leader_value)}, {"lease", std::to_string(lease)}}}},
                    {{"request_put", {{"key", Base64(term_key)}, {"value", Base64(std::to_string(new_term))}}}}})}};
  auto r = Call("/v3/kv/txn", txn);
  if (!r.ok()) return r.status();
  return r->value("succeeded", false);
}

Status EtcdClient::Delete(const std::string& key) {
  auto r = Call("/v3/kv/deleterange", {{"key", Base64(key)}});
  return r.ok() ? Status::OK() : r.status();
}

Result<bool> EtcdClient::DeleteIfLease(const std::string& key, int64_t lease) {
  json txn = {
      {"compare", json::array({{{"key", Base64(key)}, {"result", "EQUAL"}, {"target", "LEASE"},
                                {"lease", std::to_string(lease)}}})},
      {"success", json::array({{{"request_delete_range", {{"key", Base64(key)}}}}})}};
  auto r = Call("/v3/kv/txn", txn);
  if (!r.ok()) return r.status();
  return r->value("succeeded", false);
}

}  // namespace stemedb::cluster

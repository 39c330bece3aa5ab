#include "stemedb/cluster/cluster_node.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>
#include <nlohmann/json.hpp>

namespace stemedb::cluster {
namespace {

using json = nlohmann::json;

// One etcd call may take this long before the next endpoint is tried: short against the
// lease, so a dead member costs a renewal, not the lease.
std::chrono::milliseconds EtcdTimeout(int ttl_s) {
  return std::chrono::milliseconds(std::clamp(ttl_s * 1000 / 5, 300, 2000));
}

std::string ErrorBody(const std::string& code, const std::string& message) {
  return json{{"error", {{"code", code}, {"message", message}}}}.dump();
}

}  // namespace

ClusterMetrics::ClusterMetrics(ops::Registry& metrics)
    : leader_changes(metrics.AddCounter("stemedb_cluster_leader_changes_total",
                                        "Times this node saw the cluster's leader change (it won, lost, or started "
                                        "following another).")),
      etcd_errors(metrics.AddCounter("stemedb_cluster_etcd_errors_total",
                                     "etcd calls that failed on every endpoint tried.")),
      is_leader(metrics.AddGauge("stemedb_cluster_is_leader", "1 while this node holds the leader lease and takes writes.")) {}

ClusterNode::ClusterNode(replication::Replication& replication, ClusterOptions options, ClusterMetrics& metrics)
    : replication_(replication),
      options_(std::move(options)),
      etcd_(options_.etcd, EtcdTimeout(options_.lease_ttl_s)),
      leader_changes_(metrics.leader_changes),
      etcd_errors_(metrics.etcd_errors),
      is_leader_(metrics.is_leader) {}

ClusterNode::~ClusterNode() { Stop(); }

std::string ClusterNode::Key(const std::string& suffix) const { return "/stemedb/" + options_.scope + "/" + suffix; }

std::chrono::milliseconds ClusterNode::Margin() const {
  // Clocks drift and a renewal's answer takes time: stop well before etcd would expire the
  // lease, at least one second and a fifth of the TTL.
  return std::chrono::milliseconds(std::max(1000, options_.lease_ttl_s * 1000 / 5));
}

void ClusterNode::Start() {
  spdlog::info("cluster: node {} ({}) joins scope {} through {} etcd endpoints, lease {} s", options_.name,
               options_.advertise_url, options_.scope, options_.etcd.size(), options_.lease_ttl_s);
  thread_ = std::thread([this] { Run(); });
}

void ClusterNode::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (leader_) replication_.Fence("");
  // The key goes with the lease: the next leader is elected now, not after the TTL.
  if (lease_ != 0 && !etcd_.Revoke(lease_).ok()) spdlog::warn("cluster: could not revoke lease on stop");
}

void ClusterNode::Run() {
  std::unique_lock lock(mu_);
  while (!stopped_) {
    std::optional<PendingSwitchover> switchover;
    switchover.swap(switchover_);
    lock.unlock();
    Tick();
    if (switchover) RunSwitchover(switchover->to, switchover->done);
    lock.lock();
    cv_.wait_for(lock, options_.tick, [this] { return stopped_ || switchover_.has_value(); });
  }
  if (switchover_) switchover_->done(503, ErrorBody("shutting_down", "the node is stopping"));
}

void ClusterNode::RequestSwitchover(std::string to, replication::Replication::SwitchoverDone done) {
  {
    std::lock_guard lock(mu_);
    if (!switchover_ && !stopped_) {
      switchover_ = PendingSwitchover{std::move(to), std::move(done)};
      cv_.notify_all();
      return;
    }
  }
  done(409, ErrorBody("busy", "a switchover is already running on this node"));
}

std::optional<json> ClusterNode::MemberStatus(const std::string& name) {
  auto kv = etcd_.Get(Key("members/" + name));
  if (!kv.ok() || !*kv) return std::nullopt;
  json m = json::parse((*kv)->value, nullptr, false);
  if (!m.is_object()) return std::nullopt;
  return m;
}

std::optional<std::string> ClusterNode::SwitchoverTarget() {
  auto kv = etcd_.Get(Key("switchover"));
  if (!kv.ok() || !*kv) return std::nullopt;
  const json s = json::parse((*kv)->value, nullptr, false);
  if (!s.is_object()) return std::nullopt;
  return s.value("to", "");
}

void ClusterNode::RunSwitchover(const std::string& to, const replication::Replication::SwitchoverDone& done) {
  if (!leader_ || !replication_.is_primary()) {
    return done(503, ErrorBody("not_primary", "switchover is asked of the primary; this node is not it"));
  }
  if (to == options_.name) return done(409, ErrorBody("already_primary", to + " is the primary already"));
  std::optional<json> target = MemberStatus(to);
  if (!target) return done(404, ErrorBody("unknown_node", "no node named " + to + " is a live member of the cluster"));
  if (target->value("diverged", false)) {
    return done(409, ErrorBody("node_diverged", to + " must rejoin before it can lead (its log diverged)"));
  }
  // Only `to` campaigns while this key lives; its own lease ends it if this node dies midway.
  auto hold = etcd_.GrantLease(options_.lease_ttl_s * 2);
  if (!hold.ok() ||
      !etcd_.Put(Key("switchover"), json{{"to", to}, {"from", options_.name}}.dump(), *hold).ok()) {
    return done(503, ErrorBody("etcd_unavailable", "could not record the switchover in etcd"));
  }
  const Clock::time_point paused = Clock::now();
  replication_.PauseWrites(true);
  // Read again each time: writes taken before the pause may still become durable meanwhile.
  uint64_t head = replication_.flushed_offset();
  bool caught_up = false;
  while (!caught_up && Clock::now() - paused < std::chrono::seconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    RenewLease();  // still the leader while it waits
    target = MemberStatus(to);
    head = replication_.flushed_offset();
    caught_up = target && target->value("flushed", uint64_t{0}) >= head;
  }
  if (!caught_up) {
    replication_.PauseWrites(false);
    if (!etcd_.Revoke(*hold).ok()) etcd_errors_.Inc();
    return done(503, ErrorBody("switchover_timeout", to + " did not flush offset " + std::to_string(head) +
                                                         " within 10 s; this node stays the primary"));
  }
  StepDown(target->value("url", ""), "switchover");
  replication_.PauseWrites(false);  // fenced now: writes stay refused, naming the target
  if (!etcd_.DeleteIfLease(Key("leader"), lease_).ok()) etcd_errors_.Inc();
  const auto deadline = Clock::now() + std::chrono::seconds(options_.lease_ttl_s * 3);
  while (Clock::now() < deadline) {
    auto leader = etcd_.Get(Key("leader"));
    if (leader.ok() && *leader) {
      const json value = json::parse((*leader)->value, nullptr, false);
      if (value.is_object() && value.value("name", "") == to) {
        const double pause_s = std::chrono::duration<double>(Clock::now() - paused).count();
        return done(200, json{{"from", options_.name}, {"to", to}, {"term", value.value("term", 0)},
                              {"write_pause_s", pause_s}}.dump());
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  done(503, ErrorBody("switchover_timeout", "released the leader key, but " + to + " did not take it within " +
                                                 std::to_string(options_.lease_ttl_s * 3) + " s"));
}

void ClusterNode::Tick() {
  RenewLease();
  if (leader_ && Clock::now() >= lease_valid_until_) StepDown("", "its lease could not be renewed in time");
  if (lease_ == 0) return;
  if (!registered_) registered_ = etcd_.Put(Key("nodes/" + options_.name), options_.advertise_url, 0).ok();
  Publish();
  auto leader = etcd_.Get(Key("leader"));
  if (!leader.ok()) {
    etcd_errors_.Inc();
    return;
  }
  if (*leader) {
    leader_absent_since_.reset();
    return FollowLeader(**leader);
  }
  if (leader_) return StepDown("", "the leader key is gone");
  replication_.Fence("");  // writes are refused without naming the dead primary meanwhile
  followed_url_.clear();
  MaybeCampaign();
}

void ClusterNode::RenewLease() {
  const Clock::time_point sent = Clock::now();
  if (lease_ == 0) {
    auto granted = etcd_.GrantLease(options_.lease_ttl_s);
    if (!granted.ok()) {
      etcd_errors_.Inc();
      if (granted.status().ToString() != last_error_) spdlog::warn("cluster: etcd: {}", granted.status().ToString());
      last_error_ = granted.status().ToString();
      return;
    }
    lease_ = *granted;
    lease_valid_until_ = sent + std::chrono::seconds(options_.lease_ttl_s) - Margin();
    return;
  }
  auto ttl = etcd_.KeepAlive(lease_);
  if (!ttl.ok()) {
    etcd_errors_.Inc();
    if (ttl.status().ToString() != last_error_) spdlog::warn("cluster: etcd: {}", ttl.status().ToString());
    last_error_ = ttl.status().ToString();
    return;
  }
  last_error_.clear();
  if (*ttl <= 0) {
    // Expired while we could not reach etcd: whatever it held (the leader key) is gone.
    lease_ = 0;
    if (leader_) StepDown("", "its lease expired");
    return;
  }
  lease_valid_until_ = sent + std::chrono::seconds(*ttl) - Margin();
  if (leader_) replication_.SetLeaseDeadline(lease_valid_until_);
}

void ClusterNode::Publish() {
  json member = {{"url", options_.advertise_url},
                 {"flushed", replication_.flushed_offset()},
                 {"role", leader_ ? "primary" : "standby"},
                 {"diverged", replication_.diverged_at().has_value()}};
  if (!etcd_.Put(Key("members/" + options_.name), member.dump(), lease_).ok()) etcd_errors_.Inc();
}

void ClusterNode::FollowLeader(const EtcdKeyValue& leader) {
  const json value = json::parse(leader.value, nullptr, false);
  const std::string name = value.is_object() ? value.value("name", "") : "";
  const std::string url = value.is_object() ? value.value("url", "") : "";
  if (name == options_.name) {
    if (leader.lease == lease_) {
      if (leader_) return;  // ours, and we lead
      // Ours, but this node stepped down meanwhile (etcd was unreachable past the deadline and
      // is back): release it, and the next election starts a new term.
      spdlog::warn("cluster: releasing the leader key this node held before it stepped down");
      if (!etcd_.DeleteIfLease(Key("leader"), lease_).ok()) etcd_errors_.Inc();
      return;
    }
    // Our name under another lease: this node before a restart. That process is gone (it
    // held the data directory's lock), so its lease is released rather than waited out.
    spdlog::warn("cluster: the leader key names this node under an old lease; revoking it");
    if (!etcd_.Revoke(leader.lease).ok()) etcd_errors_.Inc();
    return;
  }
  if (leader_) return StepDown(url, "another node holds the leader key");
  if (auto fork = replication_.diverged_at(); fork && !diverged_reported_) {
    diverged_reported_ = true;
    spdlog::critical("cluster: this node's log runs past offset {}, where {}'s term began; it restarts to move "
                     "those records to wal/diverged/ and rejoin", *fork, name);
    if (options_.on_diverged) options_.on_diverged(*fork);
    return;
  }
  if (url.empty() || url == followed_url_) return;
  spdlog::warn("cluster: {} leads (term {}); following it at {}", name, value.value("term", 0), url);
  leader_changes_.Inc();
  followed_url_ = url;
  replication_.FollowPrimary(url);
}

void ClusterNode::StepDown(const std::string& new_primary_url, const char* why) {
  spdlog::warn("cluster: node {} steps down: {}", options_.name, why);
  replication_.Fence(new_primary_url);
  leader_ = false;
  is_leader_.Set(0);
  leader_changes_.Inc();
  followed_url_.clear();
}

bool ClusterNode::MostUpToDate() {
  auto members = etcd_.GetPrefix(Key("members/"));
  if (!members.ok()) {
    etcd_errors_.Inc();
    return false;
  }
  if (!EnoughStandbysSeen(*members)) return false;
  const uint64_t mine = replication_.flushed_offset();
  for (const EtcdKeyValue& kv : *members) {
    const json m = json::parse(kv.value, nullptr, false);
    if (!m.is_object()) continue;
    const std::string name = kv.key.substr(Key("members/").size());
    if (name == options_.name || m.value("diverged", false)) continue;
    const uint64_t theirs = m.value("flushed", uint64_t{0});
    // Ties go to the smaller name, so two equal candidates do not both try.
    if (theirs > mine || (theirs == mine && name < options_.name)) return false;
  }
  return true;
}

// Synchronous commit: every acknowledged write was flushed by N of the K standbys the last
// primary had (every node that ever joined, but that primary). Among any K - N + 1 of them, one
// flushed it; the most up-to-date of those holds every acknowledged write. With fewer live
// standbys in sight (the primary and a standby that acknowledged down together) nobody is
// sure, and nobody leads until one more comes back (docs/replication.md, "Election").
bool ClusterNode::EnoughStandbysSeen(const std::vector<EtcdKeyValue>& members) {
  if (options_.synchronous_standbys <= 0) return true;
  auto nodes = etcd_.GetPrefix(Key("nodes/"));
  if (!nodes.ok()) {
    etcd_errors_.Inc();
    return false;
  }
  const int standbys = static_cast<int>(nodes->size()) - 1;
  int live = 0;
  for (const EtcdKeyValue& kv : members) {
    const json m = json::parse(kv.value, nullptr, false);
    live += m.is_object() && m.value("role", "") != "primary" ? 1 : 0;
  }
  const int needed = standbys - options_.synchronous_standbys + 1;
  if (live >= needed) {
    quorum_reported_ = false;
    return true;
  }
  if (!quorum_reported_) {
    spdlog::error("cluster: no primary can be chosen safely: {} live standbys publish their offsets, {} are needed "
                  "(synchronous_standbys = {}, {} nodes have joined); start a missing node, or remove one that left "
                  "for good from /stemedb/{}/nodes/", live, needed, options_.synchronous_standbys, nodes->size(),
                  options_.scope);
    quorum_reported_ = true;
  }
  return false;
}

void ClusterNode::MaybeCampaign() {
  const Clock::time_point now = Clock::now();
  // During a switchover only its target runs, and at once: the old primary waited until it had
  // everything.
  const std::optional<std::string> switchover_to = SwitchoverTarget();
  if (switchover_to && *switchover_to != options_.name) return;
  if (!leader_absent_since_ && switchover_to) leader_absent_since_ = now - options_.tick;
  if (!leader_absent_since_) {
    // Wait one tick: the others publish the offsets they stopped at before anyone compares.
    leader_absent_since_ = now;
    return;
  }
  if (now - *leader_absent_since_ < options_.tick || replication_.diverged_at()) return;
  if (now >= lease_valid_until_ || !MostUpToDate()) return;
  auto term_kv = etcd_.Get(Key("term"));
  if (!term_kv.ok()) return etcd_errors_.Inc();
  const uint64_t last_term = *term_kv ? std::strtoull((*term_kv)->value.c_str(), nullptr, 10) : 0;
  const uint64_t term = std::max(last_term, replication_.term()) + 1;
  const json value = {{"name", options_.name}, {"url", options_.advertise_url}, {"term", term}};
  auto won = etcd_.Campaign(Key("leader"), value.dump(), lease_, Key("term"),
                            *term_kv ? (*term_kv)->mod_revision : 0, term);
  if (!won.ok()) return etcd_errors_.Inc();
  if (!*won) return;
  spdlog::warn("cluster: node {} won the election for term {}", options_.name, term);
  leader_ = true;
  replication_.SetLeaseDeadline(lease_valid_until_);
  leader_changes_.Inc();
  Status promoted = replication_.Promote(term);
  if (!promoted.ok()) {
    spdlog::error("cluster: could not start term {}: {}; releasing the leader key", term, promoted.ToString());
    if (!etcd_.DeleteIfLease(Key("leader"), lease_).ok()) etcd_errors_.Inc();
    StepDown("", "its term could not be started");
    return;
  }
  is_leader_.Set(1);
  if (!etcd_.Delete(Key("switchover")).ok()) etcd_errors_.Inc();  // a hand-over to this node is done
}

}  // namespace stemedb::cluster

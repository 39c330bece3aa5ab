// docs/operations/runbooks/failover-to-replica.md, its automatic procedure, walked on a real
// cluster as the fsync drill walks its runbook: three etcd members, three nodes configured with
// deployment.md section 11's api.toml, the shipped HAProxy file in front. The nodes listen on
// 127.0.0.1, .2 and .3, one port for all, so the runbook's loops over 10.0.0.1 .. 10.0.0.3 run
// with only the addresses changed. Walked: seeing who leads (role loop, admin status, metrics,
// etcd's keys, the log), etcd's health with a member down, a switchover, and a diverged tail:
// writes a primary made durable while its standbys were down (never acknowledged: synchronous
// commit) become, after a failover and its return, a tail in wal/diverged/ that is verified,
// replayed in a scratch daemon, listed, posted once by hand and resubmitted with `stemedb
// resubmit`, after which the cluster holds every record of it.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/hex.h"
#include "stemedb/core/record_json.h"
#include "support/api.h"
#include "support/etcd_cluster.h"
#include "support/failover_cluster.h"
#include "support/ops_scripts.h"
#include "support/process.h"
#include "support/records.h"
#include "support/replace_all.h"
#include "support/runbook.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

const std::string kRootKey = "sdb_runbook_walk_root_key_0123456789abcdef";

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// deployment.md section 11's api.toml for one node, its addresses made this machine's; the
// lease shortened to 3 s and the synchronous wait to 1 s so the walk takes seconds.
std::string NodeConfig(const ClusterNodeAddress& node, const std::string& etcd_endpoints) {
  const std::string deployment = ReadFile(std::string(STEMEDB_SOURCE_DIR) + "/docs/operations/deployment.md");
  std::string toml = CodeBlock(deployment, "advertise_url = ");
  ReplaceAll(toml, "0.0.0.0:18180", node.host + ":" + std::to_string(node.port));
  ReplaceAll(toml, "http://10.0.0.1:18180", node.url());
  ReplaceAll(toml, "\"node1\"", "\"" + node.name + "\"");
  ReplaceAll(toml, "http://10.0.0.1:2379,http://10.0.0.2:2379,http://10.0.0.3:2379", etcd_endpoints);
  ReplaceAll(toml, "sdb_...", kRootKey);
  ReplaceAll(toml, "synchronous_standbys = 1", "synchronous_standbys = 1\nsync_timeout_ms = 1000");
  return toml + "lease_ttl_s = 3\n";  // the file ends in [cluster]
}

class FailoverRunbookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!EtcdCluster::Available()) GTEST_SKIP() << "etcd is not installed (scripts/setup.sh installs etcd-server)";
    ASSERT_TRUE(HaveProgram("etcdctl") && HaProxy::Available() && HaveProgram("jq"))
        << "run scripts/setup.sh (etcd-client, haproxy, jq)";
    etcd_ = std::make_unique<EtcdCluster>(3);
    ASSERT_TRUE(etcd_->WaitHealthy(std::chrono::seconds(30)));
    const std::string endpoints = etcd_->endpoints();
    cluster_ = std::make_unique<Cluster>(
        *etcd_, ClusterOptions{.name_prefix = "node",
                               .host_per_node = true,
                               .config = [endpoints](const ClusterNodeAddress& n) { return NodeConfig(n, endpoints); }});
    history_ = std::make_unique<History>(*cluster_);
    haproxy_ = std::make_unique<HaProxy>(*cluster_);
    ASSERT_GE(WaitPrimary(*history_, std::chrono::seconds(30)), 0) << "no node became primary";
  }
  void TearDown() override {
    haproxy_.reset();
    history_.reset();
    cluster_.reset();
    etcd_.reset();
  }

  // A block of the runbook as run on node `on` (its configuration, data and log), after the
  // runbook's ROOT line, with this machine's addresses.
  ProcessResult Walk(const std::string& needle, int on, const std::vector<std::pair<std::string, std::string>>& more = {}) {
    const std::string runbook = ReadRunbook("failover-to-replica.md");
    std::string commands = CodeBlock(runbook, "ROOT=$(sed") + CodeBlock(runbook, needle);
    commands = Localized(commands, RunbookPlaces{.url = cluster_->address(on).url(),
                                                 .data_dir = cluster_->dir(on),
                                                 .log_file = cluster_->LogGlob(on)});
    ReplaceAll(commands, "/etc/stemedb/api.toml", cluster_->config_path(on));
    ReplaceAll(commands, "http://10.0.0.1:2379,http://10.0.0.2:2379,http://10.0.0.3:2379", etcd_->endpoints());
    ReplaceAll(commands, "10.0.0.", "127.0.0.");
    ReplaceAll(commands, ":18180", ":" + std::to_string(cluster_->port(on)));
    ReplaceAll(commands, "127.0.0.1:18190", "127.0.0.1:" + std::to_string(haproxy_->writes_port()));
    for (const auto& [from, to] : more) ReplaceAll(commands, from, to);
    return RunCommands(commands);
  }

  std::unique_ptr<EtcdCluster> etcd_;
  std::unique_ptr<Cluster> cluster_;
  std::unique_ptr<History> history_;
  std::unique_ptr<HaProxy> haproxy_;
};

TEST_F(FailoverRunbookTest, SeeingItAndEtcdHealthAsWritten) {
  const int primary = WaitPrimary(*history_, std::chrono::seconds(10));
  ASSERT_GE(primary, 0);
  const std::string name = cluster_->address(primary).name;

  ProcessResult seen = Walk("Which node is primary", primary);
  EXPECT_EQ(seen.exit_code, 0) << seen.out;
  EXPECT_EQ(Count(seen.out, " 200\n"), 1u) << seen.out;
  EXPECT_EQ(Count(seen.out, " 503\n"), 2u) << seen.out;
  EXPECT_NE(seen.out.find("\"name\":\"" + name + "\""), std::string::npos) << seen.out;
  EXPECT_NE(seen.out.find("\"role_source\":\"etcd\""), std::string::npos) << seen.out;
  EXPECT_NE(seen.out.find("stemedb_cluster_is_leader 1"), std::string::npos) << seen.out;
  EXPECT_NE(seen.out.find("stemedb_replication_role{role=\"primary\"} 1"), std::string::npos) << seen.out;
  EXPECT_NE(seen.out.find("/stemedb/stemedb/leader"), std::string::npos) << seen.out;
  EXPECT_NE(seen.out.find("/stemedb/stemedb/members/node3"), std::string::npos) << seen.out;
  EXPECT_NE(seen.out.find("cluster: node " + name + " won the election for term"), std::string::npos) << seen.out;
  EXPECT_NE(seen.out.find("replication: this node (" + name + ") is the primary of term"), std::string::npos) << seen.out;

  ProcessResult health = Walk("endpoint health", primary);
  EXPECT_EQ(health.exit_code, 0) << health.out;
  EXPECT_EQ(Count(health.out, "is healthy"), 3u) << health.out;
  // One member down: the check names it, and the primary stays.
  etcd_->StopMember(2);
  health = Walk("endpoint health", primary);
  EXPECT_NE(health.out.find("is unhealthy"), std::string::npos) << health.out;
  EXPECT_EQ(Count(health.out, "is healthy"), 2u) << health.out;
  std::this_thread::sleep_for(std::chrono::seconds(4));  // longer than the lease
  EXPECT_EQ(history_->current(), primary);
  etcd_->StartMember(2);
  ASSERT_TRUE(etcd_->WaitHealthy(std::chrono::seconds(30)));
}

TEST_F(FailoverRunbookTest, SwitchoverAndADivergedTailAsWritten) {
  // The switchover, to a standby.
  const int first = WaitPrimary(*history_, std::chrono::seconds(10));
  ASSERT_GE(first, 0);
  const int to = (first + 1) % kClusterNodes;
  ASSERT_TRUE(WaitRejoined(*cluster_, to, std::chrono::seconds(30)));
  const std::string to_name = cluster_->address(to).name;
  ProcessResult switched = Walk("/v1/admin/cluster/switchover", first, {{"\"to\": \"node2\"", "\"to\": \"" + to_name + "\""}});
  EXPECT_EQ(switched.exit_code, 0) << switched.out;
  EXPECT_NE(switched.out.find("\"to\":\"" + to_name + "\""), std::string::npos) << switched.out;
  EXPECT_NE(switched.out.find("\"write_pause_s\""), std::string::npos) << switched.out;
  EXPECT_EQ(WaitPrimary(*history_, std::chrono::seconds(10), first), to);
  ASSERT_TRUE(WaitRejoined(*cluster_, first, std::chrono::seconds(60))) << "the old primary follows the new one";

  // A tail: both standbys die; the primary makes writes durable that no standby holds
  // (synchronous commit: none is acknowledged), then dies too.
  const int old = to;
  const int a = (old + 1) % kClusterNodes, b = (old + 2) % kClusterNodes;
  ASSERT_TRUE(WaitRejoined(*cluster_, a, std::chrono::seconds(30)) && WaitRejoined(*cluster_, b, std::chrono::seconds(30)));
  client::HttpConnection pc(cluster_->host(old), cluster_->port(old), std::chrono::seconds(10));
  const std::string before = PostAssertion(pc, "runbook/before", "0");
  cluster_->Kill(a);
  cluster_->Kill(b);
  std::vector<std::string> tail;
  for (int i = 0; i < 4; ++i) {
    const core::Assertion claim = SignedAssertion({.subject = "runbook/tail", .text = std::to_string(i)});
    tail.push_back(core::IdHex(core::ContentId(claim)));
    JsonReply w = PostJson(pc, "/v1/assert", core::ToJson(claim));
    EXPECT_EQ(w.status, 503) << w.response.body;  // durable on the primary only: not acknowledged
  }
  cluster_->Kill(old);
  cluster_->Start(a);
  cluster_->Start(b);
  const int now = WaitPrimary(*history_, std::chrono::seconds(60), old);
  ASSERT_GE(now, 0) << "no primary after the failover";
  cluster_->Start(old);
  ASSERT_TRUE(WaitRejoined(*cluster_, old, std::chrono::seconds(90))) << cluster_->Warnings(old);
  ASSERT_NE(cluster_->daemon(old).Log().find("rejoin: moved"), std::string::npos) << cluster_->Warnings(old);

  // The moved segments verify.
  ProcessResult verified = Walk("stemedb-wal-verify --file", old);
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_NE(verified.out.find("fork-"), std::string::npos) << verified.out;
  EXPECT_EQ(verified.out.find("CORRUPT"), std::string::npos) << verified.out;

  // Replayed in a scratch daemon, listed past the fork and looked up on the cluster.
  TempDir scratch;
  // The runbook starts the scratch daemon in the background; it goes however the test ends.
  struct StopScratch {
    std::string data;
    ~StopScratch() { RunProcess({"pkill", "-f", "--", "--data-dir " + data}); }
  } stop_scratch{scratch.Sub("fork") + "/data"};
  const std::string scratch_port = std::to_string(FreeLoopbackPort());
  const std::vector<std::pair<std::string, std::string>> places = {{"/var/tmp/stemedb-fork", scratch.Sub("fork")},
                                                                   {"18199", scratch_port}};
  ProcessResult replayed = Walk("S=/var/tmp/stemedb-fork", old, places);
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out;
  EXPECT_NE(replayed.out.find("listening on 127.0.0.1:" + scratch_port), std::string::npos) << replayed.out;
  ProcessResult listed = Walk("fork at offset", old, places);
  EXPECT_EQ(listed.exit_code, 0) << listed.out;
  for (const std::string& id : tail) EXPECT_NE(listed.out.find(id + " 404"), std::string::npos) << id << "\n" << listed.out;
  EXPECT_EQ(listed.out.find(before), std::string::npos) << "a record before the fork is listed:\n" << listed.out;

  // One posted again by hand, then the rest with `stemedb resubmit`, twice.
  ProcessResult one = Walk("id=0f87267c", old, [&] {
    auto p = places;
    p.push_back({"0f87267cd43033a7972dcb9220a4c823f3710ef0cb1ad4aa7a839b5580ba8ed2", tail[0]});
    return p;
  }());
  EXPECT_NE(one.out.find("\"status\":\"created\""), std::string::npos) << one.out;
  EXPECT_NE(one.out.find(tail[0]), std::string::npos) << one.out;
  ProcessResult resubmitted = Walk("stemedb resubmit", old);
  EXPECT_EQ(resubmitted.exit_code, 0) << resubmitted.out;
  // Already there: the one posted by hand, and the records before the fork in the cut
  // segment's original.
  EXPECT_TRUE(std::regex_search(resubmitted.out, std::regex("posted " + std::to_string(tail.size() - 1) +
                                                            ", already on the primary [1-9][0-9]*, refused 0,")))
      << resubmitted.out;
  resubmitted = Walk("stemedb resubmit", old);
  EXPECT_NE(resubmitted.out.find("posted 0,"), std::string::npos) << resubmitted.out;
  listed = Walk("fork at offset", old, places);
  for (const std::string& id : tail) EXPECT_NE(listed.out.find(id + " 200"), std::string::npos) << id << "\n" << listed.out;

  // Every node holds the tail and what came before.
  const uint64_t head = GetJson(*cluster_->daemon(now).Connect(), "/v1/role").body["durable_offset"].get<uint64_t>();
  for (int i = 0; i < kClusterNodes; ++i) {
    client::HttpConnection c(cluster_->host(i), cluster_->port(i), std::chrono::seconds(30));
    for (const std::string& id : tail) {
      EXPECT_EQ(GetJson(c, "/v1/assertions/" + id + "?min_position=" + std::to_string(head)).status, 200) << i << " " << id;
    }
    EXPECT_EQ(GetJson(c, "/v1/assertions/" + before).status, 200) << i;
  }
  for (const auto& [term, nodes] : history_->primaries()) EXPECT_EQ(nodes.size(), 1u) << "term " << term;
}

}  // namespace
}  // namespace stemedb::testing

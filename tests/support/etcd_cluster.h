#pragma once
// A real etcd cluster on loopback for the failover tests (Debian's etcd-server): `members`
// members, each with its own data directory and two free ports, started together and stopped
// (SIGTERM, then SIGKILL) when the object goes. A member can be stopped and started again.

#include <memory>
#include <string>
#include <vector>

#include "support/background_process.h"
#include "support/temp_dir.h"

namespace stemedb::testing {

class EtcdCluster {
 public:
  explicit EtcdCluster(int members = 3);
  ~EtcdCluster();

  // "http://127.0.0.1:P1,http://127.0.0.1:P2,..." for cluster.etcd_endpoints.
  std::string endpoints() const;
  void StopMember(int i);
  void StartMember(int i);
  // True once every running member answers /health with {"health":"true"}.
  bool WaitHealthy(std::chrono::seconds timeout);
  static bool Available();  // the etcd binary is installed

 private:
  struct Member {
    std::string name;
    uint16_t client_port = 0;
    uint16_t peer_port = 0;
    std::unique_ptr<BackgroundProcess> process;
  };
  std::vector<std::string> Argv(int i, bool fresh) const;

  TempDir dir_;
  std::vector<Member> members_;
};

}  // namespace stemedb::testing

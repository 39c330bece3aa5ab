// The daemon's systemd notifications, as deploy/systemd/stemedb-api.service (Type=notify,
// NotifyAccess=main) relies on them, read from a NOTIFY_SOCKET the test owns: READY=1 only once
// recovery is done, an admin drain changes only STATUS= (STOPPING=1 would make systemd kill
// the node after TimeoutStopSec), STOPPING=1 on SIGTERM, and every message from the main PID.

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "stemedb/core/record_json.h"
#include "support/daemon.h"
#include "support/records.h"

namespace stemedb::testing {
namespace {

using nlohmann::json;

struct Notification {
  std::string text;
  pid_t sender = 0;  // from the kernel (SO_PASSCRED), not from the message
};

// The receiving end of sd_notify: a datagram socket with sender credentials.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (fd_ < 0 || path.size() >= sizeof(addr.sun_path)) throw std::runtime_error("notify socket: " + path);
    path.copy(addr.sun_path, path.size());
    int on = 1;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        setsockopt(fd_, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) != 0) {
      throw std::runtime_error("cannot bind " + path);
    }
  }
  ~NotifySocket() {
    close(fd_);
    unlink(path_.c_str());
  }

  std::optional<Notification> Receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    char buf[4096];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
    iovec iov{buf, sizeof(buf)};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = recvmsg(fd_, &msg, 0);
    if (n < 0) return std::nullopt;
    Notification out{std::string(buf, static_cast<size_t>(n)), 0};
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        ucred cred;
        std::memcpy(&cred, CMSG_DATA(c), sizeof(cred));
        out.sender = cred.pid;
      }
    }
    return out;
  }

  // Messages until one contains `needle`; every message read is appended to `seen`.
  std::optional<Notification> WaitFor(const std::string& needle, std::vector<Notification>& seen) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      auto m = Receive(std::chrono::milliseconds(200));
      if (!m) continue;
      seen.push_back(*m);
      if (m->text.find(needle) != std::string::npos) return m;
    }
    return std::nullopt;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

bool AnyContains(const std::vector<Notification>& messages, const std::string& needle) {
  for (const auto& m : messages) {
    if (m.text.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(SdNotifyTest, ReadyAfterRecoveryStatusOnDrainStoppingOnlyOnShutdown) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  std::vector<std::string> ids;
  {
    // Acknowledged writes, then a crash: the next start must replay them before READY=1.
    Daemon first({.data_dir = data});
    auto c = first.Connect();
    for (int i = 0; i < 20; ++i) {
      auto r = c->Post("/v1/assert", core::ToJson(SignedAssertion({.subject = "notify", .text = std::to_string(i)})).dump());
      ASSERT_TRUE(r.ok() && r->status == 201) << (r.ok() ? r->body : r.status().ToString());
      ids.push_back(json::parse(r->body)["id"]);
    }
    first.Kill();
  }

  NotifySocket notify(dir.Sub("notify.sock"));
  Daemon d({.env = {"NOTIFY_SOCKET=" + dir.Sub("notify.sock")}, .data_dir = data, .wait_ready = false});
  std::vector<Notification> seen;
  auto ready = notify.WaitFor("READY=1", seen);
  ASSERT_TRUE(ready) << d.Log();
  EXPECT_EQ(seen.size(), 1u) << "READY=1 must be the first notification, got first: " << seen.front().text;
  EXPECT_EQ(ready->sender, d.pid()) << "NotifyAccess=main: the main PID must send it";
  // Recovery is done when systemd hears READY=1: every acknowledged write is already readable.
  auto c = d.Connect();
  EXPECT_EQ(c->Get("/v1/ready")->status, 200);
  for (const auto& id : ids) EXPECT_EQ(c->Get("/v1/assertions/" + id)->status, 200) << id;
  EXPECT_EQ(json::parse(c->Get("/v1/health")->body)["assertions_count"], 20);

  // An admin drain: systemd sees a status, not a stop (the unit stays active).
  auto drained = c->Post("/v1/admin/node/drain", "", {{"X-API-Key", d.RootKey()}});
  ASSERT_TRUE(drained.ok() && drained->status == 200) << (drained.ok() ? drained->body : drained.status().ToString());
  auto draining = notify.WaitFor("STATUS=drain", seen);
  ASSERT_TRUE(draining);
  EXPECT_EQ(draining->sender, d.pid()) << "sent from an I/O thread, credited to the main PID";
  auto undrained = c->Post("/v1/admin/node/undrain", "", {{"X-API-Key", d.RootKey()}});
  ASSERT_TRUE(undrained.ok() && undrained->status == 200);
  auto serving = notify.WaitFor("STATUS=serving", seen);
  ASSERT_TRUE(serving);
  EXPECT_NE(serving->text.find("READY=1"), std::string::npos) << serving->text;
  EXPECT_FALSE(AnyContains(seen, "STOPPING=1")) << "STOPPING=1 before any stop was asked for";

  // SIGTERM: now systemd hears STOPPING=1, then the daemon exits cleanly.
  const pid_t pid = d.pid();
  EXPECT_EQ(d.Stop(SIGTERM), 0) << d.Log();
  auto stopping = notify.WaitFor("STOPPING=1", seen);
  ASSERT_TRUE(stopping);
  EXPECT_EQ(stopping->sender, pid);
}

}  // namespace
}  // namespace stemedb::testing

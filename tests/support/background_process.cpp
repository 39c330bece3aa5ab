#include "support/background_process.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "support/process.h"

namespace stemedb::testing {

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, const std::string& log_path,
                                     const std::vector<std::string>& extra_env)
    : log_path_(log_path), pid_(SpawnProcess(argv, extra_env, log_path)) {}

BackgroundProcess::~BackgroundProcess() { Stop(); }

bool BackgroundProcess::Running() {
  if (pid_ <= 0) return false;
  int code = WaitProcess(pid_, std::chrono::milliseconds(0));
  if (code == 999) return true;
  exit_code_ = code;
  pid_ = -1;
  return false;
}

std::string BackgroundProcess::Log() const { return ReadFile(log_path_); }

int BackgroundProcess::Stop(std::chrono::seconds timeout) {
  if (!Running()) return exit_code_;
  kill(pid_, SIGTERM);
  int code = WaitProcess(pid_, timeout);
  if (code == 999) {
    kill(pid_, SIGKILL);
    code = WaitProcess(pid_, std::chrono::seconds(10));
  }
  exit_code_ = code;
  pid_ = -1;
  return code;
}

uint16_t FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("cannot bind a loopback port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace stemedb::testing

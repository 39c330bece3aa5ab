#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/sanitizer_report.h"
#include "support/temp_dir.h"

extern char** environ;

namespace stemedb::testing {
namespace {

[[noreturn]] void ExecChild(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                            int out_fd, const std::string& cwd) {
  dup2(out_fd, 1);
  dup2(out_fd, 2);
  int devnull = open("/dev/null", O_RDONLY);
  dup2(devnull, 0);
  // The test binary may have signals blocked (the daemon harness never does, but be sure).
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
  for (const auto& e : extra_env) putenv(const_cast<char*>(e.c_str()));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  _exit(127);
}

}  // namespace

pid_t SpawnProcess(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                   const std::string& log_path, const std::string& cwd) {
  int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + log_path);
  pid_t pid = fork();
  if (pid == 0) ExecChild(argv, extra_env, fd, cwd);
  close(fd);
  if (pid < 0) throw std::runtime_error("fork failed");
  return pid;
}

int WaitProcess(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return -WTERMSIG(status);
      return 998;
    }
    if (std::chrono::steady_clock::now() >= deadline) return 999;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

ProcessResult RunProcess(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                         std::chrono::seconds timeout, const std::string& cwd) {
  TempDir tmp;
  std::string log = tmp.Sub("out.log");
  pid_t pid = SpawnProcess(argv, extra_env, log, cwd);
  int code = WaitProcess(pid, timeout);
  ProcessResult result;
  if (code == 999) {
    kill(pid, SIGKILL);
    WaitProcess(pid, std::chrono::seconds(5));
    result.out = "[timed out after " + std::to_string(timeout.count()) + " s]\n";
  } else if (code < 0) {
    result.signal = -code;
  } else {
    result.exit_code = code;
  }
  result.out += ReadFile(log);
  ExpectNoSanitizerReport(argv.front(), result.out);
  return result;
}

bool HaveProgram(const std::string& name) {
  return RunProcess({"sh", "-c", "command -v " + name}).exit_code == 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace stemedb::testing

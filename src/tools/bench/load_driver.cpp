#include "load_driver.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace stemedb::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kReadChunkBytes = 64 << 10;
constexpr size_t kResponseBytesMax = 64 << 20;

struct Connection {
  int fd = -1;
  std::string out;
  size_t out_pos = 0;
  std::string in;
  Clock::time_point sent_at;
  bool busy = false;
};

std::string ErrnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

Result<int> ConnectTo(const std::string& host, uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return Status::InvalidArgument("not an IPv4 address: " + host);
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IOError(ErrnoText("socket"));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    Status s = Status::IOError(ErrnoText(("connect " + host + ":" + std::to_string(port)).c_str()));
    close(fd);
    return s;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // Non-blocking only after connect: loopback connects at once, and errors stay simple.
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
    close(fd);
    return Status::IOError(ErrnoText("fcntl O_NONBLOCK"));
  }
  return fd;
}

// A whole response at the front of `in`: its status and total length; nullopt if not whole yet.
struct Framed {
  int status;
  size_t bytes;
};
Result<std::optional<Framed>> FrameResponse(const std::string& in) {
  const size_t header_end = in.find("\r\n\r\n");
  if (header_end == std::string::npos) {
    if (in.size() > kResponseBytesMax) return Status::Corruption("response header never ends");
    return std::optional<Framed>{};
  }
  if (in.compare(0, 9, "HTTP/1.1 ") != 0 || header_end < 12) {
    return Status::Corruption("not an HTTP/1.1 response: " + in.substr(0, 40));
  }
  const int status = std::atoi(in.c_str() + 9);
  size_t content_length = 0;
  bool has_length = false;
  for (size_t line = in.find("\r\n") + 2; line < header_end;) {
    const size_t eol = in.find("\r\n", line);
    static constexpr std::string_view kName = "content-length:";
    if (eol - line > kName.size() && strncasecmp(in.c_str() + line, kName.data(), kName.size()) == 0) {
      content_length = std::strtoull(in.c_str() + line + kName.size(), nullptr, 10);
      has_length = true;
    }
    line = eol + 2;
  }
  if (!has_length) return Status::Corruption("response without Content-Length (status " + std::to_string(status) + ")");
  const size_t total = header_end + 4 + content_length;
  if (total > kResponseBytesMax) return Status::Corruption("response over 64 MiB");
  if (in.size() < total) return std::optional<Framed>{};
  return std::optional<Framed>{Framed{status, total}};
}

class Driver {
 public:
  Driver(const LoadOptions& options, const RequestSource& source) : o_(options), source_(source) {}
  ~Driver() {
    for (auto& c : conns_) {
      if (c.fd >= 0) close(c.fd);
    }
    if (epoll_fd_ >= 0) close(epoll_fd_);
  }

  Result<LoadResult> Run() {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) return Status::IOError(ErrnoText("epoll_create1"));
    conns_.resize(static_cast<size_t>(o_.connections));
    for (size_t i = 0; i < conns_.size(); ++i) {
      auto fd = ConnectTo(o_.host, o_.port);
      if (!fd.ok()) return fd.status();
      conns_[i].fd = *fd;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = i;
      if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, *fd, &ev) != 0) return Status::IOError(ErrnoText("epoll_ctl"));
    }
    start_ = Clock::now();
    measure_from_ = start_ + o_.warmup;
    measure_until_ = measure_from_ + o_.measure;
    for (size_t i = 0; i < conns_.size(); ++i) STEMEDB_RETURN_IF_ERROR(SendNext(i));
    STEMEDB_RETURN_IF_ERROR(Loop());
    const auto end = std::min(last_done_, measure_until_);
    result_.measured_s = std::chrono::duration<double>(end - measure_from_).count();
    return std::move(result_);
  }

 private:
  bool Exhausted() const {
    return (o_.requests_max != 0 && result_.requests_sent >= o_.requests_max) || Clock::now() >= measure_until_;
  }

  Status SendNext(size_t i) {
    Connection& c = conns_[i];
    if (Exhausted()) return Status::OK();
    c.out = source_(result_.requests_sent++);
    c.out_pos = 0;
    c.busy = true;
    ++busy_;
    c.sent_at = Clock::now();
    return Flush(i);
  }

  Status Flush(size_t i) {
    Connection& c = conns_[i];
    while (c.out_pos < c.out.size()) {
      ssize_t n = send(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_pos += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Watch(i, EPOLLIN | EPOLLOUT);
      return Status::IOError(ErrnoText("send"));
    }
    return Watch(i, EPOLLIN);
  }

  Status Watch(size_t i, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = i;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, conns_[i].fd, &ev) != 0) return Status::IOError(ErrnoText("epoll_ctl"));
    return Status::OK();
  }

  Status Receive(size_t i) {
    Connection& c = conns_[i];
    char buf[kReadChunkBytes];
    for (;;) {
      ssize_t n = recv(c.fd, buf, sizeof buf, 0);
      if (n > 0) {
        c.in.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) return Status::IOError("server closed a connection (after " + std::to_string(result_.requests_sent) + " requests)");
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return Status::IOError(ErrnoText("recv"));
    }
    auto framed = FrameResponse(c.in);
    if (!framed.ok()) return framed.status();
    if (!framed->has_value()) return Status::OK();
    if (!c.busy) return Status::Corruption("response without a request");
    Complete(c, (*framed)->status);
    c.in.erase(0, (*framed)->bytes);
    return SendNext(i);
  }

  void Complete(Connection& c, int status) {
    const auto now = Clock::now();
    c.busy = false;
    --busy_;
    last_done_ = now;
    if (c.sent_at < measure_from_ || c.sent_at >= measure_until_) return;
    result_.latencies_ns.push_back(
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now - c.sent_at).count()));
    ++result_.status_counts[status];
  }

  Status Loop() {
    std::vector<epoll_event> events(conns_.size());
    while (busy_ > 0) {
      int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 100);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IOError(ErrnoText("epoll_wait"));
      for (int k = 0; k < n; ++k) {
        const size_t i = events[static_cast<size_t>(k)].data.u64;
        if (events[static_cast<size_t>(k)].events & EPOLLOUT) STEMEDB_RETURN_IF_ERROR(Flush(i));
        if (events[static_cast<size_t>(k)].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) STEMEDB_RETURN_IF_ERROR(Receive(i));
      }
      STEMEDB_RETURN_IF_ERROR(CheckTimeouts());
    }
    return Status::OK();
  }

  Status CheckTimeouts() {
    const auto now = Clock::now();
    for (const auto& c : conns_) {
      if (c.busy && now - c.sent_at > o_.response_timeout) {
        return Status::IOError("no response within " + std::to_string(o_.response_timeout.count()) + " ms");
      }
    }
    return Status::OK();
  }

  const LoadOptions& o_;
  const RequestSource& source_;
  int epoll_fd_ = -1;
  std::vector<Connection> conns_;
  size_t busy_ = 0;
  Clock::time_point start_, measure_from_, measure_until_, last_done_;
  LoadResult result_;
};

}  // namespace

Result<LoadResult> RunLoad(const LoadOptions& options, const RequestSource& next_request) {
  if (options.connections < 1 || options.connections > 4096) {
    return Status::InvalidArgument("connections must be 1..4096");
  }
  Driver driver(options, next_request);
  return driver.Run();
}

std::string BuildRequest(const std::string& method, const std::string& target, const std::string& body,
                         const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: stemedb\r\n";
  for (const auto& [name, value] : headers) r += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST") {
    r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  r += "\r\n";
  r += body;
  return r;
}

}  // namespace stemedb::bench

#include "stemedb/client/http_connection.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace stemedb::client {
namespace {

constexpr size_t kResponseBytesMax = 256u << 20;  // a runaway server cannot exhaust the client

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  auto it = headers.find(Lower(std::string(name)));
  return it == headers.end() ? "" : it->second;
}

HttpConnection::HttpConnection(std::string host, uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

HttpConnection::~HttpConnection() { Close(); }

void HttpConnection::Close() {
  const int fd = fd_.exchange(-1);
  if (fd >= 0) ::close(fd);
  inbuf_.clear();
  inpos_ = 0;
}

void HttpConnection::Interrupt() {
  const int fd = fd_.load();
  if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
}

Status HttpConnection::Connect() {
  Close();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host_.c_str(), std::to_string(port_).c_str(), &hints, &res);
  if (rc != 0) return Status::IOError("resolve " + host_ + ": " + gai_strerror(rc));
  int err = 0;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd_ = fd;
      break;
    }
    err = errno;
    ::close(fd);
  }
  freeaddrinfo(res);
  if (fd_ < 0) return Status::IOError("connect " + host_ + ":" + std::to_string(port_), err);
  return Status::OK();
}

Status HttpConnection::SendRaw(const std::string& bytes) {
  if (fd_ < 0) STEMEDB_RETURN_IF_ERROR(Connect());
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      Close();
      return Status::IOError("send", e);
    }
    off += static_cast<size_t>(n);
  }
  return Status::OK();
}

Status HttpConnection::Fill() {
  if (inpos_ > 0 && inpos_ == inbuf_.size()) {
    inbuf_.clear();
    inpos_ = 0;
  }
  if (inbuf_.size() > kResponseBytesMax) return Status::IOError("response too large");
  pollfd p{fd_, POLLIN, 0};
  int rc = ::poll(&p, 1, static_cast<int>(timeout_.count()));
  if (rc == 0) return Status::IOError("timed out waiting for the server");
  if (rc < 0) return Status::IOError("poll", errno);
  char buf[65536];
  ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n == 0) return Status::Unavailable("connection closed by the server");
  if (n < 0) return Status::IOError("recv", errno);
  inbuf_.append(buf, static_cast<size_t>(n));
  return Status::OK();
}

Result<std::string> HttpConnection::ReadLine() {
  for (;;) {
    auto eol = inbuf_.find("\r\n", inpos_);
    if (eol != std::string::npos) {
      std::string line = inbuf_.substr(inpos_, eol - inpos_);
      inpos_ = eol + 2;
      return line;
    }
    if (Status s = Fill(); !s.ok()) return s;
  }
}

Status HttpConnection::ReadExact(size_t n, std::string& out) {
  while (inbuf_.size() - inpos_ < n) STEMEDB_RETURN_IF_ERROR(Fill());
  out.append(inbuf_, inpos_, n);
  inpos_ += n;
  return Status::OK();
}

Result<HttpResponse> HttpConnection::ReadResponseHeader() {
  HttpResponse r;
  auto status_line = ReadLine();
  if (!status_line.ok()) return status_line.status();
  // "HTTP/1.1 200 OK"
  if (status_line->size() < 12 || status_line->compare(0, 5, "HTTP/") != 0) {
    return Status::Corruption("bad status line: " + *status_line);
  }
  r.status = std::atoi(status_line->c_str() + 9);
  for (;;) {
    auto line = ReadLine();
    if (!line.ok()) return line.status();
    if (line->empty()) break;
    auto colon = line->find(':');
    if (colon == std::string::npos) return Status::Corruption("bad header line: " + *line);
    std::string value = line->substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers[Lower(line->substr(0, colon))] = value;
  }
  return r;
}

Result<std::string> HttpConnection::ReadChunk() {
  auto size_line = ReadLine();
  if (!size_line.ok()) return size_line.status();
  size_t size = std::strtoul(size_line->c_str(), nullptr, 16);
  std::string data;
  STEMEDB_RETURN_IF_ERROR(ReadExact(size, data));
  std::string crlf;
  STEMEDB_RETURN_IF_ERROR(ReadExact(2, crlf));
  return data;
}

Status HttpConnection::ReadBody(HttpResponse& r) {
  if (Lower(r.Header("transfer-encoding")) == "chunked") {
    for (;;) {
      auto chunk = ReadChunk();
      if (!chunk.ok()) return chunk.status();
      if (chunk->empty()) break;
      r.body += *chunk;
    }
  } else {
    size_t length = std::strtoul(r.Header("content-length").c_str(), nullptr, 10);
    if (length > kResponseBytesMax) return Status::IOError("response too large");
    STEMEDB_RETURN_IF_ERROR(ReadExact(length, r.body));
  }
  if (Lower(r.Header("connection")) == "close") Close();
  return Status::OK();
}

Result<HttpResponse> HttpConnection::ReadResponse(bool head_request) {
  auto header = ReadResponseHeader();
  if (!header.ok()) return header;
  HttpResponse r = std::move(*header);
  if (r.status == 100) return ReadResponse(head_request);
  if (head_request) return r;
  STEMEDB_RETURN_IF_ERROR(ReadBody(r));
  return r;
}

std::string HttpConnection::FormatRequest(const std::string& method, const std::string& target,
                                          const std::string& body, const Headers& headers) const {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: " + host_ + "\r\n";
  bool has_content_type = false;
  for (const auto& [name, value] : headers) {
    req += name + ": " + value + "\r\n";
    has_content_type = has_content_type || Lower(name) == "content-type";
  }
  if (!body.empty() && !has_content_type) req += "Content-Type: application/json\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n";
  req += body;
  return req;
}

Status HttpConnection::SendRequest(const std::string& method, const std::string& target, const std::string& body,
                                   const Headers& headers) {
  return SendRaw(FormatRequest(method, target, body, headers));
}

Result<HttpResponse> HttpConnection::Request(const std::string& method, const std::string& target,
                                             const std::string& body, const Headers& headers) {
  const std::string req = FormatRequest(method, target, body, headers);
  // A kept-alive connection the server closed meanwhile fails on first use: retry once on a
  // fresh one. Only when nothing of the response was read, so a request is never sent twice
  // after the server saw it... except for that race, which is why callers treat writes as
  // idempotent (they are: content-addressed).
  bool fresh = fd_ < 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (Status s = SendRaw(req); !s.ok()) {
      if (fresh || attempt == 1) return s;
      Close();
      continue;
    }
    auto r = ReadResponse(method == "HEAD");
    if (r.ok() || fresh || attempt == 1 || r.status().code() != StatusCode::kUnavailable) return r;
    Close();
  }
  return Status::Unavailable("unreachable");
}

bool HttpConnection::PeerClosed(std::chrono::milliseconds wait) {
  if (fd_ < 0) return true;
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return false;
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc <= 0) return false;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return true;
    inbuf_.append(buf, static_cast<size_t>(n));  // keep what arrived; a test may read it
  }
}

Result<ServerAddress> ParseServerUrl(const std::string& url) {
  std::string rest = url;
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  else if (rest.find("://") != std::string::npos) return Status::InvalidArgument("unsupported URL scheme: " + url + " (only http://)");
  auto slash = rest.find('/');
  if (slash != std::string::npos) rest = rest.substr(0, slash);
  auto colon = rest.rfind(':');
  if (colon == std::string::npos) return ServerAddress{rest, 80};
  int port = std::atoi(rest.c_str() + colon + 1);
  if (port <= 0 || port > 65535) return Status::InvalidArgument("bad port in URL: " + url);
  return ServerAddress{rest.substr(0, colon), static_cast<uint16_t>(port)};
}

}  // namespace stemedb::client

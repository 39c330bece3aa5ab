#pragma once
// The HTTP/1.1 server: Boost.Beast sessions on a pool of I/O threads, keep-alive and
// pipelining, header/body limits, read and idle timeouts, a connection cap, optional TLS, and
// graceful shutdown. Every request goes to one RequestHandler (the dispatcher).
//
// All of Beast lives in server.cpp (pimpl) so the rest of the code compiles quickly.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "stemedb/ground/status.h"
#include "stemedb/http/message.h"
#include "stemedb/ops/metrics.h"

namespace stemedb::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 18180;  // 0: any free port (tests); port() tells which
  int threads = 1;
  int max_connections = 4096;
  int max_connections_per_client = 1024;  // by remote address; beyond it refused like the global cap
  uint64_t max_body_bytes = 1 << 20;
  uint32_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds read_timeout{10000};  // from a request's first byte to its last
  std::chrono::seconds idle_timeout{60};          // keep-alive wait for the next request
  std::string tls_cert_file;                      // both set: every connection is TLS
  std::string tls_key_file;
};

class Server {
 public:
  Server(ServerOptions options, RequestHandler& handler, ops::Registry& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the I/O threads. Fails naming the address and the errno.
  Status Start();
  uint16_t port() const;

  // Stops accepting; idle keep-alive connections are closed; a connection busy with a request
  // closes after its response (which says Connection: close); streams are cancelled.
  void BeginShutdown();
  // True once no request is in flight; false if the timeout passed first.
  bool WaitForIdle(std::chrono::milliseconds timeout);
  // Stops the I/O threads and joins them. Connections still open are dropped.
  void Stop();

  int64_t inflight() const;
  int64_t connections() const;

  struct Impl;  // public only so server.cpp's session template can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace stemedb::http

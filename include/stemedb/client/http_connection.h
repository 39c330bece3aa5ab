#pragma once
// A small blocking HTTP/1.1 client on one keep-alive connection (POSIX sockets, no Beast).
// Used by the `stemedb` CLI, `stemedb-bench` (one connection per thread) and the tests, which
// also need to misbehave on purpose: raw bytes, pipelining, trickled headers.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stemedb/ground/status.h"

namespace stemedb::client {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  // The header's value, or "" when absent; the name in any case (HTTP's are case-insensitive).
  std::string Header(std::string_view name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpConnection {
 public:
  HttpConnection(std::string host, uint16_t port,
                 std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // One request and its response. Reconnects if the connection is closed. A body sets
  // Content-Type: application/json unless headers name another.
  Result<HttpResponse> Request(const std::string& method, const std::string& target,
                               const std::string& body = "", const Headers& headers = {});
  Result<HttpResponse> Get(const std::string& target, const Headers& headers = {}) {
    return Request("GET", target, "", headers);
  }
  Result<HttpResponse> Post(const std::string& target, const std::string& body, const Headers& headers = {}) {
    return Request("POST", target, body, headers);
  }

  // Sends one request without reading the answer (for streams: then ReadResponseHeader and
  // ReadChunk). Connects first when needed.
  Status SendRequest(const std::string& method, const std::string& target, const std::string& body = "",
                     const Headers& headers = {});

  // Low level, for tests of the server's edges.
  Status Connect();
  Status SendRaw(const std::string& bytes);
  Result<HttpResponse> ReadResponse(bool head_request = false);
  // Reads the header of a chunked response, then chunks one at a time (SSE).
  Result<HttpResponse> ReadResponseHeader();
  // Reads the body that follows a header from ReadResponseHeader into r.body.
  Status ReadBody(HttpResponse& r);
  Result<std::string> ReadChunk();  // "" at the last chunk
  // True when the peer has closed (EOF or reset) within `wait`.
  bool PeerClosed(std::chrono::milliseconds wait);
  void Close();
  // From another thread: wakes a blocked read (it fails) by shutting the socket down; the
  // owner then closes it. For a standby's stream that must stop now, not at its next timeout.
  void Interrupt();
  bool connected() const { return fd_ >= 0; }
  // The bytes Request and SendRequest send (the rejection tables dump them as fuzz seeds).
  std::string FormatRequest(const std::string& method, const std::string& target, const std::string& body,
                            const Headers& headers) const;

 private:
  Result<std::string> ReadLine();
  Status ReadExact(size_t n, std::string& out);
  Status Fill();

  std::string host_;
  uint16_t port_;
  std::chrono::milliseconds timeout_;
  std::atomic<int> fd_{-1};  // atomic: Interrupt() reads it from another thread
  std::string inbuf_;
  size_t inpos_ = 0;
};

// "http://host:port" -> host and port; fails naming the URL.
struct ServerAddress {
  std::string host;
  uint16_t port;
};
Result<ServerAddress> ParseServerUrl(const std::string& url);

}  // namespace stemedb::client

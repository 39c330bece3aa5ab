#pragma once
// The request and response types handlers see. They are ours, not Beast's, so that only
// src/http/server.cpp (and request_parser.cpp, Beast's parser alone) compiles Boost.Beast (30 s a
// translation unit on this machine) and handlers stay plain C++.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stemedb::http {

enum class Method { kGet, kHead, kPost, kPut, kDelete, kPatch, kOptions, kOther };

const char* MethodName(Method m);
Method ParseMethod(std::string_view text);

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  Method method = Method::kOther;
  std::string method_text;
  std::string target;        // as sent: path and query
  std::string path;          // percent-decoding is left to the handler's parameters
  std::string query_string;  // after '?', raw
  HeaderList headers;        // names in lower case
  std::string body;
  std::string remote_address;

  // Filled by the dispatcher.
  std::string request_id;
  std::string route;  // the matched pattern, e.g. /v1/assertions/{id}; the metrics label
  std::map<std::string, std::string> path_params;
  std::string client_id;  // API key id or remote address: who rate limits count against
  std::string role;       // the API key's role when one was presented and valid
  std::string rate_limit_header;  // the RateLimit header value the limiter computed

  // The value of a header (name in lower case), or nullptr.
  const std::string* Header(std::string_view lower_name) const;
};

// A response body produced piece by piece (Server-Sent Events). The session asks for the next
// chunk after the previous one is written.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Calls `deliver` exactly once, from any thread: a chunk to write, or nullopt to end.
  virtual void Next(std::function<void(std::optional<std::string>)> deliver) = 0;
  // The connection is going away (client gone, server shutting down): end soon.
  virtual void Cancel() = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  HeaderList headers;
  bool close_connection = false;
  std::shared_ptr<ResponseStream> stream;  // when set, body is ignored and chunks are streamed

  void SetHeader(std::string name, std::string value);
  // The value of a header (name as set), or nullptr.
  const std::string* Header(std::string_view name) const;
};

// Delivers the response; call exactly once, from any thread. The Request stays valid until then.
using Responder = std::function<void(Response)>;
using Handler = std::function<void(const Request&, Responder)>;

// What the server calls for every request. The dispatcher (middleware + router) implements it.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual void Handle(Request& request, Responder respond) = 0;
};

}  // namespace stemedb::http

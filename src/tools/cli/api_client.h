#pragma once
// The CLI's view of the HTTP API: one connection to --server, the API key on every request,
// and failures turned into CliErrors (exit 1 when the server refused, 3 when it could not be
// reached or did not answer with JSON).

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "global_options.h"
#include "stemedb/client/http_connection.h"

namespace stemedb::cli {

struct ApiAnswer {
  int status = 0;
  std::string body;      // as the server sent it (--json prints this)
  nlohmann::json value;  // the body parsed
};

class ApiClient {
 public:
  explicit ApiClient(const GlobalOptions& options);  // throws a usage error for a bad --server

  ApiAnswer Get(const std::string& target) { return Call("GET", target, ""); }
  ApiAnswer Post(const std::string& target, const std::string& body = "") { return Call("POST", target, body); }
  ApiAnswer Delete(const std::string& target) { return Call("DELETE", target, ""); }

  // The answer whatever its status (following a standby's not_primary like the others), for
  // callers that sort refusals by their code; throws only when the server cannot be reached.
  client::HttpResponse Send(const std::string& method, const std::string& target, const std::string& body);

  // A streamed (chunked) answer, for the feed and the export: OpenStream returns the header once
  // a 2xx one is read; NextChunk returns the next chunk, or nullopt when the server ended the
  // stream.
  client::HttpResponse OpenStream(const std::string& target, const std::string& accept = "text/event-stream");
  std::optional<std::string> NextChunk();

 private:
  ApiAnswer Call(const std::string& method, const std::string& target, const std::string& body);
  // A standby's 503 not_primary names the primary: the request goes there, once per client
  // (docs/replication.md), with a note on stderr. nullopt when `response` is not such a refusal.
  std::optional<std::string> PrimaryToFollow(const client::HttpResponse& response) const;
  void Connect(const std::string& url);
  client::Headers RequestHeaders() const;
  [[noreturn]] void Unreachable(const Status& status) const;

  std::string url_;
  std::string api_key_;
  int timeout_s_;
  bool followed_primary_ = false;
  std::unique_ptr<client::HttpConnection> connection_;
};

// The one line printed for a non-2xx answer: "HTTP 422 invalid_signature: <message> (field:
// signatures[0].signature; request_id: ...)", plus the Retry-After the server asked for.
std::string DescribeRefusal(const client::HttpResponse& response);

}  // namespace stemedb::cli

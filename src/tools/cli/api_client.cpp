#include "api_client.h"

#include <cstdio>

#include "cli_error.h"

namespace stemedb::cli {
namespace {

using nlohmann::json;

constexpr size_t kRawBodyShownBytesMax = 200;  // of a non-JSON error body

bool Success(int status) { return status >= 200 && status < 300; }

// "field: x; request_id: y", from the members of the error object that are present.
std::string ErrorDetails(const json& error) {
  std::string details;
  for (const char* name : {"field", "request_id"}) {
    const json value = error.value(name, json());
    if (!value.is_string() || value.get<std::string>().empty()) continue;
    details += (details.empty() ? "" : "; ") + std::string(name) + ": " + value.get<std::string>();
  }
  return details.empty() ? "" : " (" + details + ")";
}

}  // namespace

std::string DescribeRefusal(const client::HttpResponse& response) {
  std::string line = "HTTP " + std::to_string(response.status);
  const json body = json::parse(response.body, nullptr, false);
  const json error = body.is_object() ? body.value("error", json()) : json();
  if (error.is_object()) {
    line += " " + error.value("code", std::string("unknown_error")) + ": " + error.value("message", std::string(""));
    line += ErrorDetails(error);
  } else {
    line += ": " + response.body.substr(0, kRawBodyShownBytesMax);
  }
  const std::string retry_after = response.Header("retry-after");
  if (!retry_after.empty()) line += "; retry after " + retry_after + " s";
  return line;
}

ApiClient::ApiClient(const GlobalOptions& options)
    : url_(options.server_url), api_key_(options.api_key), timeout_s_(options.timeout_s) {
  auto address = client::ParseServerUrl(options.server_url);
  if (!address.ok()) UsageError("--server: " + address.status().message());
  Connect(options.server_url);
}

void ApiClient::Connect(const std::string& url) {
  auto address = client::ParseServerUrl(url);
  if (!address.ok()) throw CliError(kExitUnreachable, "cannot follow to " + url + ": " + address.status().message());
  url_ = url;
  connection_ = std::make_unique<client::HttpConnection>(address->host, address->port, std::chrono::seconds(timeout_s_));
}

std::optional<std::string> ApiClient::PrimaryToFollow(const client::HttpResponse& response) const {
  if (response.status != 503 || followed_primary_) return std::nullopt;
  const json body = json::parse(response.body, nullptr, false);
  const json error = body.is_object() ? body.value("error", json()) : json();
  if (!error.is_object() || error.value("code", std::string()) != "not_primary") return std::nullopt;
  const std::string primary = error.value("primary", std::string());
  if (primary.empty() || primary == url_) return std::nullopt;
  return primary;
}

client::Headers ApiClient::RequestHeaders() const {
  client::Headers headers;
  if (!api_key_.empty()) headers.emplace_back("X-API-Key", api_key_);
  return headers;
}

void ApiClient::Unreachable(const Status& status) const {
  throw CliError(kExitUnreachable, "cannot reach the server at " + url_ + ": " + status.ToString());
}

client::HttpResponse ApiClient::Send(const std::string& method, const std::string& target, const std::string& body) {
  auto response = connection_->Request(method, target, body, RequestHeaders());
  if (!response.ok()) Unreachable(response.status());
  if (auto primary = PrimaryToFollow(*response)) {
    std::fprintf(stderr, "stemedb: %s is a standby; sending to the primary at %s\n", url_.c_str(), primary->c_str());
    followed_primary_ = true;
    Connect(*primary);
    return Send(method, target, body);
  }
  return std::move(*response);
}

ApiAnswer ApiClient::Call(const std::string& method, const std::string& target, const std::string& body) {
  client::HttpResponse response = Send(method, target, body);
  if (!Success(response.status)) throw CliError(kExitRefused, DescribeRefusal(response));
  ApiAnswer answer{response.status, std::move(response.body), json()};
  answer.value = json::parse(answer.body, nullptr, false);
  if (answer.value.is_discarded()) {
    throw CliError(kExitUnreachable, "the server at " + url_ + " answered " + method + " " + target +
                                         " with a body that is not JSON");
  }
  return answer;
}

client::HttpResponse ApiClient::OpenStream(const std::string& target, const std::string& accept) {
  client::Headers headers = RequestHeaders();
  headers.emplace_back("Accept", accept);
  if (Status s = connection_->SendRequest("GET", target, "", headers); !s.ok()) Unreachable(s);
  auto header = connection_->ReadResponseHeader();
  if (!header.ok()) Unreachable(header.status());
  if (Success(header->status)) {
    if (header->Header("transfer-encoding").find("chunked") != std::string::npos) return std::move(*header);
    throw CliError(kExitUnreachable, "the server at " + url_ + " answered GET " + target + " without a stream");
  }
  if (Status s = connection_->ReadBody(*header); !s.ok()) Unreachable(s);
  throw CliError(kExitRefused, DescribeRefusal(*header));
}

std::optional<std::string> ApiClient::NextChunk() {
  auto chunk = connection_->ReadChunk();
  if (!chunk.ok()) Unreachable(chunk.status());
  if (chunk->empty()) return std::nullopt;
  return std::move(*chunk);
}

}  // namespace stemedb::cli

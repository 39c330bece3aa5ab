#include "support/sse.h"

#include <gtest/gtest.h>

namespace stemedb::testing {

SseStream::SseStream(const Daemon& d, const std::string& target, const client::Headers& headers)
    : connection_("127.0.0.1", d.port()) {
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const auto& [name, value] : headers) req += name + ": " + value + "\r\n";
  Status sent = connection_.SendRaw(req + "\r\n");
  if (!sent.ok()) {
    ADD_FAILURE() << "GET " << target << ": " << sent.ToString();
    return;
  }
  auto header = connection_.ReadResponseHeader();
  if (!header.ok()) {
    ADD_FAILURE() << "GET " << target << ": " << header.status().ToString();
    return;
  }
  header_ = *header;
  // An error answer is a whole response: read its body so the test can see it.
  if (header_.status != 200) {
    auto chunk = header_.Header("transfer-encoding") == "chunked" ? connection_.ReadChunk() : Result<std::string>("");
    if (chunk.ok()) header_.body = *chunk;
  }
}

std::optional<SseEvent> SseStream::TakeBuffered() {
  for (;;) {
    const size_t end = buffer_.find("\n\n");
    if (end == std::string::npos) return std::nullopt;
    std::string block = buffer_.substr(0, end);
    buffer_.erase(0, end + 2);
    SseEvent e;
    bool any_field = false;
    size_t start = 0;
    while (start <= block.size()) {
      size_t nl = block.find('\n', start);
      if (nl == std::string::npos) nl = block.size();
      const std::string line = block.substr(start, nl - start);
      start = nl + 1;
      if (line.empty() || line[0] == ':') continue;  // a comment (keep-alive)
      const size_t colon = line.find(':');
      const std::string name = line.substr(0, colon);
      std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.erase(0, 1);
      any_field = true;
      if (name == "id") e.id = value;
      if (name == "event") e.event = value;
      if (name == "data") e.data += (e.data.empty() ? "" : "\n") + value;
    }
    if (any_field) return e;
  }
}

std::optional<SseEvent> SseStream::Next() {
  for (;;) {
    if (auto e = TakeBuffered()) return e;
    auto chunk = connection_.ReadChunk();
    if (!chunk.ok() || chunk->empty()) return std::nullopt;
    buffer_ += *chunk;
  }
}

}  // namespace stemedb::testing

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
  if (header_.status != 200 && header_.Header("transfer-encoding") == "chunked") {
    auto chunk = connection_.ReadChunk();
    if (chunk.ok()) header_.body = *chunk;
  }
}

std::optional<SseEvent> SseStream::Next() {
  while (ready_.empty()) {
    auto chunk = connection_.ReadChunk();
    if (!chunk.ok() || chunk->empty()) return std::nullopt;
    for (SseEvent& e : parser_.Feed(*chunk)) ready_.push_back(std::move(e));
  }
  SseEvent e = std::move(ready_.front());
  ready_.pop_front();
  return e;
}

}  // namespace stemedb::testing

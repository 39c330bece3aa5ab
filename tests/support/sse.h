#pragma once
// A Server-Sent Events reader for GET /v1/feed?follow=true: one connection, the response
// header, then events parsed out of the chunks as they arrive (keep-alive comments skipped).

#include <optional>
#include <string>

#include "stemedb/client/http_connection.h"
#include "support/daemon.h"

namespace stemedb::testing {

struct SseEvent {
  std::string id;     // the `id:` field (the feed's seq)
  std::string event;  // the `event:` field
  std::string data;   // the `data:` lines, joined by '\n'
};

class SseStream {
 public:
  // Sends the request; check status() and header() before reading events.
  SseStream(const Daemon& d, const std::string& target, const client::Headers& headers = {});

  int status() const { return header_.status; }
  const client::HttpResponse& header() const { return header_; }
  // The next event, or nullopt when the stream ended or the read failed (within the
  // connection's timeout).
  std::optional<SseEvent> Next();
  void Close() { connection_.Close(); }

 private:
  std::optional<SseEvent> TakeBuffered();

  client::HttpConnection connection_;
  client::HttpResponse header_;
  std::string buffer_;
};

}  // namespace stemedb::testing

#pragma once
// A Server-Sent Events reader for GET /v1/feed?follow=true: one connection, the response
// header, then events parsed out of the chunks as they arrive by the CLI's parser (keep-alive
// comments dropped).

#include <deque>
#include <optional>
#include <string>

#include "cli/sse_parser.h"
#include "stemedb/client/http_connection.h"
#include "support/daemon.h"

namespace stemedb::testing {

using SseEvent = cli::SseEvent;

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
  client::HttpConnection connection_;
  client::HttpResponse header_;
  cli::SseParser parser_;
  std::deque<SseEvent> ready_;
};

}  // namespace stemedb::testing

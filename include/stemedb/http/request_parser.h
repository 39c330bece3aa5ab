#pragma once
// One request as a session reads it, without a socket: a client's bytes through the same Beast
// parser, limits (header block, body, a Content-Length over the body limit) and conversion into
// a Request that server.cpp's sessions use. For the fuzz target of the whole request path
// (tests/fuzz/http_request_fuzz.cpp), which drives the dispatcher with it.
//
// Its own translation unit with Beast's HTTP parser alone: server.cpp (sockets, TLS, sessions)
// is the slowest file of the project to compile, and the fuzz build leaves it out.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "stemedb/http/message.h"

namespace stemedb::http {

struct RequestLimits {
  uint64_t max_body_bytes;  // ServerOptions' limits
  uint32_t max_header_bytes;
};

struct ParsedRequest {
  std::optional<Request> request;  // the session would dispatch this
  int refused_status = 0;          // else the session's answer (413, 431, 400); 0: it would wait
  size_t bytes_used = 0;           // what the parser consumed (a pipelined request may follow)
};

ParsedRequest ParseRequest(std::string_view bytes, const RequestLimits& limits);

}  // namespace stemedb::http

#pragma once
// Server-Sent Events from the chunks of a text/event-stream answer (the feed's follow mode).
// Chunk boundaries carry no meaning: an event may arrive split across chunks or several in
// one. Comments (": keep-alive") are dropped.

#include <string>
#include <string_view>
#include <vector>

namespace stemedb::cli {

struct SseEvent {
  std::string id;
  std::string event;
  std::string data;  // data lines joined with "\n"
};

class SseParser {
 public:
  static constexpr size_t kPendingBytesMax = 8u << 20;  // one event larger than this is refused

  // The events completed by `chunk`. Throws a CliError (exit 3) when an event outgrows the limit.
  std::vector<SseEvent> Feed(std::string_view chunk);

 private:
  void Line(std::string_view line, std::vector<SseEvent>& out);

  std::string pending_;  // an incomplete line
  SseEvent current_;
  bool has_fields_ = false;
};

}  // namespace stemedb::cli

#include "sse_parser.h"

#include "cli_error.h"

namespace stemedb::cli {

std::vector<SseEvent> SseParser::Feed(std::string_view chunk) {
  std::vector<SseEvent> out;
  pending_.append(chunk);
  size_t start = 0;
  for (size_t eol; (eol = pending_.find('\n', start)) != std::string::npos; start = eol + 1) {
    std::string_view line(pending_.data() + start, eol - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    Line(line, out);
  }
  pending_.erase(0, start);
  if (pending_.size() + current_.data.size() > kPendingBytesMax) {
    throw CliError(kExitUnreachable, "a feed event exceeds " + std::to_string(kPendingBytesMax) + " bytes");
  }
  return out;
}

void SseParser::Line(std::string_view line, std::vector<SseEvent>& out) {
  if (line.empty()) {
    if (has_fields_) out.push_back(std::move(current_));
    current_ = {};
    has_fields_ = false;
    return;
  }
  if (line.front() == ':') return;  // a comment
  const size_t colon = line.find(':');
  const std::string_view name = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (name == "id") {
    current_.id = value;
  } else if (name == "event") {
    current_.event = value;
  } else if (name == "data") {
    if (!current_.data.empty()) current_.data += '\n';
    current_.data += value;
  } else {
    return;  // unknown fields are ignored, as the SSE spec says
  }
  has_fields_ = true;
}

}  // namespace stemedb::cli

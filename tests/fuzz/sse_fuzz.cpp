// The CLI's Server-Sent Events parser (`stemedb feed --follow`): a text/event-stream answer from
// a server, or from anything between the CLI and it, in chunks as the network delivers them.
//
// The first byte of the input picks how the rest is cut into chunks (sizes 1..32, cycled from
// the bytes after it); the same stream is also fed whole and byte by byte. Chunk boundaries
// carry no meaning (sse_parser.h), so all three must give the same events.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cli/cli_error.h"
#include "cli/sse_parser.h"
#include "fuzz_support.h"
#include "stemedb/ground/check.h"

namespace stemedb::cli {
namespace {

bool Same(const std::vector<SseEvent>& a, const std::vector<SseEvent>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const SseEvent& x, const SseEvent& y) {
    return x.id == y.id && x.event == y.event && x.data == y.data;
  });
}

std::vector<SseEvent> FeedInChunks(std::string_view stream, std::string_view sizes) {
  SseParser parser;
  std::vector<SseEvent> events;
  size_t i = 0;
  while (!stream.empty()) {
    const size_t n = std::min<size_t>(stream.size(), sizes.empty() ? 1 : 1 + (sizes[i++ % sizes.size()] & 31));
    for (SseEvent& e : parser.Feed(stream.substr(0, n))) events.push_back(std::move(e));
    stream.remove_prefix(n);
  }
  return events;
}

}  // namespace
}  // namespace stemedb::cli

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stemedb::cli;
  if (size == 0) return 0;
  const size_t size_bytes = std::min<size_t>(data[0] & 7, size - 1);
  const std::string_view sizes = stemedb::fuzz::AsText(data + 1, size_bytes);
  const std::string_view stream = stemedb::fuzz::AsText(data + 1 + size_bytes, size - 1 - size_bytes);

  SseParser whole;
  const std::vector<SseEvent> expected = whole.Feed(stream);
  for (const SseEvent& e : expected) STEMEDB_CHECK(e.id.find('\n') == std::string::npos);
  STEMEDB_CHECK(Same(FeedInChunks(stream, sizes), expected));
  STEMEDB_CHECK(Same(FeedInChunks(stream, ""), expected));
  return 0;
}

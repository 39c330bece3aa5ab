#pragma once
// What GET /v1/feed reads from the log: its filter (subject prefix, predicate, record kinds),
// one bounded look at the log, and the SSE events of what it found. Private to http/.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "stemedb/core/record_kind.h"
#include "stemedb/ground/status.h"
#include "stemedb/http/query_params.h"
#include "stemedb/storage/store.h"

namespace stemedb::http {

struct FeedFilter {
  std::string subject_prefix;  // empty: any subject
  std::string predicate;       // exact; empty: any predicate
  // Which kinds of record the feed carries: assertion, vote, epoch, source.
  bool assertions = true, votes = false, epochs = false, sources = false;

  // subject_prefix and predicate select assertions and the votes on them; epochs and sources
  // have neither, so either one leaves them out.
  bool by_claim() const { return !subject_prefix.empty() || !predicate.empty(); }
};

// subject_prefix=, predicate= and kind= (comma-separated kinds, default "assertion") of `p`;
// nullopt with *error naming the parameter when one is malformed.
std::optional<FeedFilter> ParseFeedFilter(const QueryParams& p, ApiError* error);

struct FeedItem {
  core::RecordKind kind;
  uint64_t seq;
  nlohmann::json body;  // as the record's GET route returns it
};

// What one look at the log found: the records to send, the last seq looked at, and whether the
// scan reached the end of what was applied when it started.
struct FeedRead {
  std::vector<FeedItem> items;
  uint64_t scanned_to = 0;
  bool reached_end = false;
};

// Records with seq > after that pass `filter`, at most `limit`, looking at no more than
// kFeedScanEntriesMax log entries.
inline constexpr size_t kFeedScanEntriesMax = 10'000;
Result<FeedRead> ReadFeed(storage::Store& store, uint64_t after, size_t limit, const FeedFilter& filter);

// One SSE event per item: `id:` its seq, `event:` its kind, `data:` its JSON.
std::string EventsChunk(const std::vector<FeedItem>& items);

}  // namespace stemedb::http

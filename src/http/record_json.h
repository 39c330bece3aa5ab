#pragma once
// JSON of stored records as the read API returns them: the record's own fields (core's ToJson)
// plus what the server knows of it. Private to http/.

#include <nlohmann/json.hpp>

#include "stemedb/ground/status.h"
#include "stemedb/storage/store.h"

namespace stemedb::http {

// An assertion with id, seq, ingested_at, signers, vote summary and flags.
Result<nlohmann::json> AssertionJson(storage::Store& store, const storage::StoredAssertion& a);
// Which part of an epoch's superseded_by to include. Any number of epochs may supersede one, so
// the list is paged like every other: at most `limit` ids in id order after `after`.
struct SupersededByPage {
  size_t limit;
  std::optional<core::Hash32> after;
};
inline constexpr size_t kSupersededByPageDefault = 100;  // /v1/epochs/{id} (limit=), /v1/trace
inline constexpr size_t kSupersededByPageMax = 1000;
inline constexpr size_t kSupersededByInListMax = 10;  // each epoch of /v1/epochs

// An epoch with id, seq, ingested_at, status (current | superseded), superseded_by_count, one
// page of superseded_by and superseded_by_next_cursor (the cursor for the next page; null after
// the last).
Result<nlohmann::json> EpochJson(storage::Store& store, const storage::StoredEpoch& e, const SupersededByPage& page);
// A vote with id and seq.
nlohmann::json VoteJson(const storage::StoredVote& v, const core::Hash32& id);
// A source with id and retraction; its content only when with_content.
nlohmann::json SourceJson(const storage::Store& store, const storage::StoredSource& s, bool with_content);

}  // namespace stemedb::http

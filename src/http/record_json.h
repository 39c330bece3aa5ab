#pragma once
// JSON of stored records as the read API returns them: the record's own fields (core's ToJson)
// plus what the server knows of it. Private to http/.

#include <nlohmann/json.hpp>

#include "stemedb/ground/status.h"
#include "stemedb/storage/store.h"

namespace stemedb::http {

// An assertion with id, seq, ingested_at, signers, vote summary and flags.
Result<nlohmann::json> AssertionJson(storage::Store& store, const storage::StoredAssertion& a);
// An epoch with id, seq, ingested_at, superseded_by and status (current | superseded).
nlohmann::json EpochJson(const storage::Store& store, const storage::StoredEpoch& e);
// A source with id and retraction; its content only when with_content.
nlohmann::json SourceJson(const storage::Store& store, const storage::StoredSource& s, bool with_content);

}  // namespace stemedb::http

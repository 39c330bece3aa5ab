#pragma once
// Records from and to their JSON shapes (docs/protocol.md, "JSON shapes").
//
// *FromJson checks the shape (types, required and unknown members, hex) and then the data
// model's rules (record_validation.h); the first problem is returned as a FieldError with the
// JSON path of the field. They do not verify signatures (signature_check.h) and do not look at
// other records (parents, epochs): that needs storage and belongs to the write path.
//
// *ToJson writes every field the struct holds, with defaults applied and lowercase hex, in the
// shape *FromJson accepts. It adds nothing the server owns (id, seq, ingested_at).

#include <nlohmann/json.hpp>
#include <vector>

#include "stemedb/core/field_error.h"
#include "stemedb/core/records.h"

namespace stemedb::core {

FieldResult<Assertion> AssertionFromJson(const nlohmann::json& body);
FieldResult<Vote> VoteFromJson(const nlohmann::json& body);
FieldResult<Epoch> EpochFromJson(const nlohmann::json& body);
FieldResult<Source> SourceFromJson(const nlohmann::json& body);
// The body of POST /v1/sources/{hash}/retract: {"reason": "..."}; the hash comes from the URL.
FieldResult<SourceRetraction> SourceRetractionFromJson(const nlohmann::json& body,
                                                       const Hash32& source_hash);

// The items of a batch body {"assertions": [...]} (at most kBatchRecordsMax), unparsed: each
// item is parsed on its own with AssertionFromJson, and errors are reported per item. The array
// inside `body`, not a copy (a copy of 1,000 items' DOM costs as much as parsing them).
FieldResult<const nlohmann::json*> AssertionBatchItemsFromJson(const nlohmann::json& body);

nlohmann::json ToJson(const Assertion& record);
nlohmann::json ToJson(const Vote& record);
nlohmann::json ToJson(const Epoch& record);
nlohmann::json ToJson(const Source& record);
nlohmann::json ToJson(const SourceRetraction& record);
nlohmann::json ToJson(const Record& record);
nlohmann::json ToJson(const ObjectValue& object);

}  // namespace stemedb::core

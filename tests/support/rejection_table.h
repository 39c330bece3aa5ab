#pragma once
// Rejection tables (issue 4, point 5): bad write requests as data, each sent to the daemon and
// checked for its exact status, error code and field, and for having written nothing (the
// store's counts and the WAL head do not move).

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "stemedb/client/http_connection.h"
#include "stemedb/core/records.h"
#include "support/daemon.h"

namespace stemedb::testing {

struct BadRequest {
  std::string name;
  std::string method = "POST";
  std::string path = "/v1/assert";
  std::string body;              // sent byte for byte
  client::Headers headers;       // e.g. a Content-Type that is not JSON, or an API key
  std::string raw;               // set: the whole HTTP request, sent instead of the above
  int status = 0;
  std::string code;
  std::string field;             // "": the error is about the body (or request) as a whole
};

// Sends every row on a fresh connection and checks it (names must be unique, for the traces).
void ExpectAllRefusedWithoutWriting(const Daemon& d, const std::vector<BadRequest>& rows);

// Records already stored, for rows that need one (a vote's target, a parent, an epoch...).
struct StoredForRejections {
  core::Hash32 proposed{};       // an assertion about "rejections/stored"
  core::Hash32 under_review{};   // its next stage
  core::Hash32 rejected{};       // the stage after that, which ends the chain
  core::Hash32 epoch{};
  core::Hash32 source{};
  std::string write_key;         // an API key with role write (not admin)
};
StoredForRejections StoreRecordsForRejections(const Daemon& d);

// Body text builders. The JSON of a record, edited; and a text edit for what JSON values cannot
// hold (NaN, bad bytes, duplicate keys). Replaced throws when `from` is not in `text`.
std::string Edited(const core::Record& record, const std::function<void(nlohmann::json&)>& edit);
std::string Replaced(std::string text, const std::string& from, const std::string& to);
// A hex string of `chars` characters (a valid id is 64, a signature 128).
std::string HexOfLength(size_t chars);

}  // namespace stemedb::testing

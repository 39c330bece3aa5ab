// ops::kWalRequestOverheadBytes: what one request's records take in the WAL beyond the bytes of
// its body. The start-up check (wal.max_batch_bytes >= server.max_body_bytes + it) relies on it.
// The smallest bodies of each kind are where the stored form's fixed costs weigh most; a batch
// of 1,000 of them adds the journal framing a thousand times.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "stemedb/core/limits.h"
#include "stemedb/core/record_json.h"
#include "stemedb/ops/config.h"
#include "stemedb/storage/server_records.h"
#include "stemedb/wal/record_payload.h"

namespace stemedb::storage {
namespace {

// The WAL bytes of a record minus the bytes of the JSON a client sends for it (no whitespace).
int64_t ExcessBytes(const core::Record& record) {
  const int64_t wal_bytes = static_cast<int64_t>(wal::JournalRecordBytes(EncodeBody(FromCore(record)).size()));
  return wal_bytes - static_cast<int64_t>(core::ToJson(record).dump().size());
}

core::SignatureEntry OneSigner() { return core::SignatureEntry{}; }

core::Assertion SmallestAssertion() {
  core::Assertion a;
  a.subject = "s";
  a.predicate = "p";
  a.object = core::BooleanObject{true};
  a.confidence = 1;
  a.signatures = {OneSigner()};
  return a;
}

TEST(WalEntryBytesTest, EveryKindFitsItsBodyPlusTheOverhead) {
  core::Epoch epoch;
  epoch.name = "e";
  epoch.signatures = {OneSigner()};
  core::Source source;
  source.uri = "u";
  core::Source big_source;
  big_source.uri = "u";
  big_source.content = std::string(core::kSourceContentBytesMax, 'x');
  core::SourceRetraction retraction;  // its source hash is in the path, not in the body
  retraction.reason = "r";
  for (const core::Record& r : std::vector<core::Record>{SmallestAssertion(), core::Vote{}, epoch, source, big_source,
                                                         retraction}) {
    EXPECT_LE(ExcessBytes(r), 256) << core::ToJson(r).dump().substr(0, 200);
  }
}

TEST(WalEntryBytesTest, TheLargestBatchOfTheSmallestAssertionsFits) {
  nlohmann::json items = nlohmann::json::array();
  uint64_t wal_bytes = 0;
  for (size_t i = 0; i < core::kBatchRecordsMax; ++i) {
    core::Assertion a = SmallestAssertion();
    items.push_back(core::ToJson(a));
    wal_bytes += wal::JournalRecordBytes(EncodeBody(FromCore(a)).size());
  }
  const uint64_t body_bytes = nlohmann::json{{"assertions", items}}.dump().size();
  EXPECT_LE(static_cast<int64_t>(wal_bytes), static_cast<int64_t>(body_bytes) + ops::kWalRequestOverheadBytes)
      << wal_bytes << " WAL bytes for a body of " << body_bytes;
}

}  // namespace
}  // namespace stemedb::storage

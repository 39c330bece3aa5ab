// The stored-record decoder: the bytes of a WAL record body or a RocksDB value, which a damaged
// disk or a foreign writer can make anything. The first byte is the record kind the caller
// would pass (from the WAL record's type or the key), the rest the stored bytes.
//
// DecodeStored accepts exactly one byte form per record (stored_record.h), so whatever it
// accepts must encode back to the same bytes.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "stemedb/core/record_json.h"
#include "stemedb/core/record_kind.h"
#include "stemedb/core/stored_record.h"
#include "stemedb/ground/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stemedb::core;
  if (size == 0) return 0;
  // Any byte, so the decoder also meets kinds no core record uses.
  const auto kind = static_cast<RecordKind>(data[0]);
  const std::string_view bytes = stemedb::fuzz::AsText(data + 1, size - 1);
  stemedb::Result<Record> decoded = DecodeStored(kind, bytes);
  if (!decoded.ok()) {
    STEMEDB_CHECK(decoded.status().code() == stemedb::StatusCode::kCorruption);
    return 0;
  }
  STEMEDB_CHECK(RecordKindFromByte(data[0]).has_value());
  STEMEDB_CHECK(KindOf(*decoded) == kind);
  STEMEDB_CHECK(EncodeStored(*decoded) == bytes);
  (void)ToJson(*decoded).dump();  // what GET /v1/... would answer with
  return 0;
}

// Request bodies of every write route (docs/protocol.md, "JSON shapes"): the strict JSON reader,
// then each record kind's parser and the batch's, on the same bytes.
//
// Beyond "no crash, no sanitizer report", what a parser accepts must survive the record's other
// forms unchanged: its JSON (ToJson, parsed again), its stored form (EncodeStored, decoded
// again), and its content id must be computable. A record that parses but does not round-trip
// is a finding as much as a crash. The plain reader (plain_assertion_reader.h), which the write
// path tries first, must answer exactly as the general reader does whenever it answers at all.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "stemedb/core/assertion_body.h"
#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/json_body.h"
#include "stemedb/core/plain_assertion_reader.h"
#include "stemedb/core/record_json.h"
#include "stemedb/core/record_kind.h"
#include "stemedb/core/signature_check.h"
#include "stemedb/core/stored_record.h"
#include "stemedb/ground/check.h"

namespace stemedb::core {
namespace {

// The fixed hash a retraction body is parsed against (it comes from the URL in the API).
constexpr Hash32 kRetractedSource{0x5a};

FieldResult<Record> Reparse(const Record& record) {
  nlohmann::json json = ToJson(record);
  // A retraction's JSON names its source, which the body of POST /v1/sources/{hash}/retract
  // takes from the URL instead.
  if (std::holds_alternative<SourceRetraction>(record)) json.erase("source_hash");
  FieldResult<nlohmann::json> body = ParseJsonBody(json.dump());
  STEMEDB_CHECK(body.ok());
  return std::visit(
      [&](const auto& r) -> FieldResult<Record> {
        using R = std::decay_t<decltype(r)>;
        FieldResult<R> again = [&] {
          if constexpr (std::is_same_v<R, Assertion>) return AssertionFromJson(*body);
          if constexpr (std::is_same_v<R, Vote>) return VoteFromJson(*body);
          if constexpr (std::is_same_v<R, Epoch>) return EpochFromJson(*body);
          if constexpr (std::is_same_v<R, Source>) return SourceFromJson(*body);
          if constexpr (std::is_same_v<R, SourceRetraction>) {
            return SourceRetractionFromJson(*body, r.source_hash);
          }
        }();
        if (!again.ok()) return again.error();
        return Record(std::move(again).value());
      },
      record);
}

// What every accepted record must satisfy.
void CheckAccepted(const Record& record) {
  FieldResult<Record> again = Reparse(record);
  STEMEDB_CHECK(again.ok());
  STEMEDB_CHECK(*again == record);

  const std::string stored = EncodeStored(record);
  Result<Record> decoded = DecodeStored(KindOf(record), stored);
  STEMEDB_CHECK(decoded.ok());
  STEMEDB_CHECK(*decoded == record);

  const Hash32 id = ContentId(record);
  if (const auto* a = std::get_if<Assertion>(&record)) (void)VerifySignatures(*a, id);
  if (const auto* v = std::get_if<Vote>(&record)) (void)VerifySignatures(*v, id);
  if (const auto* e = std::get_if<Epoch>(&record)) (void)VerifySignatures(*e, id);
}

template <typename R>
void Try(const FieldResult<R>& parsed) {
  if (parsed.ok()) {
    CheckAccepted(Record(*parsed));
  } else {
    STEMEDB_CHECK(!parsed.error().code.empty());  // every refusal names its problem
  }
}

// Both readers' answers to one assertion: the same record, or the same error.
void CheckSameAnswer(const FieldResult<Assertion>& plain, const FieldResult<Assertion>& general) {
  STEMEDB_CHECK(plain.ok() == general.ok());
  if (plain.ok()) {
    STEMEDB_CHECK(*plain == *general);
  } else {
    STEMEDB_CHECK(plain.error().code == general.error().code && plain.error().field == general.error().field);
  }
}

// When the plain reader takes the text, the general reader reads the same records from it.
void CheckPlainReaders(std::string_view text, const FieldResult<nlohmann::json>& body) {
  if (ReadPlainAssertion(text)) {
    STEMEDB_CHECK(body.ok());
    CheckSameAnswer(AssertionFromBody(text, kBodyBytesMax), AssertionFromJson(*body));
  }
  if (ReadPlainAssertionBatch(text)) {
    STEMEDB_CHECK(body.ok());
    FieldResult<std::vector<FieldResult<Assertion>>> plain = AssertionBatchFromBody(text, kBodyBytesMax);
    FieldResult<const nlohmann::json*> general = AssertionBatchItemsFromJson(*body);
    STEMEDB_CHECK(plain.ok() && general.ok() && plain->size() == (*general)->size());
    for (size_t i = 0; i < plain->size(); ++i) CheckSameAnswer((*plain)[i], AssertionFromJson((**general)[i]));
  }
}

}  // namespace
}  // namespace stemedb::core

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stemedb::core;
  const std::string_view text = stemedb::fuzz::AsText(data, size);
  FieldResult<nlohmann::json> body = ParseJsonBody(text);
  CheckPlainReaders(text, body);
  if (!body.ok()) return 0;
  Try(AssertionFromJson(*body));
  Try(VoteFromJson(*body));
  Try(EpochFromJson(*body));
  Try(SourceFromJson(*body));
  Try(SourceRetractionFromJson(*body, kRetractedSource));
  FieldResult<const nlohmann::json*> items = AssertionBatchItemsFromJson(*body);
  if (items.ok()) {
    for (const nlohmann::json& item : **items) Try(AssertionFromJson(item));
  }
  return 0;
}

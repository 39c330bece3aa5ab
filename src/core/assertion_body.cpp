#include "stemedb/core/assertion_body.h"

#include "stemedb/core/json_body.h"
#include "stemedb/core/plain_assertion_reader.h"
#include "stemedb/core/record_json.h"
#include "stemedb/core/record_validation.h"

namespace stemedb::core {
namespace {

FieldResult<Assertion> Validated(Assertion a) {
  if (std::optional<FieldError> problem = Validate(a)) return *std::move(problem);
  return a;
}

}  // namespace

FieldResult<Assertion> AssertionFromBody(std::string_view body, size_t body_bytes_max) {
  if (std::optional<FieldError> too_large = BodyTooLarge(body, body_bytes_max))
    return *std::move(too_large);
  if (std::optional<Assertion> plain = ReadPlainAssertion(body))
    return Validated(*std::move(plain));
  FieldResult<nlohmann::json> parsed = ParseJsonBody(body, body_bytes_max);
  if (!parsed.ok()) return parsed.error();
  return AssertionFromJson(*parsed);
}

FieldResult<std::vector<FieldResult<Assertion>>> AssertionBatchFromBody(std::string_view body,
                                                                        size_t body_bytes_max) {
  if (std::optional<FieldError> too_large = BodyTooLarge(body, body_bytes_max))
    return *std::move(too_large);
  std::vector<FieldResult<Assertion>> items;
  if (std::optional<std::vector<Assertion>> plain = ReadPlainAssertionBatch(body)) {
    items.reserve(plain->size());
    for (Assertion& a : *plain) items.push_back(Validated(std::move(a)));
    return items;
  }
  FieldResult<nlohmann::json> parsed = ParseJsonBody(body, body_bytes_max);
  if (!parsed.ok()) return parsed.error();
  FieldResult<const nlohmann::json*> list = AssertionBatchItemsFromJson(*parsed);
  if (!list.ok()) return list.error();
  items.reserve((*list)->size());
  for (const nlohmann::json& item : **list) items.push_back(AssertionFromJson(item));
  return items;
}

}  // namespace stemedb::core

#include "stemedb/core/record_validation.h"

#include <cmath>

#include "stemedb/core/limits.h"
#include "stemedb/core/types.h"
#include "stemedb/core/utf8.h"

namespace stemedb::core {
namespace {

using Problem = std::optional<FieldError>;

Problem CheckString(const std::string& field, const std::string& value, size_t bytes_max,
                    TextRule characters) {
  if (value.empty()) {
    return Invalid(error_code::kEmptyString, field,
                   "must not be empty (1.." + std::to_string(bytes_max) + " bytes)");
  }
  if (value.size() > bytes_max) {
    return Invalid(
        error_code::kStringTooLong, field,
        std::to_string(value.size()) + " bytes exceeds the limit of " + std::to_string(bytes_max));
  }
  Status text = CheckText(value, characters);
  if (!text.ok()) return Invalid(error_code::kInvalidCharacters, field, text.message());
  return std::nullopt;
}

Problem CheckOptionalString(const std::string& field, const std::optional<std::string>& value,
                            size_t bytes_max, TextRule characters) {
  return value ? CheckString(field, *value, bytes_max, characters) : std::nullopt;
}

// A closed range written so that NaN (which compares false to everything) fails it.
Problem CheckRange(const std::string& field, double value, double min, double max) {
  if (value >= min && value <= max) return std::nullopt;
  return Invalid(error_code::kValueOutOfRange, field,
                 NumberForMessage(value) + " is outside " + NumberForMessage(min) + ".." +
                     NumberForMessage(max));
}

Problem CheckTime(const std::string& field, int64_t unix_seconds) {
  if (unix_seconds >= kTimestampMin && unix_seconds <= kTimestampMax) return std::nullopt;
  return TimestampOutOfRange(field, std::to_string(unix_seconds));
}

Problem CheckOptionalTime(const std::string& field, const std::optional<int64_t>& value) {
  return value ? CheckTime(field, *value) : std::nullopt;
}

Problem CheckObject(const ObjectValue& object) {
  switch (ObjectTypeOf(object)) {
    case ObjectType::kText:
      return CheckString("object.value", std::get<TextObject>(object).value, kTextObjectBytesMax,
                         TextRule::kMultiLine);
    case ObjectType::kReference:
      return CheckString("object.value", std::get<ReferenceObject>(object).value,
                         kReferenceBytesMax, TextRule::kSingleLine);
    case ObjectType::kNumber:
      if (std::isfinite(std::get<NumberObject>(object).value)) return std::nullopt;
      return Malformed(error_code::kInvalidNumber, "object.value",
                       "must be a finite number (NaN and Infinity are not allowed)");
    case ObjectType::kBoolean:
      return std::nullopt;
  }
  return std::nullopt;
}

Problem CheckSignatures(const std::vector<SignatureEntry>& signatures) {
  if (signatures.size() < kSignaturesMin) {
    return Invalid(error_code::kNoSignatures, "signatures",
                   "at least " + std::to_string(kSignaturesMin) + " signature is required");
  }
  if (signatures.size() > kSignaturesMax) {
    return Invalid(error_code::kTooManySignatures, "signatures",
                   std::to_string(signatures.size()) + " signatures exceed the limit of " +
                       std::to_string(kSignaturesMax));
  }
  // At most 16 entries: the quadratic scan is cheaper than any set.
  for (size_t i = 1; i < signatures.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (signatures[i].agent_id != signatures[j].agent_id) continue;
      return Invalid(error_code::kDuplicateSigner, "signatures[" + std::to_string(i) + "].agent_id",
                     "agent " + IdHex(signatures[i].agent_id) + " already signed at signatures[" +
                         std::to_string(j) + "]");
    }
  }
  return std::nullopt;
}

// The first problem of a list of checks, in order.
Problem First(std::initializer_list<Problem> problems) {
  for (const Problem& p : problems) {
    if (p) return p;
  }
  return std::nullopt;
}

}  // namespace

std::optional<FieldError> Validate(const Assertion& a) {
  Problem problem = First({
      CheckString("subject", a.subject, kSubjectBytesMax, TextRule::kSingleLine),
      CheckString("predicate", a.predicate, kPredicateBytesMax, TextRule::kSingleLine),
      CheckObject(a.object),
      CheckRange("confidence", a.confidence, 0.0, 1.0),
      CheckTime("timestamp", a.timestamp),
      CheckOptionalString("narrative", a.narrative, kNarrativeBytesMax, TextRule::kMultiLine),
      CheckOptionalTime("valid_from", a.valid_from),
      CheckOptionalTime("valid_until", a.valid_until),
  });
  if (problem) return problem;
  if (a.valid_from && a.valid_until && *a.valid_from > *a.valid_until) {
    return Invalid(error_code::kInvalidValidPeriod, "valid_from",
                   std::to_string(*a.valid_from) + " is after valid_until " +
                       std::to_string(*a.valid_until) + " (valid_from <= valid_until)");
  }
  return CheckSignatures(a.signatures);
}

std::optional<FieldError> Validate(const Vote& v) {
  return First({
      CheckRange("weight", v.weight, -1.0, 1.0),
      CheckTime("timestamp", v.timestamp),
  });
}

std::optional<FieldError> Validate(const Epoch& e) {
  Problem problem = First({
      CheckString("name", e.name, kEpochNameBytesMax, TextRule::kSingleLine),
      CheckOptionalString("description", e.description, kDescriptionBytesMax, TextRule::kMultiLine),
      CheckTime("started_at", e.started_at),
  });
  if (problem) return problem;
  if (e.supersedes && !e.supersession_type) {
    return Invalid(error_code::kSupersessionTypeMismatch, "supersession_type",
                   "required when supersedes is set (one of " + SupersessionTypeNames() + ")");
  }
  if (!e.supersedes && e.supersession_type) {
    return Invalid(error_code::kSupersessionTypeMismatch, "supersession_type",
                   "allowed only when supersedes is set");
  }
  return CheckSignatures(e.signatures);
}

std::optional<FieldError> Validate(const Source& s) {
  return First({
      CheckString("uri", s.uri, kUriBytesMax, TextRule::kSingleLine),
      CheckOptionalString("title", s.title, kTitleBytesMax, TextRule::kSingleLine),
      CheckOptionalString("content", s.content, kSourceContentBytesMax, TextRule::kDocument),
  });
}

std::optional<FieldError> Validate(const SourceRetraction& r) {
  return CheckString("reason", r.reason, kRetractionReasonBytesMax, TextRule::kMultiLine);
}

FieldError TimestampOutOfRange(std::string field, std::string_view value_text) {
  return Invalid(error_code::kInvalidTimestamp, std::move(field),
                 std::string(value_text) + " is outside " + std::to_string(kTimestampMin) + ".." +
                     std::to_string(kTimestampMax) +
                     " (unix seconds up to 9999-12-31; negative times are not supported)");
}

std::optional<FieldError> Validate(const Record& record) {
  return std::visit([](const auto& r) { return Validate(r); }, record);
}

}  // namespace stemedb::core

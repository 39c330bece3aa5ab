#include "stemedb/core/json_reader.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stemedb/core/limits.h"
#include "stemedb/core/record_validation.h"

namespace stemedb::core {

using json = nlohmann::json;

std::string_view JsonTypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number with a fraction or exponent";
    case json::value_t::binary:
      return "binary";
    case json::value_t::discarded:
      return "nothing";
  }
  return "unknown";
}

JsonReader::JsonReader(const json& object, std::string path, JsonErrors& errors)
    : object_(object.is_object() ? &object : nullptr), path_(std::move(path)), errors_(errors) {
  if (!object_) ReportWrongType(object, path_, "an object");
}

std::string JsonReader::MemberPath(std::string_view name) const {
  return path_.empty() ? std::string(name) : path_ + "." + std::string(name);
}

void JsonReader::OnlyMembers(std::initializer_list<std::string_view> names) {
  if (!object_ || failed()) return;
  for (const auto& [key, value] : object_->items()) {
    if (std::find(names.begin(), names.end(), key) != names.end()) continue;
    std::string accepted;
    for (std::string_view name : names)
      accepted += (accepted.empty() ? "" : ", ") + std::string(name);
    // The path holds client text: keep it printable and short, as the message does.
    errors_.Report(Malformed(error_code::kUnknownField, MemberPath(AsciiForMessage(key)),
                             "unknown field (accepted: " + accepted + ")"));
    return;
  }
}

const json* JsonReader::Required(std::string_view name) {
  if (!object_ || failed()) return nullptr;
  auto it = object_->find(name);
  if (it == object_->end()) {
    errors_.Report(
        Malformed(error_code::kMissingField, MemberPath(name), "required field is missing"));
    return nullptr;
  }
  return &*it;
}

const json* JsonReader::Optional(std::string_view name) {
  if (!object_ || failed()) return nullptr;
  auto it = object_->find(name);
  if (it == object_->end() || it->is_null()) return nullptr;
  return &*it;
}

std::string JsonReader::String(std::string_view name) {
  const json* v = Required(name);
  return v ? StringValue(*v, MemberPath(name)) : std::string();
}

std::optional<std::string> JsonReader::OptionalString(std::string_view name) {
  const json* v = Optional(name);
  if (!v) return std::nullopt;
  return StringValue(*v, MemberPath(name));
}

double JsonReader::Number(std::string_view name) {
  const json* v = Required(name);
  return v ? NumberValue(*v, MemberPath(name)) : 0.0;
}

bool JsonReader::Boolean(std::string_view name) {
  const json* v = Required(name);
  return v ? BooleanValue(*v, MemberPath(name)) : false;
}

int64_t JsonReader::Time(std::string_view name) {
  const json* v = Required(name);
  return v ? TimeValue(*v, MemberPath(name)) : 0;
}

std::optional<int64_t> JsonReader::OptionalTime(std::string_view name) {
  const json* v = Optional(name);
  if (!v) return std::nullopt;
  return TimeValue(*v, MemberPath(name));
}

std::string JsonReader::StringValue(const json& v, const std::string& path) {
  if (failed()) return {};
  if (!v.is_string()) {
    ReportWrongType(v, path, "a string");
    return {};
  }
  return v.get<std::string>();
}

double JsonReader::NumberValue(const json& v, const std::string& path) {
  if (failed()) return 0.0;
  if (!v.is_number()) {
    ReportWrongType(v, path, "a number");
    return 0.0;
  }
  const double number = v.get<double>();
  // The body parser refuses NaN, Infinity and overflow; a json built in code may still hold them.
  if (!std::isfinite(number)) {
    errors_.Report(Malformed(error_code::kInvalidNumber, path,
                             "must be a finite number (NaN and Infinity are not allowed)"));
    return 0.0;
  }
  return number == 0.0 ? 0.0 : number;  // -0.0 == 0.0: stored as 0.0
}

bool JsonReader::BooleanValue(const json& v, const std::string& path) {
  if (failed()) return false;
  if (!v.is_boolean()) {
    ReportWrongType(v, path, "a boolean");
    return false;
  }
  return v.get<bool>();
}

int64_t JsonReader::TimeValue(const json& v, const std::string& path) {
  if (failed()) return 0;
  // An integer too large for 64 bits (99999999999999999999) reaches us as a double; its problem
  // is the range, not a fraction, so say that.
  if (v.is_number_float()) {
    const double seconds = v.get<double>();
    const bool integral = std::isfinite(seconds) && seconds == std::trunc(seconds);
    if (integral && (seconds < kTimestampMin || seconds > kTimestampMax)) {
      errors_.Report(TimestampOutOfRange(path, NumberForMessage(seconds)));
      return 0;
    }
  }
  if (!v.is_number_integer()) {
    ReportWrongType(v, path, "an integer (unix seconds)");
    return 0;
  }
  if (v.is_number_unsigned()) {
    const uint64_t seconds = v.get<uint64_t>();
    if (seconds > static_cast<uint64_t>(kTimestampMax)) {
      errors_.Report(TimestampOutOfRange(path, std::to_string(seconds)));
      return 0;
    }
    return static_cast<int64_t>(seconds);
  }
  return v.get<int64_t>();  // negative: the range check in validation reports it
}

void JsonReader::ReportWrongType(const json& v, const std::string& path,
                                 std::string_view expected) {
  errors_.Report(
      Malformed(error_code::kWrongType, path,
                "expected " + std::string(expected) + ", got " + std::string(JsonTypeName(v))));
}

void JsonReader::ReportInvalidEnum(const std::string& path, const std::string& text,
                                   const std::string& names) {
  errors_.Report(
      Invalid(error_code::kInvalidEnum, path, QuoteForMessage(text) + " is not one of: " + names));
}

}  // namespace stemedb::core

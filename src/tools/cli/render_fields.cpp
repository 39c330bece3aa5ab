// The shared pieces of the readable output and the generic "name  value" listing.
#include <cmath>
#include <cstdio>

#include "render.h"
#include "text_table.h"

namespace stemedb::cli {
namespace {

using nlohmann::json;

constexpr size_t kFieldCharsMax = 120;

bool IsObjectValue(const json& j) {
  return j.is_object() && j.size() == 2 && j.contains("type") && j.contains("value") && j["type"].is_string();
}

void Flatten(const std::string& name, const json& value, TextTable& table) {
  if (value.is_object() && !IsObjectValue(value) && !value.empty()) {
    for (const auto& [key, member] : value.items()) Flatten(name.empty() ? key : name + "." + key, member, table);
    return;
  }
  if (value.is_array() && !value.empty() && !value[0].is_primitive()) {
    for (size_t i = 0; i < value.size(); ++i) Flatten(name + "[" + std::to_string(i) + "]", value[i], table);
    return;
  }
  table.AddRow({name, Clip(Scalar(value), kFieldCharsMax)});
}

}  // namespace

const json& Member(const json& j, const char* name) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(name);
  return it == j.end() ? kNull : *it;
}

std::string Scalar(const json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value.get<double>());
    return text;
  }
  if (IsObjectValue(value)) return ObjectText(value);
  if (value.is_array()) {
    std::string joined;
    for (const auto& item : value) joined += (joined.empty() ? "" : ", ") + Scalar(item);
    return joined.empty() ? "-" : joined;
  }
  return value.dump();
}

std::string ObjectText(const json& object) {
  const json& value = Member(object, "value");
  if (Member(object, "type") == "reference") return "ref:" + Scalar(value);
  return Scalar(value);
}

void AppendWarnings(std::string& out, const json& answer) {
  for (const auto& warning : Member(answer, "warnings")) {
    out += "warning: " + Scalar(Member(warning, "message")) + "\n";
  }
}

void AppendNextPage(std::string& out, const json& next, const char* flag) {
  if (!next.is_null()) out += std::string("more: ") + flag + " " + Scalar(next) + "\n";
}

std::string RenderFields(const json& answer) {
  TextTable table;
  Flatten("", answer, table);
  return table.Render();
}

}  // namespace stemedb::cli

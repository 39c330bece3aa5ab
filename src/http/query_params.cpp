#include "stemedb/http/query_params.h"

#include <charconv>

namespace stemedb::http {
namespace {

constexpr size_t kParamsMax = 32;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

ApiError BadParam(std::string_view name, std::string message) {
  return {400, "invalid_parameter", std::string(name) + ": " + message, std::string(name)};
}

ApiError BadCursor() { return {400, "invalid_cursor", "cursor: not a cursor this endpoint returned", "cursor"}; }

std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

std::optional<uint64_t> ParseDecimal(std::string_view text) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<QueryParams> QueryParams::Parse(std::string_view query, ApiError* error) {
  QueryParams p;
  size_t start = 0;
  while (start <= query.size() && !query.empty()) {
    size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(start, amp - start);
    start = amp + 1;
    if (pair.empty()) {
      if (amp == query.size()) break;
      continue;
    }
    size_t eq = pair.find('=');
    auto name = PercentDecode(pair.substr(0, eq));
    auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name || !value) {
      *error = {400, "invalid_parameter", "query string has a malformed %-escape in '" + std::string(pair.substr(0, 64)) + "'", ""};
      return std::nullopt;
    }
    if (p.values_.count(*name)) {
      *error = BadParam(*name, "given more than once");
      return std::nullopt;
    }
    if (p.values_.size() >= kParamsMax) {
      *error = {400, "invalid_parameter", "more than " + std::to_string(kParamsMax) + " query parameters", ""};
      return std::nullopt;
    }
    p.values_.emplace(std::move(*name), std::move(*value));
    if (amp == query.size()) break;
  }
  return p;
}

std::optional<ApiError> QueryParams::RejectUnknown(const std::vector<std::string_view>& allowed) const {
  std::string unknown;
  for (const auto& [name, value] : values_) {
    bool ok = name == kMinPositionParam;
    for (auto a : allowed) ok = ok || a == name;
    if (!ok) unknown += (unknown.empty() ? "" : ", ") + name.substr(0, 64);
  }
  if (unknown.empty()) return std::nullopt;
  std::string accepted;
  for (auto a : allowed) accepted += (accepted.empty() ? "" : ", ") + std::string(a);
  return ApiError{400, "unknown_parameter", "unknown query parameter(s): " + unknown + "; accepted: " + accepted,
                  unknown.substr(0, unknown.find(','))};
}

std::optional<std::string> QueryParams::Get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> QueryParams::Required(std::string_view name, ApiError* error) const {
  auto v = Get(name);
  if (!v || v->empty()) {
    *error = {400, "missing_parameter", std::string(name) + ": required", std::string(name)};
    return std::nullopt;
  }
  return v;
}

std::optional<uint64_t> QueryParams::Uint(std::string_view name, uint64_t default_value, uint64_t min, uint64_t max,
                                          ApiError* error) const {
  auto v = Get(name);
  if (!v) return default_value;
  auto out = ParseDecimal(*v);
  if (!out || *out < min || *out > max) {
    *error = BadParam(name, "'" + v->substr(0, 32) + "' is not an integer in " + std::to_string(min) + ".." +
                                std::to_string(max));
    return std::nullopt;
  }
  return *out;
}

std::optional<int64_t> QueryParams::Int(std::string_view name, int64_t default_value, int64_t min, int64_t max,
                                        ApiError* error) const {
  auto v = Get(name);
  if (!v) return default_value;
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (v->empty() || ec != std::errc() || ptr != v->data() + v->size() || out < min || out > max) {
    *error = BadParam(name, "'" + v->substr(0, 32) + "' is not an integer in " + std::to_string(min) + ".." +
                                std::to_string(max));
    return std::nullopt;
  }
  return out;
}

std::optional<bool> QueryParams::Bool(std::string_view name, bool default_value, ApiError* error) const {
  auto v = Get(name);
  if (!v) return default_value;
  if (*v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  *error = BadParam(name, "'" + v->substr(0, 32) + "' is not true or false");
  return std::nullopt;
}

std::optional<std::string> QueryParams::OneOf(std::string_view name, std::string_view default_value,
                                              const std::vector<std::string_view>& allowed, ApiError* error) const {
  auto v = Get(name);
  if (!v) return std::string(default_value);
  for (auto a : allowed) {
    if (a == *v) return v;
  }
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  *error = BadParam(name, "'" + v->substr(0, 32) + "' is not one of: " + list);
  return std::nullopt;
}

}  // namespace stemedb::http

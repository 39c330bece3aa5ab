#pragma once
// The parameters query, skeptic and layered share (http-api.md, Reads): subject, predicate and
// the filters. Values are passed through as given: the server checks them and its 400 names the
// parameter.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "stemedb/client/request_target.h"

namespace stemedb::cli {

struct ViewFlags {
  std::string subject;
  std::optional<std::string> predicate;
  std::optional<std::string> lifecycle;
  std::optional<std::string> epoch;
  std::optional<std::string> source_class;
  std::optional<uint64_t> as_of_ms;
  std::optional<int64_t> valid_at_s;
  bool no_decay = false;
  bool include_retracted = false;
};

void AddViewFlags(CLI::App* cmd, ViewFlags& flags, bool predicate_required);

// path?subject=...&predicate=...&<the filters given>.
client::RequestTarget ViewTarget(const std::string& path, const ViewFlags& flags);

// Adds name=value when the value is given.
void AddParam(client::RequestTarget& target, const char* name, const std::optional<std::string>& value);
template <typename Int>
void AddParam(client::RequestTarget& target, const char* name, const std::optional<Int>& value) {
  if (value) target.Add(name, std::to_string(*value));
}

}  // namespace stemedb::cli

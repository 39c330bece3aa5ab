#pragma once
// Warnings a resolution reports next to its answer: candidates it left out (or kept) for a
// reason the reader should know about. Plain data; the text is written by result_json.h.

#include <cstdint>
#include <optional>
#include <vector>

#include "stemedb/query/types.h"

namespace stemedb::query {

enum class WarningCode : uint8_t {
  kSourceRetracted,          // `id` (an assertion) was left out: its source is retracted
  kRetractedSourceIncluded,  // `id` cites a retracted source and counted (include_retracted)
  kUnknownEpoch,             // epoch `id` has no record; its candidates stayed in (fail-open)
};

struct Warning {
  WarningCode code = WarningCode::kSourceRetracted;
  Id32 id{};                          // the assertion, or the epoch for kUnknownEpoch
  std::optional<Id32> source_hash{};  // retraction warnings
  uint32_t candidates_count = 0;      // kUnknownEpoch: how many candidates it kept
};

// A bounded list: a subject with thousands of retracted claims must not produce a response of
// thousands of warnings. Past the cap only the count of omitted warnings grows.
inline constexpr size_t kWarningsMax = 32;

struct Warnings {
  std::vector<Warning> items{};
  uint32_t omitted = 0;

  void Add(const Warning& warning) {
    if (items.size() < kWarningsMax) {
      items.push_back(warning);
    } else {
      ++omitted;
    }
  }
};

}  // namespace stemedb::query

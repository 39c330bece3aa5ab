#include "stemedb/query/filter.h"

#include "lineage.h"

namespace stemedb::query {
namespace {

constexpr uint64_t kMillisPerSecond = 1000;

bool ValidAt(const Candidate& c, int64_t at_s) {
  if (c.valid_from_s && at_s < *c.valid_from_s) return false;
  if (c.valid_until_s && at_s > *c.valid_until_s) return false;
  return true;
}

// Step 3 of filter.h: the predicates that look at one candidate alone.
bool PassesClaimFilters(const Candidate& c, const Filter& filter) {
  if (!filter.lifecycles.Contains(c.lifecycle)) return false;
  if (filter.epoch && c.epoch != filter.epoch) return false;
  if (filter.source_class && c.tier != *filter.source_class) return false;
  if (filter.valid_at_s && !ValidAt(c, *filter.valid_at_s)) return false;
  return true;
}

Warning RetractionWarning(const Candidate& c, WarningCode code) {
  return Warning{.code = code, .id = c.id, .source_hash = c.source_hash};
}

}  // namespace

Result<FilteredCandidates> ApplyFilter(std::span<const Candidate> candidates, const Filter& filter,
                                       int64_t request_now_s) {
  STEMEDB_RETURN_IF_ERROR(ValidateCandidates(candidates));
  FilteredCandidates out;
  out.now_s =
      filter.as_of_ms ? static_cast<int64_t>(*filter.as_of_ms / kMillisPerSecond) : request_now_s;
  std::vector<uint32_t> known;
  known.reserve(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (filter.as_of_ms && candidates[i].ingested_at_ms > *filter.as_of_ms) continue;
    known.push_back(static_cast<uint32_t>(i));
  }
  auto survivors = KeepNewestDescendants(candidates, known);
  if (!survivors.ok()) return survivors.status();
  out.kept.reserve(survivors->size());
  for (uint32_t index : *survivors) {
    const Candidate& c = candidates[index];
    if (!PassesClaimFilters(c, filter)) continue;
    if (c.source_retracted) {
      if (!filter.include_retracted) {
        out.warnings.Add(RetractionWarning(c, WarningCode::kSourceRetracted));
        continue;
      }
      out.warnings.Add(RetractionWarning(c, WarningCode::kRetractedSourceIncluded));
    }
    out.kept.push_back(index);
  }
  return out;
}

}  // namespace stemedb::query

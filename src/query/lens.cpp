#include "stemedb/query/lens.h"

#include <array>

#include "epoch_lens.h"
#include "ranking_lenses.h"
#include "scored.h"

namespace stemedb::query {
namespace {

constexpr std::array<std::string_view, 6> kLensNames = {"recency", "confidence", "consensus",
                                                        "vote",    "authority",  "epoch"};

}  // namespace

std::string_view LensName(LensKind lens) {
  auto index = static_cast<size_t>(lens);
  return index < kLensNames.size() ? kLensNames[index] : std::string_view("unknown");
}

std::optional<LensKind> LensFromName(std::string_view name) {
  for (size_t i = 0; i < kLensNames.size(); ++i) {
    if (kLensNames[i] == name) return static_cast<LensKind>(i);
  }
  return std::nullopt;
}

bool HasAssertionWeights(LensKind ranking_lens) {
  return ranking_lens == LensKind::kConfidence || ranking_lens == LensKind::kVote ||
         ranking_lens == LensKind::kAuthority;
}

Result<LensResult> Resolve(std::span<const Candidate> candidates, const LensRequest& request,
                           const Context& context) {
  if (request.lens == LensKind::kEpoch && request.inner == LensKind::kEpoch) {
    return Status::InvalidArgument("inner: the epoch lens needs another lens inside it");
  }
  auto filtered = ApplyFilter(candidates, request.filter, context.now_s);
  if (!filtered.ok()) return filtered.status();
  LensResult out;
  out.lens = request.lens;
  out.inner = request.lens == LensKind::kEpoch ? request.inner : request.lens;
  out.warnings = std::move(filtered->warnings);
  std::vector<uint32_t> kept = std::move(filtered->kept);
  if (request.lens == LensKind::kEpoch) {
    kept = DropSupersededEpochs(candidates, kept, context, out.warnings);
  }
  std::vector<Scored> rows = ScoreCandidates(candidates, kept, filtered->now_s, context.decay);
  STEMEDB_RETURN_IF_ERROR(RankBy(out.inner, candidates, rows, context, out));
  out.candidates_count = out.ranked.size();
  return out;
}

}  // namespace stemedb::query

#include "stemedb/query/result_json.h"

#include <string>

#include "id_hex.h"

namespace stemedb::query {
namespace {

using nlohmann::json;

json ObjectValue(const ObjectKey& object) {
  switch (object.type) {
    case ObjectType::kNumber:
      return object.AsNumber();
    case ObjectType::kBoolean:
      return object.AsBoolean();
    case ObjectType::kText:
    case ObjectType::kReference:
      break;
  }
  return object.value;
}

json RetractionWarning(const Warning& w, bool counted) {
  std::string assertion = IdHex(w.id);
  std::string source = w.source_hash ? IdHex(*w.source_hash) : std::string("(unnamed)");
  json out = {{"code", counted ? "retracted_source_included" : "source_retracted"},
              {"assertion", assertion}};
  if (w.source_hash) out["source_hash"] = source;
  out["message"] = counted ? "assertion " + assertion + " cites retracted source " + source +
                                 " and was counted (include_retracted=true)"
                           : "assertion " + assertion + " was left out: its source " + source +
                                 " is retracted (include_retracted=true counts it)";
  return out;
}

json UnknownEpochWarning(const Warning& w) {
  std::string epoch = IdHex(w.id);
  return {
      {"code", "unknown_epoch"},
      {"epoch", epoch},
      {"candidates_count", w.candidates_count},
      {"message", "epoch " + epoch + " has no record; its " + std::to_string(w.candidates_count) +
                      " candidates were kept (fail-open)"}};
}

json WarningToJson(const Warning& w) {
  switch (w.code) {
    case WarningCode::kSourceRetracted:
      return RetractionWarning(w, false);
    case WarningCode::kRetractedSourceIncluded:
      return RetractionWarning(w, true);
    case WarningCode::kUnknownEpoch:
      break;
  }
  return UnknownEpochWarning(w);
}

json OptionalCandidate(const std::optional<RankedCandidate>& ranked,
                       std::span<const Candidate> candidates, LensKind ranking_lens) {
  return ranked ? ToJson(*ranked, candidates, ranking_lens) : json(nullptr);
}

json TierNames(std::span<const Tier> tiers) {
  json names = json::array();
  for (Tier tier : tiers) names.push_back(TierName(tier));
  return names;
}

}  // namespace

json ToJson(const ObjectKey& object) {
  return {{"type", ObjectTypeName(object.type)}, {"value", ObjectValue(object)}};
}

json ToJson(const RankedCandidate& ranked, std::span<const Candidate> candidates,
            LensKind ranking_lens) {
  const Candidate& c = candidates[ranked.index];
  json out = {{"id", IdHex(c.id)},
              {"object", ToJson(c.object)},
              {"source_class", TierName(c.tier)},
              {"lifecycle", LifecycleName(c.lifecycle)},
              {"confidence", c.confidence},
              {"effective_confidence", ranked.effective_confidence},
              {"timestamp", c.timestamp_s},
              {"seq", c.seq},
              {"ingested_at", c.ingested_at_ms},
              {"author", IdHex(c.author())},
              {"signers_count", c.signers.size()},
              {"net_votes", c.net_votes}};
  if (c.epoch) out["epoch"] = IdHex(*c.epoch);
  if (c.source_hash) out["source_hash"] = IdHex(*c.source_hash);
  if (c.source_retracted) out["source_retracted"] = true;
  if (HasAssertionWeights(ranking_lens)) {
    out["weight"] = ranked.weight;
    out["counted"] = ranked.counted;
  }
  return out;
}

json ToJson(const Warnings& warnings) {
  json out = json::array();
  for (const Warning& w : warnings.items) out.push_back(WarningToJson(w));
  if (warnings.omitted > 0) {
    out.push_back({{"code", "warnings_truncated"},
                   {"omitted", warnings.omitted},
                   {"message", std::to_string(warnings.omitted) + " more warnings not shown"}});
  }
  return out;
}

json ToJson(const LensResult& result, std::span<const Candidate> candidates) {
  json ranked = json::array();
  for (const RankedCandidate& r : result.ranked) {
    ranked.push_back(ToJson(r, candidates, result.inner));
  }
  json out = {{"lens", LensName(result.lens)},
              {"winner", OptionalCandidate(result.winner, candidates, result.inner)},
              {"resolution_confidence", result.resolution_confidence},
              {"conflict_score", result.conflict_score},
              {"candidates_count", result.candidates_count},
              {"candidates", std::move(ranked)},
              {"warnings", ToJson(result.warnings)}};
  if (result.lens == LensKind::kEpoch) out["inner"] = LensName(result.inner);
  return out;
}

json ToJson(const SkepticView& view, std::span<const Candidate> candidates) {
  json claims = json::array();
  for (const SkepticClaim& claim : view.claims) {
    json ids = json::array();
    for (uint32_t index : claim.assertions) ids.push_back(IdHex(candidates[index].id));
    claims.push_back({{"object", ToJson(candidates[claim.representative].object)},
                      {"support", claim.support},
                      {"share", claim.share},
                      {"assertions", std::move(ids)},
                      {"tiers", TierNames(claim.tiers)}});
  }
  return {{"status", SkepticStatusName(view.status)},
          {"conflict_score", view.conflict_score},
          {"claims", std::move(claims)},
          {"candidates_count", view.candidates_count},
          {"warnings", ToJson(view.warnings)}};
}

json ToJson(const LayeredView& view, std::span<const Candidate> candidates) {
  json tiers = json::array();
  for (const LayeredTier& tier : view.tiers) {
    tiers.push_back({{"tier", TierName(tier.tier)},
                     {"winner", ToJson(tier.winner, candidates, LensKind::kAuthority)},
                     {"resolution_confidence", tier.resolution_confidence},
                     {"conflict_score", tier.conflict_score},
                     {"candidates_count", tier.candidates_count}});
  }
  return {{"tiers", std::move(tiers)},
          {"cross_tier_conflict", view.cross_tier_conflict},
          {"winner", OptionalCandidate(view.winner, candidates, LensKind::kAuthority)},
          {"candidates_count", view.candidates_count},
          {"warnings", ToJson(view.warnings)}};
}

}  // namespace stemedb::query

#include "stemedb/query/result_json.h"

#include <array>
#include <string>

#include "stemedb/ground/check.h"

namespace stemedb::query {
namespace {

using ops::JsonWriter;

constexpr size_t kIdHexChars = 2 * kId32Bytes;

// An id as 64 lowercase hex characters, without a heap allocation.
std::array<char, kIdHexChars> HexOf(const Id32& id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::array<char, kIdHexChars> hex;
  for (size_t i = 0; i < id.size(); ++i) {
    hex[2 * i] = kDigits[id[i] >> 4];
    hex[2 * i + 1] = kDigits[id[i] & 0x0f];
  }
  return hex;
}

void WriteId(JsonWriter& w, const Id32& id) { w.HexString(id.data(), id.size()); }

std::string IdHex(const Id32& id) {
  auto hex = HexOf(id);
  return std::string(hex.data(), hex.size());
}

void WriteObjectValue(JsonWriter& w, const ObjectKey& object) {
  switch (object.type) {
    case ObjectType::kNumber:
      w.Double(object.AsNumber());
      return;
    case ObjectType::kBoolean:
      w.Bool(object.AsBoolean());
      return;
    case ObjectType::kText:
    case ObjectType::kReference:
      w.String(object.value);
      return;
  }
  STEMEDB_CHECK(false && "object type out of range");
}

void WriteRetractionWarning(JsonWriter& w, const Warning& warning, bool counted) {
  std::string assertion = IdHex(warning.id);
  std::string source = warning.source_hash ? IdHex(*warning.source_hash) : "(unnamed)";
  w.Key("code").String(counted ? "retracted_source_included" : "source_retracted");
  w.Key("assertion").String(assertion);
  if (warning.source_hash) w.Key("source_hash").String(source);
  w.Key("message").String(counted
                              ? "assertion " + assertion + " cites retracted source " + source +
                                    " and was counted (include_retracted=true)"
                              : "assertion " + assertion + " was left out: its source " + source +
                                    " is retracted (include_retracted=true counts it)");
}

void WriteUnknownEpochWarning(JsonWriter& w, const Warning& warning) {
  std::string epoch = IdHex(warning.id);
  w.Key("code").String("unknown_epoch");
  w.Key("epoch").String(epoch);
  w.Key("candidates_count").UInt(warning.candidates_count);
  w.Key("message").String("epoch " + epoch + " has no record; its " +
                          std::to_string(warning.candidates_count) +
                          " candidates were kept (fail-open)");
}

void WriteWarning(JsonWriter& w, const Warning& warning) {
  w.BeginObject();
  switch (warning.code) {
    case WarningCode::kSourceRetracted:
      WriteRetractionWarning(w, warning, false);
      break;
    case WarningCode::kRetractedSourceIncluded:
      WriteRetractionWarning(w, warning, true);
      break;
    case WarningCode::kUnknownEpoch:
      WriteUnknownEpochWarning(w, warning);
      break;
  }
  w.EndObject();
}

void WriteCandidate(JsonWriter& w, const RankedCandidate& ranked,
                    std::span<const Candidate> candidates, LensKind ranking_lens) {
  const Candidate& c = candidates[ranked.index];
  w.BeginObject();
  w.Key("id");
  WriteId(w, c.id);
  w.Key("object");
  WriteJson(w, c.object);
  w.Key("source_class").String(TierName(c.tier));
  w.Key("lifecycle").String(LifecycleName(c.lifecycle));
  w.Key("confidence").Double(c.confidence);
  w.Key("effective_confidence").Double(ranked.effective_confidence);
  w.Key("timestamp").Int(c.timestamp_s);
  w.Key("seq").UInt(c.seq);
  w.Key("ingested_at").UInt(c.ingested_at_ms);
  w.Key("author");
  WriteId(w, c.author());
  w.Key("signers_count").UInt(c.signers.size());
  w.Key("net_votes").Double(c.net_votes);
  if (c.epoch) WriteId(w.Key("epoch"), *c.epoch);
  if (c.source_hash) WriteId(w.Key("source_hash"), *c.source_hash);
  if (c.source_retracted) w.Key("source_retracted").Bool(true);
  if (HasAssertionWeights(ranking_lens)) {
    w.Key("weight").Double(ranked.weight);
    w.Key("counted").Bool(ranked.counted);
  }
  w.EndObject();
}

void WriteOptionalCandidate(JsonWriter& w, const std::optional<RankedCandidate>& ranked,
                            std::span<const Candidate> candidates, LensKind ranking_lens) {
  if (ranked) {
    WriteCandidate(w, *ranked, candidates, ranking_lens);
  } else {
    w.Null();
  }
}

void WriteClaim(JsonWriter& w, const SkepticClaim& claim, std::span<const Candidate> candidates) {
  w.BeginObject();
  w.Key("object");
  WriteJson(w, candidates[claim.representative].object);
  w.Key("support").Double(claim.support);
  w.Key("share").Double(claim.share);
  w.Key("assertions").BeginArray();
  for (uint32_t index : claim.assertions) WriteId(w, candidates[index].id);
  w.EndArray();
  w.Key("assertions_count").UInt(claim.assertions_count);
  w.Key("tiers").BeginArray();
  for (Tier tier : claim.tiers) w.String(TierName(tier));
  w.EndArray();
  w.EndObject();
}

void WriteTier(JsonWriter& w, const LayeredTier& tier, std::span<const Candidate> candidates) {
  w.BeginObject();
  w.Key("tier").String(TierName(tier.tier));
  w.Key("winner");
  WriteCandidate(w, tier.winner, candidates, LensKind::kAuthority);
  w.Key("resolution_confidence").Double(tier.resolution_confidence);
  w.Key("conflict_score").Double(tier.conflict_score);
  w.Key("candidates_count").UInt(tier.candidates_count);
  w.EndObject();
}

template <typename Write>
nlohmann::json ParsedFrom(Write write) {
  std::string out;
  JsonWriter w(out);
  write(w);
  return nlohmann::json::parse(out);
}

}  // namespace

void WriteJson(JsonWriter& w, const ObjectKey& object) {
  w.BeginObject();
  w.Key("type").String(ObjectTypeName(object.type));
  w.Key("value");
  WriteObjectValue(w, object);
  w.EndObject();
}

void WriteJson(JsonWriter& w, const Warnings& warnings) {
  w.BeginArray();
  for (const Warning& warning : warnings.items) WriteWarning(w, warning);
  if (warnings.omitted > 0) {
    w.BeginObject();
    w.Key("code").String("warnings_truncated");
    w.Key("omitted").UInt(warnings.omitted);
    w.Key("message").String(std::to_string(warnings.omitted) + " more warnings not shown");
    w.EndObject();
  }
  w.EndArray();
}

void WriteJsonMembers(JsonWriter& w, const LensResult& result,
                      std::span<const Candidate> candidates) {
  w.Key("lens").String(LensName(result.lens));
  if (result.lens == LensKind::kEpoch) w.Key("inner").String(LensName(result.inner));
  w.Key("winner");
  WriteOptionalCandidate(w, result.winner, candidates, result.inner);
  w.Key("resolution_confidence").Double(result.resolution_confidence);
  w.Key("conflict_score").Double(result.conflict_score);
  w.Key("candidates_count").UInt(result.candidates_count);
  w.Key("candidates").BeginArray();
  for (const RankedCandidate& ranked : result.ranked) {
    WriteCandidate(w, ranked, candidates, result.inner);
  }
  w.EndArray();
  w.Key("warnings");
  WriteJson(w, result.warnings);
}

void WriteJsonMembers(JsonWriter& w, const SkepticView& view,
                      std::span<const Candidate> candidates) {
  w.Key("status").String(SkepticStatusName(view.status));
  w.Key("conflict_score").Double(view.conflict_score);
  w.Key("claims").BeginArray();
  for (const SkepticClaim& claim : view.claims) WriteClaim(w, claim, candidates);
  w.EndArray();
  w.Key("claims_count").UInt(view.claims_count);
  w.Key("candidates_count").UInt(view.candidates_count);
  w.Key("warnings");
  WriteJson(w, view.warnings);
}

void WriteJsonMembers(JsonWriter& w, const LayeredView& view,
                      std::span<const Candidate> candidates) {
  w.Key("tiers").BeginArray();
  for (const LayeredTier& tier : view.tiers) WriteTier(w, tier, candidates);
  w.EndArray();
  w.Key("cross_tier_conflict").Bool(view.cross_tier_conflict);
  w.Key("winner");
  WriteOptionalCandidate(w, view.winner, candidates, LensKind::kAuthority);
  w.Key("candidates_count").UInt(view.candidates_count);
  w.Key("warnings");
  WriteJson(w, view.warnings);
}

nlohmann::json ToJson(const ObjectKey& object) {
  return ParsedFrom([&](JsonWriter& w) { WriteJson(w, object); });
}

nlohmann::json ToJson(const Warnings& warnings) {
  return ParsedFrom([&](JsonWriter& w) { WriteJson(w, warnings); });
}

}  // namespace stemedb::query

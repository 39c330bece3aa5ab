// Readable forms of the resolved views: query (one or every predicate), skeptic, layered.
#include "render.h"
#include "text_table.h"

namespace stemedb::cli {
namespace {

using nlohmann::json;

constexpr size_t kObjectCharsMax = 40;

std::string Winner(const json& winner) {
  if (!winner.is_object()) return "(none)";
  return Clip(ObjectText(Member(winner, "object")), kObjectCharsMax) + "  " + Scalar(Member(winner, "id"));
}

// The lines every view starts with.
std::string Summary(const json& answer, std::initializer_list<const char*> names) {
  json summary = json::object();
  for (const char* name : names) {
    const json& value = Member(answer, name);
    if (std::string_view(name) == "winner") summary[name] = Winner(value);  // "(none)" when null
    else if (!value.is_null()) summary[name] = value;
  }
  return RenderFields(summary);
}

std::string Resolution(const json& r) {
  std::string out = Summary(r, {"subject", "predicate", "lens", "inner", "winner", "resolution_confidence",
                                "conflict_score", "candidates_count"});
  TextTable table({"#", "OBJECT", "CONFIDENCE", "EFFECTIVE", "CLASS", "LIFECYCLE", "VOTES", "ID"});
  size_t rank = 0;
  for (const auto& c : Member(r, "candidates")) {
    table.AddRow({std::to_string(++rank), Clip(ObjectText(Member(c, "object")), kObjectCharsMax),
                  Scalar(Member(c, "confidence")), Scalar(Member(c, "effective_confidence")),
                  Scalar(Member(c, "source_class")), Scalar(Member(c, "lifecycle")), Scalar(Member(c, "net_votes")),
                  Scalar(Member(c, "id"))});
  }
  if (!table.empty()) out += "\n" + table.Render();
  AppendWarnings(out, r);
  return out;
}

}  // namespace

std::string RenderQuery(const json& answer) {
  std::string out;
  if (const json& resolutions = Member(answer, "resolutions"); resolutions.is_array()) {
    for (const auto& r : resolutions) out += (out.empty() ? "" : "\n") + Resolution(r);
    if (resolutions.empty()) out = "no claims about " + Scalar(Member(answer, "subject")) + "\n";
  } else {
    out = Resolution(answer);
  }
  AppendNextPage(out, Member(answer, "next_cursor"), "--cursor");
  return out;
}

std::string RenderSkeptic(const json& answer) {
  std::string out = Summary(answer, {"subject", "predicate", "status", "conflict_score", "candidates_count"});
  TextTable table({"OBJECT", "SUPPORT", "SHARE", "ASSERTIONS", "TIERS"});
  for (const auto& claim : Member(answer, "claims")) {
    table.AddRow({Clip(ObjectText(Member(claim, "object")), kObjectCharsMax), Scalar(Member(claim, "support")),
                  Scalar(Member(claim, "share")), std::to_string(Member(claim, "assertions").size()),
                  Scalar(Member(claim, "tiers"))});
  }
  if (!table.empty()) out += "\n" + table.Render();
  AppendWarnings(out, answer);
  return out;
}

std::string RenderLayered(const json& answer) {
  std::string out = Summary(answer, {"subject", "predicate", "winner", "cross_tier_conflict", "candidates_count"});
  TextTable table({"TIER", "WINNER", "CONFLICT", "CANDIDATES"});
  for (const auto& tier : Member(answer, "tiers")) {
    table.AddRow({Scalar(Member(tier, "tier")), Winner(Member(tier, "winner")), Scalar(Member(tier, "conflict_score")),
                  Scalar(Member(tier, "candidates_count"))});
  }
  if (!table.empty()) out += "\n" + table.Render();
  AppendWarnings(out, answer);
  return out;
}

}  // namespace stemedb::cli

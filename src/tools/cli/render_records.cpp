// Readable forms of records and lists of them: trace, feed, API keys.
#include "render.h"
#include "text_table.h"

namespace stemedb::cli {
namespace {

using nlohmann::json;

constexpr size_t kTextCharsMax = 40;

// "<id>  subject  predicate = object  (confidence 0.8, community, proposed)".
std::string ClaimLine(const json& a) {
  return Scalar(Member(a, "id")) + "  " + Clip(Scalar(Member(a, "subject")), kTextCharsMax) + "  " +
         Clip(Scalar(Member(a, "predicate")), kTextCharsMax) + " = " +
         Clip(ObjectText(Member(a, "object")), kTextCharsMax) + "  (confidence " + Scalar(Member(a, "confidence")) +
         ", " + Scalar(Member(a, "source_class")) + ", " + Scalar(Member(a, "lifecycle")) + ")";
}

std::string SourceLine(const json& s) {
  if (!s.is_object()) return "(none)";
  if (Member(s, "registered") == false) return Scalar(Member(s, "id")) + "  (not registered)";
  return Scalar(Member(s, "id")) + "  " + Scalar(Member(s, "uri")) + (Member(s, "retracted") == true ? "  RETRACTED" : "");
}

std::string EpochLine(const json& e) {
  if (!e.is_object()) return "(none)";
  std::string line = Scalar(Member(e, "id")) + "  " + Scalar(Member(e, "name")) + "  (" + Scalar(Member(e, "status")) + ")";
  const json& chain = Member(e, "supersedes_chain");
  if (chain.is_array() && !chain.empty()) line += "  supersedes " + Scalar(chain);
  return line;
}

// The columns of a feed row: seq, id, subject, predicate, object, confidence.
std::vector<std::string> FeedCells(const json& a) {
  return {Scalar(Member(a, "seq")), Scalar(Member(a, "id")), Clip(Scalar(Member(a, "subject")), kTextCharsMax),
          Clip(Scalar(Member(a, "predicate")), kTextCharsMax), Clip(ObjectText(Member(a, "object")), kTextCharsMax),
          Scalar(Member(a, "confidence"))};
}

// A labelled list: the label on the first row only, "(none)" when empty.
template <typename LineFn>
void AddList(TextTable& table, const char* label, const json& items, LineFn line) {
  if (!items.is_array() || items.empty()) return table.AddRow({label, "(none)"});
  bool first = true;
  for (const auto& item : items) {
    table.AddRow({first ? label : "", line(item)});
    first = false;
  }
}

}  // namespace

std::string RenderAssertion(const json& answer) {
  json shown = answer;
  if (shown.is_object() && shown.contains("signers")) shown.erase("signatures");  // signers names the agents
  return RenderFields(shown);
}

std::string RenderTrace(const json& answer) {
  TextTable table;
  table.AddRow({"assertion", ClaimLine(Member(answer, "assertion"))});
  AddList(table, "parents", Member(answer, "parents"), ClaimLine);
  AddList(table, "children", Member(answer, "children"), Scalar);
  table.AddRow({"source", SourceLine(Member(answer, "source"))});
  AddList(table, "signers", Member(answer, "signers"), [](const json& s) {
    return Scalar(Member(s, "agent_id")) + "  trust " + Scalar(Member(s, "trust"));
  });
  AddList(table, "votes", Member(answer, "votes"), [](const json& v) {
    return Scalar(Member(v, "agent_id")) + "  weight " + Scalar(Member(v, "weight"));
  });
  table.AddRow({"epoch", EpochLine(Member(answer, "epoch"))});
  return table.Render();
}

std::string RenderFeedItem(const json& item) {
  std::string line;
  for (const std::string& cell : FeedCells(item)) line += (line.empty() ? "" : "  ") + cell;
  return line;
}

std::string RenderFeed(const json& answer) {
  TextTable table({"SEQ", "ID", "SUBJECT", "PREDICATE", "OBJECT", "CONFIDENCE"});
  for (const auto& a : Member(answer, "assertions")) table.AddRow(FeedCells(a));
  std::string out = table.empty() ? "no assertions\n" : table.Render();
  const json& next = Member(answer, "next_after");
  if (!next.is_null()) out += "next page: --after " + Scalar(next) + "\n";
  return out;
}

std::string RenderKeys(const json& answer) {
  TextTable table({"KEY_ID", "ROLE", "NAME", "CREATED_AT", "REVOKED"});
  for (const auto& k : Member(answer, "keys")) {
    table.AddRow({Scalar(Member(k, "key_id")), Scalar(Member(k, "role")), Clip(Scalar(Member(k, "name")), kTextCharsMax),
                  Scalar(Member(k, "created_at")), Scalar(Member(k, "revoked"))});
  }
  return table.empty() ? "no API keys\n" : table.Render();
}

}  // namespace stemedb::cli

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

// A record of the feed other than an assertion, in a few words after its seq and id.
std::string OtherRecordText(const std::string& kind, const json& r) {
  if (kind == "vote") return "on " + Scalar(Member(r, "assertion_hash")) + "  weight " + Scalar(Member(r, "weight"));
  if (kind == "epoch") return Clip(Scalar(Member(r, "name")), kTextCharsMax) + "  (" + Scalar(Member(r, "status")) + ")";
  return Clip(Scalar(Member(r, "uri")), kTextCharsMax);
}

std::string RenderFeedItem(const std::string& kind, const json& item) {
  if (kind != "assertion") {
    return Scalar(Member(item, "seq")) + "  " + kind + "  " + Scalar(Member(item, "id")) + "  " + OtherRecordText(kind, item);
  }
  std::string line;
  for (const std::string& cell : FeedCells(item)) line += (line.empty() ? "" : "  ") + cell;
  return line;
}

std::string RenderFeed(const json& answer) {
  std::string out;
  if (answer.contains("assertions")) {
    TextTable table({"SEQ", "ID", "SUBJECT", "PREDICATE", "OBJECT", "CONFIDENCE"});
    for (const auto& a : Member(answer, "assertions")) table.AddRow(FeedCells(a));
    out += table.empty() ? "no assertions\n" : table.Render();
  }
  // The other kinds asked for with --kind, each in a table of its own.
  for (const char* kind : {"vote", "epoch", "source"}) {
    const json& items = Member(answer, (std::string(kind) + "s").c_str());
    if (!items.is_array()) continue;
    TextTable table({"SEQ", "ID", "KIND", "WHAT"});
    for (const auto& r : items) table.AddRow({Scalar(Member(r, "seq")), Scalar(Member(r, "id")), kind, OtherRecordText(kind, r)});
    out += table.empty() ? "no " + std::string(kind) + "s\n" : table.Render();
  }
  const json& next = Member(answer, "next_after");
  if (!next.is_null()) out += "next page: --after " + Scalar(next) + "\n";
  return out;
}

std::string RenderSubjects(const json& answer) {
  std::string out;
  for (const auto& s : Member(answer, "subjects")) out += Scalar(s) + "\n";
  if (out.empty()) out = "no subjects\n";
  AppendNextPage(out, Member(answer, "next_cursor"), "--cursor");
  return out;
}

std::string RenderPredicates(const json& answer) {
  TextTable table({"PREDICATE", "CLAIMS"});
  for (const auto& p : Member(answer, "predicates")) {
    table.AddRow({Scalar(Member(p, "predicate")),
                  Scalar(Member(p, "claims")) + (Member(p, "claims_capped") == true ? "+" : "")});
  }
  std::string out = table.empty() ? "no predicates\n" : table.Render();
  AppendNextPage(out, Member(answer, "next_cursor"), "--cursor");
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

#pragma once
// The readable forms of the server's answers (the default output; --json prints the answer
// as is). Each takes the parsed JSON of one endpoint's answer (http-api.md) and tolerates
// members it does not know or that are missing, so a newer server does not break an older CLI.

#include <nlohmann/json.hpp>
#include <string>

namespace stemedb::cli {

// Pieces shared by the renderers.
const nlohmann::json& Member(const nlohmann::json& j, const char* name);  // null when absent
std::string Scalar(const nlohmann::json& value);                          // "-" for null
std::string ObjectText(const nlohmann::json& object);  // an assertion's {"type","value"}
void AppendWarnings(std::string& out, const nlohmann::json& answer);
// "more: --cursor X" when the answer has a next page.
void AppendNextPage(std::string& out, const nlohmann::json& next, const char* flag);

// Any answer as aligned "name  value" lines, nested members as dotted names.
std::string RenderFields(const nlohmann::json& answer);

std::string RenderAssertion(const nlohmann::json& answer);  // GET /v1/assertions/{id}
std::string RenderQuery(const nlohmann::json& answer);    // GET /v1/query
std::string RenderSkeptic(const nlohmann::json& answer);  // GET /v1/skeptic
std::string RenderLayered(const nlohmann::json& answer);  // GET /v1/layered
std::string RenderTrace(const nlohmann::json& answer);    // GET /v1/trace/{id}
std::string RenderFeed(const nlohmann::json& answer);     // GET /v1/feed
// One line of --follow: an event of kind "assertion", "vote", "epoch" or "source".
std::string RenderFeedItem(const std::string& kind, const nlohmann::json& item);
std::string RenderSubjects(const nlohmann::json& answer);    // GET /v1/subjects
std::string RenderPredicates(const nlohmann::json& answer);  // GET /v1/subjects/{subject}/predicates
std::string RenderKeys(const nlohmann::json& answer);     // GET /v1/admin/keys

}  // namespace stemedb::cli

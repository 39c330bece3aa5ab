#include "record_json.h"

#include "stemedb/core/hex.h"
#include "stemedb/core/record_json.h"

namespace stemedb::http {

using nlohmann::json;

Result<json> AssertionJson(storage::Store& store, const storage::StoredAssertion& a) {
  json j = core::ToJson(a.record);
  j["id"] = core::IdHex(a.id);
  j["seq"] = a.meta.seq;
  j["ingested_at"] = a.meta.ingested_at_ms;
  json signers = json::array();
  for (const auto& s : a.record.signatures) signers.push_back(core::IdHex(s.agent_id));
  j["signers"] = std::move(signers);
  auto votes = store.VoteSummary(a.id);
  if (!votes.ok()) return votes.status();
  j["votes"] = {{"count", votes->count}, {"net_weight", votes->net_weight}};
  auto children = store.ChildrenOf(a.id, 1);
  if (!children.ok()) return children.status();
  const bool retracted = a.record.source_hash && store.catalog().IsRetracted(*a.record.source_hash);
  j["flags"] = {{"source_retracted", retracted}, {"has_later_stage", !children->empty()}};
  return j;
}

json EpochJson(const storage::Store& store, const storage::StoredEpoch& e) {
  json j = core::ToJson(e.record);
  j["id"] = core::IdHex(e.id);
  j["seq"] = e.meta.seq;
  j["ingested_at"] = e.meta.ingested_at_ms;
  json by = json::array();
  if (auto node = store.catalog().Epoch(e.id)) {
    for (const auto& id : node->superseded_by) by.push_back(core::IdHex(id));
  }
  j["status"] = by.empty() ? "current" : "superseded";
  j["superseded_by"] = std::move(by);
  return j;
}

json SourceJson(const storage::Store& store, const storage::StoredSource& s, bool with_content) {
  json j = core::ToJson(s.record);
  if (!with_content) j.erase("content");
  j["id"] = core::IdHex(s.id);
  j["seq"] = s.meta.seq;
  j["ingested_at"] = s.meta.ingested_at_ms;
  auto reason = store.catalog().SourceRetraction(s.id);
  j["retracted"] = reason.has_value();
  if (reason) j["retraction_reason"] = *reason;
  return j;
}

}  // namespace stemedb::http

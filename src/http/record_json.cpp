#include "record_json.h"

#include "stemedb/core/hex.h"
#include "stemedb/core/record_json.h"
#include "stemedb/query/types.h"

namespace stemedb::http {

using nlohmann::json;

namespace {

// Children looked at for has_later_stage; an assertion with more revisions than this is a
// pathological lineage, and the flag then speaks for the first ones only.
constexpr size_t kChildrenCheckedMax = 64;

// True when a stored child moves the assertion on to a later lifecycle stage, which replaces it
// in the lenses (lenses.md); a same-stage revision is a competing claim and does not.
Result<bool> HasLaterStage(storage::Store& store, const storage::StoredAssertion& a) {
  auto children = store.ChildrenOf(a.id, kChildrenCheckedMax);
  if (!children.ok()) return children.status();
  for (const auto& id : *children) {
    auto child = store.GetAssertion(id);
    if (!child.ok()) return child.status();
    if (child->has_value() && query::IsLaterLifecycleStage(static_cast<query::Lifecycle>(a.record.lifecycle),
                                                           static_cast<query::Lifecycle>((*child)->record.lifecycle))) {
      return true;
    }
  }
  return false;
}

}  // namespace

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
  auto later = HasLaterStage(store, a);
  if (!later.ok()) return later.status();
  const bool retracted = a.record.source_hash && store.catalog().IsRetracted(*a.record.source_hash);
  j["flags"] = {{"source_retracted", retracted}, {"has_later_stage", *later}};
  return j;
}

Result<json> EpochJson(storage::Store& store, const storage::StoredEpoch& e, const SupersededByPage& page) {
  json j = core::ToJson(e.record);
  j["id"] = core::IdHex(e.id);
  j["seq"] = e.meta.seq;
  j["ingested_at"] = e.meta.ingested_at_ms;
  const std::optional<storage::EpochNode> node = store.catalog().Epoch(e.id);
  const uint64_t count = node ? node->superseded_by_count : 0;
  auto ids = store.SupersededBy(e.id, page.limit + 1, page.after);
  if (!ids.ok()) return ids.status();
  const bool more = ids->size() > page.limit;
  if (more) ids->resize(page.limit);
  json by = json::array();
  for (const auto& id : *ids) by.push_back(core::IdHex(id));
  j["status"] = count == 0 ? "current" : "superseded";
  j["superseded_by_count"] = count;
  j["superseded_by"] = std::move(by);
  j["superseded_by_next_cursor"] = more ? json(core::IdHex(ids->back())) : json(nullptr);
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

json VoteJson(const storage::StoredVote& v, const core::Hash32& id) {
  json j = core::ToJson(v.record);
  j["id"] = core::IdHex(id);
  j["seq"] = v.meta.seq;
  return j;
}

}  // namespace stemedb::http

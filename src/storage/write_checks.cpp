#include "stemedb/storage/write_checks.h"

#include "stemedb/core/hex.h"
#include "stemedb/core/lifecycle.h"

namespace stemedb::storage {
namespace {

using core::FieldError;

FieldError Error(FieldError::Kind kind, std::string_view code, std::string field, std::string_view problem) {
  return core::MakeFieldError(kind, code, std::move(field), problem);
}

std::string ShortId(const core::Hash32& id) { return core::IdHex(id).substr(0, 16) + "..."; }

size_t SignersAfterMerge(const core::Assertion& stored, const core::Assertion& incoming) {
  size_t n = stored.signatures.size();
  for (const auto& s : incoming.signatures) n += HasSigner(stored.signatures, s.agent_id) ? 0 : 1;
  return n;
}

}  // namespace

CheckResult CheckAssertion(Store& store, const core::Assertion& a, const core::Hash32& id, const BatchOverlay* overlay,
                           const std::string& prefix, bool* absent) {
  std::optional<StoredAssertion> existing;
  if (store.MayHoldAssertion(id)) {
    auto stored = store.GetAssertion(id);
    if (!stored.ok()) return stored.status();
    existing = std::move(*stored);
  }
  if (absent) *absent = !existing.has_value();
  if (existing && SignersAfterMerge(existing->record, a) > kStoredSignersMax) {
    return std::optional(Error(FieldError::Kind::kInvalid, core::error_code::kTooManySigners, prefix + "signatures",
                               "co-signing would give the assertion more than " + std::to_string(kStoredSignersMax) +
                                   " signers"));
  }
  if (!a.parent_hash) return std::optional<FieldError>();

  const core::Assertion* parent = nullptr;
  std::optional<StoredAssertion> stored_parent;
  if (overlay) {
    if (auto it = overlay->find(*a.parent_hash); it != overlay->end()) parent = it->second;
  }
  if (!parent && store.MayHoldAssertion(*a.parent_hash)) {
    auto p = store.GetAssertion(*a.parent_hash);
    if (!p.ok()) return p.status();
    stored_parent = std::move(*p);
    if (stored_parent) parent = &stored_parent->record;
  }
  const std::string field = prefix + "parent_hash";
  if (!parent) {
    return std::optional(Error(FieldError::Kind::kInvalid, core::error_code::kUnknownParent, field,
                               "no stored assertion has id " + core::IdHex(*a.parent_hash)));
  }
  if (parent->subject != a.subject || parent->predicate != a.predicate) {
    return std::optional(Error(FieldError::Kind::kInvalid, core::error_code::kParentMismatch, field,
                               "parent " + ShortId(*a.parent_hash) +
                                   " is about another subject or predicate; a revision or lifecycle stage keeps both"));
  }
  if (!core::LifecycleTransitionAllowed(parent->lifecycle, a.lifecycle)) {
    return std::optional(Error(FieldError::Kind::kInvalid, core::error_code::kInvalidLifecycleTransition,
                               prefix + "lifecycle",
                               "cannot follow a " + std::string(core::LifecycleName(parent->lifecycle)) +
                                   " parent with " + std::string(core::LifecycleName(a.lifecycle)) +
                                   " (allowed: proposed -> under_review -> approved -> deprecated, under_review -> "
                                   "rejected, or a revision in the same stage)"));
  }
  return std::optional<FieldError>();
}

CheckResult CheckVote(Store& store, const core::Vote& v) {
  Result<std::optional<StoredAssertion>> target = std::optional<StoredAssertion>();
  if (store.MayHoldAssertion(v.assertion_hash)) target = store.GetAssertion(v.assertion_hash);
  if (!target.ok()) return target.status();
  if (!target->has_value()) {
    return std::optional(Error(FieldError::Kind::kNotFound, core::error_code::kAssertionNotFound, "assertion_hash",
                               "no stored assertion has id " + core::IdHex(v.assertion_hash)));
  }
  return std::optional<FieldError>();
}

CheckResult CheckEpoch(const Catalog& catalog, const core::Epoch& e, const core::Hash32& id) {
  if (!e.supersedes) return std::optional<FieldError>();
  if (!catalog.EpochKnown(*e.supersedes)) {
    return std::optional(Error(FieldError::Kind::kInvalid, core::error_code::kUnknownEpoch, "supersedes",
                               "no stored epoch has id " + core::IdHex(*e.supersedes)));
  }
  // Ids are content hashes, so an epoch cannot name a later one; the check still runs, because
  // the graph's acyclicity is an invariant every epoch lens relies on.
  if (*e.supersedes == id || catalog.EpochReaches(*e.supersedes, id)) {
    return std::optional(Error(FieldError::Kind::kConflict, core::error_code::kSupersessionCycle, "supersedes",
                               "superseding " + ShortId(*e.supersedes) + " would close a cycle of supersessions"));
  }
  return std::optional<FieldError>();
}

CheckResult CheckRetraction(Store& store, const core::SourceRetraction& r) {
  auto source = store.GetSource(r.source_hash);
  if (!source.ok()) return source.status();
  if (!source->has_value()) {
    return std::optional(Error(FieldError::Kind::kNotFound, core::error_code::kSourceNotFound, "hash",
                               "no registered source has id " + core::IdHex(r.source_hash)));
  }
  return std::optional<FieldError>();
}

}  // namespace stemedb::storage

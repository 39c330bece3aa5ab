#pragma once
// The rules of a write that need stored records, checked before the append (storage.md: the
// write path validates against storage, the apply step re-checks what can change meanwhile,
// which is only duplicates). The answer is a FieldError for the client, or a storage failure.

#include <optional>
#include <string>
#include <unordered_map>

#include "stemedb/core/field_error.h"
#include "stemedb/core/records.h"
#include "stemedb/storage/catalog.h"
#include "stemedb/storage/store.h"

namespace stemedb::storage {

// Assertions earlier in the same batch, which later items may name as their parent.
using BatchOverlay = std::unordered_map<core::Hash32, const core::Assertion*, IdHasher>;

using CheckResult = Result<std::optional<core::FieldError>>;

// `field_prefix` is prepended to error paths ("assertions[3]." inside a batch). `absent`, when
// given, is set to whether no record with the id was stored: the one look-up of it on the
// write path before the append (PendingWrite::checked_absent).
CheckResult CheckAssertion(Store& store, const core::Assertion& a, const core::Hash32& id,
                           const BatchOverlay* overlay = nullptr, const std::string& field_prefix = "",
                           bool* absent = nullptr);
CheckResult CheckVote(Store& store, const core::Vote& v);
// Against the supersession graph only (the catalog holds every epoch).
CheckResult CheckEpoch(const Catalog& catalog, const core::Epoch& e, const core::Hash32& id);
CheckResult CheckRetraction(Store& store, const core::SourceRetraction& r);

}  // namespace stemedb::storage

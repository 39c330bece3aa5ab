#pragma once
// Signed records for tests: deterministic agents (seed = n) and builders that sign what they
// build. The JSON of a record for HTTP tests is core::ToJson(record).

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "stemedb/core/ed25519.h"
#include "stemedb/core/records.h"

namespace stemedb::testing {

// The agent with seed bytes all equal to n (n = 1..255): stable across runs. Derived once per
// process, so tests that sign many records pay only for the signatures.
const core::Ed25519KeyPair& Agent(int n);
// 32 bytes all equal to `b`: an id or a key that needs no record behind it.
core::Hash32 FilledId(uint8_t b);
// 32 bytes drawn from `rng`: ids for tests of structures keyed by id (filters, catalogs).
core::Hash32 RandomId(std::mt19937_64& rng);

struct AssertionSpec {
  std::string subject = "drugs/semaglutide";
  std::string predicate = "gastroparesis_risk";
  std::string text = "rare";
  double confidence = 0.8;
  int64_t timestamp = 1700000000;
  core::SourceClass source_class = core::SourceClass::kCommunity;
  core::Lifecycle lifecycle = core::Lifecycle::kProposed;
  std::optional<core::Hash32> parent_hash;  // the previous stage or the revised claim
  std::optional<core::Hash32> source_hash;
  std::optional<core::Hash32> epoch;
  std::optional<int64_t> valid_from;
  std::optional<int64_t> valid_until;
};

// An assertion signed by each agent in `signers` (the first is the author).
core::Assertion SignedAssertion(const AssertionSpec& spec, const std::vector<int>& signers = {1});
// Re-signs `a` (content unchanged) by `signers`, replacing its signatures.
core::Assertion Resigned(core::Assertion a, const std::vector<int>& signers);
// The same for an epoch.
core::Epoch Resigned(core::Epoch e, const std::vector<int>& signers);
core::Vote SignedVote(const core::Hash32& assertion, int agent, double weight, int64_t timestamp = 1700000100);
core::Epoch SignedEpoch(const std::string& name, const std::optional<core::Hash32>& supersedes = std::nullopt,
                        int signer = 1, int64_t started_at = 1700000000);

}  // namespace stemedb::testing

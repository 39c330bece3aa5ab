#include "support/records.h"

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/signature_check.h"

namespace stemedb::testing {

const core::Ed25519KeyPair& Agent(int n) {
  static const std::vector<core::Ed25519KeyPair> agents = [] {
    std::vector<core::Ed25519KeyPair> all;
    for (int i = 0; i < 256; ++i) {
      core::Seed seed;
      seed.fill(static_cast<uint8_t>(i));
      all.emplace_back(seed);
    }
    return all;
  }();
  return agents[static_cast<uint8_t>(n)];
}

namespace {

// Replaces the signatures of an assertion or epoch by those of `signers` over its content id.
template <typename R>
R SignedBy(R record, const std::vector<int>& signers) {
  record.signatures.clear();
  const core::Hash32 id = core::ContentId(record);
  for (int s : signers) record.signatures.push_back(core::SignId(Agent(s), id));
  return record;
}

}  // namespace

core::Assertion Resigned(core::Assertion a, const std::vector<int>& signers) { return SignedBy(std::move(a), signers); }

core::Epoch Resigned(core::Epoch e, const std::vector<int>& signers) { return SignedBy(std::move(e), signers); }

core::Assertion SignedAssertion(const AssertionSpec& spec, const std::vector<int>& signers) {
  core::Assertion a;
  a.subject = spec.subject;
  a.predicate = spec.predicate;
  a.object = core::TextObject{spec.text};
  a.confidence = spec.confidence;
  a.timestamp = spec.timestamp;
  a.source_class = spec.source_class;
  a.lifecycle = spec.lifecycle;
  a.parent_hash = spec.parent_hash;
  a.source_hash = spec.source_hash;
  a.epoch = spec.epoch;
  a.valid_from = spec.valid_from;
  a.valid_until = spec.valid_until;
  return Resigned(std::move(a), signers);
}

core::Vote SignedVote(const core::Hash32& assertion, int agent, double weight, int64_t timestamp) {
  core::Vote v;
  v.assertion_hash = assertion;
  v.agent_id = Agent(agent).public_key();
  v.weight = weight;
  v.timestamp = timestamp;
  v.signature = core::SignId(Agent(agent), core::ContentId(v)).signature;
  return v;
}

core::Epoch SignedEpoch(const std::string& name, const std::optional<core::Hash32>& supersedes, int signer,
                        int64_t started_at) {
  core::Epoch e;
  e.name = name;
  e.started_at = started_at;
  e.supersedes = supersedes;
  if (supersedes) e.supersession_type = core::SupersessionType::kReplaces;
  return Resigned(std::move(e), {signer});
}

core::Hash32 FilledId(uint8_t b) {
  core::Hash32 id{};
  id.fill(b);
  return id;
}

core::Hash32 RandomId(std::mt19937_64& rng) {
  core::Hash32 id;
  for (auto& b : id) b = static_cast<uint8_t>(rng());
  return id;
}

}  // namespace stemedb::testing

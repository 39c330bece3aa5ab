#pragma once
// Records for the core tests: signed, valid, and covering every field between them.

#include <nlohmann/json.hpp>
#include <vector>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/core/ed25519.h"
#include "stemedb/core/records.h"
#include "stemedb/core/signature_check.h"

namespace stemedb::core::testing {

inline Seed SeedOf(uint8_t fill) {
  Seed seed{};
  seed.fill(fill);
  seed[0] = 0x5e;  // not a constant array, so byte-order slips show
  return seed;
}

inline Ed25519KeyPair KeyOf(uint8_t fill) { return Ed25519KeyPair(SeedOf(fill)); }

inline Hash32 HashOf(uint8_t fill) {
  Hash32 hash{};
  hash.fill(fill);
  return hash;
}

// Replaces the record's signatures by valid ones from `keys`.
template <typename R>
R SignedBy(R record, const std::vector<Ed25519KeyPair>& keys) {
  const Hash32 id = ContentId(record);
  record.signatures.clear();
  for (const auto& key : keys) record.signatures.push_back(SignId(key, id));
  return record;
}

inline Vote SignedVote(Vote vote, const Ed25519KeyPair& key) {
  vote.agent_id = key.public_key();
  vote.signature = key.Sign(SigningMessage(ContentId(vote)));
  return vote;
}

inline Assertion MinimalAssertion() {
  Assertion a;
  a.subject = "drugs/semaglutide";
  a.predicate = "gastroparesis_risk";
  a.object = TextObject{"rare"};
  a.confidence = 0.9;
  a.timestamp = 1700000000;
  return SignedBy(a, {KeyOf(1)});
}

inline Assertion FullAssertion() {
  Assertion a = MinimalAssertion();
  a.object = NumberObject{96.7};
  a.source_hash = HashOf(0xa1);
  a.source_class = SourceClass::kClinical;
  a.lifecycle = Lifecycle::kApproved;
  a.epoch = HashOf(0xe0);
  a.parent_hash = HashOf(0xb2);
  a.narrative = "Révision:\n3 cas sur 1000.";
  a.valid_from = 1672531200;
  a.valid_until = 1704067199;
  return SignedBy(a, {KeyOf(1), KeyOf(2), KeyOf(3)});
}

inline Vote SampleVote() {
  Vote v;
  v.assertion_hash = ContentId(MinimalAssertion());
  v.weight = -0.5;
  v.timestamp = 1700007200;
  return SignedVote(v, KeyOf(2));
}

inline Epoch MinimalEpoch() {
  Epoch e;
  e.name = "covid-guidelines-2020";
  e.started_at = 1577836800;
  return SignedBy(e, {KeyOf(1)});
}

inline Epoch SupersedingEpoch() {
  Epoch e;
  e.name = "covid-guidelines-2021";
  e.description = "After the vaccine trials.";
  e.started_at = 1609459200;
  e.supersedes = ContentId(MinimalEpoch());
  e.supersession_type = SupersessionType::kRefines;
  return SignedBy(e, {KeyOf(1), KeyOf(2)});
}

inline Source SourceWithoutContent() {
  Source s;
  s.uri = "https://www.ema.europa.eu/en/medicines/ozempic";
  s.title = "Ozempic EPAR";
  s.source_class = SourceClass::kRegulatory;
  return s;
}

inline Source SourceWithContent() {
  Source s;
  s.uri = "https://example.org/report.txt";
  s.content = "Trial report.\fPage 2\n";
  return s;
}

inline SourceRetraction SampleRetraction() {
  return SourceRetraction{ContentId(SourceWithContent()), "The trial was withdrawn."};
}

inline std::vector<Record> AllSampleRecords() {
  Assertion boolean = MinimalAssertion();
  boolean.object = BooleanObject{true};
  Assertion reference = MinimalAssertion();
  reference.object = ReferenceObject{"drugs/tirzepatide"};
  return {MinimalAssertion(),
          FullAssertion(),
          SignedBy(boolean, {KeyOf(4)}),
          SignedBy(reference, {KeyOf(5)}),
          SampleVote(),
          MinimalEpoch(),
          SupersedingEpoch(),
          SourceWithoutContent(),
          SourceWithContent(),
          SampleRetraction()};
}

}  // namespace stemedb::core::testing

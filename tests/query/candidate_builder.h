#pragma once
// Test helpers: ids and agents from small numbers, and a fluent Candidate builder.

#include <cstdint>
#include <string>
#include <vector>

#include "stemedb/query/candidate.h"

namespace stemedb::query::testing {

// The request time of the tests; claims are made at it unless a test says otherwise.
inline constexpr int64_t kNow = 1'700'000'000;
inline constexpr int64_t kDay = 86400;

// A 32-byte id whose last two bytes are `n` (big-endian), so ids order like their numbers.
inline Id32 IdOf(uint16_t n, uint8_t kind = 0) {
  Id32 id{};
  id[0] = kind;
  id[30] = static_cast<uint8_t>(n >> 8);
  id[31] = static_cast<uint8_t>(n & 0xff);
  return id;
}
inline AgentId Agent(uint16_t n) { return IdOf(n, 0xa0); }
inline EpochId Epoch(uint16_t n) { return IdOf(n, 0xe0); }
inline Id32 Source(uint16_t n) { return IdOf(n, 0x50); }

class CandidateBuilder {
 public:
  // Assertion `id_number` (also its seq, and its ingested_at as id_number * 1000 ms), made now by
  // agent 1 with confidence 1.0 about the text "x".
  explicit CandidateBuilder(uint16_t id_number) {
    c_.id = IdOf(id_number);
    c_.seq = id_number;
    c_.ingested_at_ms = uint64_t{id_number} * 1000;
    c_.object = ObjectKey::Text("x");
    c_.confidence = 1.0;
    c_.timestamp_s = kNow;
    c_.signers = {Agent(1)};
  }
  CandidateBuilder& Text(const std::string& text) {
    c_.object = ObjectKey::Text(text);
    return *this;
  }
  CandidateBuilder& Object(ObjectKey object) {
    c_.object = std::move(object);
    return *this;
  }
  CandidateBuilder& Confidence(double confidence) {
    c_.confidence = confidence;
    return *this;
  }
  CandidateBuilder& Tier(query::Tier tier) {
    c_.tier = tier;
    return *this;
  }
  CandidateBuilder& At(int64_t timestamp_s) {
    c_.timestamp_s = timestamp_s;
    return *this;
  }
  CandidateBuilder& Seq(uint64_t seq) {
    c_.seq = seq;
    return *this;
  }
  CandidateBuilder& Ingested(uint64_t ingested_at_ms) {
    c_.ingested_at_ms = ingested_at_ms;
    return *this;
  }
  CandidateBuilder& By(uint16_t agent) {
    c_.signers = {Agent(agent)};
    return *this;
  }
  CandidateBuilder& CoSigned(uint16_t agent) {
    c_.signers.push_back(Agent(agent));
    return *this;
  }
  CandidateBuilder& Stage(query::Lifecycle lifecycle) {
    c_.lifecycle = lifecycle;
    return *this;
  }
  CandidateBuilder& Parent(uint16_t id_number) {
    c_.parent = IdOf(id_number);
    return *this;
  }
  CandidateBuilder& InEpoch(uint16_t epoch) {
    c_.epoch = query::testing::Epoch(epoch);
    return *this;
  }
  CandidateBuilder& Cites(uint16_t source, bool retracted = false) {
    c_.source_hash = Source(source);
    c_.source_retracted = retracted;
    return *this;
  }
  CandidateBuilder& ValidFrom(int64_t s) {
    c_.valid_from_s = s;
    return *this;
  }
  CandidateBuilder& ValidUntil(int64_t s) {
    c_.valid_until_s = s;
    return *this;
  }
  CandidateBuilder& NetVotes(double net) {
    c_.net_votes = net;
    return *this;
  }

  Candidate Build() const { return c_; }
  operator Candidate() const { return c_; }  // NOLINT: lets a builder stand in a vector literal

 private:
  Candidate c_;
};

inline CandidateBuilder Claim(uint16_t id_number) { return CandidateBuilder(id_number); }

}  // namespace stemedb::query::testing

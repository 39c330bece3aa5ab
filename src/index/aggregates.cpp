#include "stemedb/index/aggregates.h"

#include <cmath>
#include <cstring>

namespace stemedb::index {
namespace {

template <typename T>
void Put(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}

template <typename T>
T Get(const char*& p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  p += sizeof(T);
  return v;
}

Status WrongSize(const char* what, size_t got, size_t want) {
  return Status::Corruption(std::string(what) + " of " + std::to_string(got) + " bytes, expected " + std::to_string(want));
}

std::string KeyWithTag(char tag, const Id& id) {
  std::string k(1, tag);
  k.append(reinterpret_cast<const char*>(id.data()), id.size());
  return k;
}

}  // namespace

std::string VoteAggregateKey(const Id& assertion) { return KeyWithTag('v', assertion); }
std::string AgentAggregateKey(const Id& agent) { return KeyWithTag('a', agent); }
std::string GlobalCountsKey() { return "g"; }

std::string Encode(const VoteAggregate& v) {
  std::string out;
  Put(out, v.count);
  Put(out, v.net_weight);
  return out;
}

std::string Encode(const AgentAggregate& v) {
  std::string out;
  Put(out, v.up);
  Put(out, v.down);
  Put(out, v.assertions);
  Put(out, v.votes);
  return out;
}

std::string Encode(const GlobalCounts& v) {
  std::string out;
  Put(out, v.assertions);
  Put(out, v.votes);
  Put(out, v.epochs);
  Put(out, v.sources);
  return out;
}

std::string Encode(const EffectiveVote& v) {
  std::string out(reinterpret_cast<const char*>(v.vote_id.data()), v.vote_id.size());
  Put(out, v.weight);
  Put(out, v.timestamp);
  Put(out, static_cast<uint8_t>(v.counted));
  return out;
}

Result<VoteAggregate> DecodeVoteAggregate(std::string_view b) {
  if (b.size() != 16) return WrongSize("vote aggregate", b.size(), 16);
  const char* p = b.data();
  VoteAggregate v;
  v.count = Get<uint64_t>(p);
  v.net_weight = Get<double>(p);
  return v;
}

Result<AgentAggregate> DecodeAgentAggregate(std::string_view b) {
  if (b.size() != 32) return WrongSize("agent aggregate", b.size(), 32);
  const char* p = b.data();
  AgentAggregate v;
  v.up = Get<double>(p);
  v.down = Get<double>(p);
  v.assertions = Get<uint64_t>(p);
  v.votes = Get<uint64_t>(p);
  return v;
}

Result<GlobalCounts> DecodeGlobalCounts(std::string_view b) {
  if (b.size() != 32) return WrongSize("global counts", b.size(), 32);
  const char* p = b.data();
  GlobalCounts v;
  v.assertions = Get<uint64_t>(p);
  v.votes = Get<uint64_t>(p);
  v.epochs = Get<uint64_t>(p);
  v.sources = Get<uint64_t>(p);
  return v;
}

Result<EffectiveVote> DecodeEffectiveVote(std::string_view b) {
  if (b.size() != 49) return WrongSize("effective vote", b.size(), 49);
  EffectiveVote v;
  std::memcpy(v.vote_id.data(), b.data(), 32);
  const char* p = b.data() + 32;
  v.weight = Get<double>(p);
  v.timestamp = Get<int64_t>(p);
  v.counted = Get<uint8_t>(p) != 0;
  return v;
}

bool ReplacesEffectiveVote(const EffectiveVote& current, int64_t timestamp, const Id& vote_id) {
  if (timestamp != current.timestamp) return timestamp > current.timestamp;
  return vote_id > current.vote_id;
}

void ApplyEffectiveVoteChange(const std::optional<EffectiveVote>& previous, const EffectiveVote& next,
                              VoteAggregate& assertion, AgentAggregate& author) {
  auto contribute = [&](const EffectiveVote& v, double sign) {
    if (!v.counted) return;
    assertion.net_weight += sign * v.weight;
    if (v.weight > 0) author.up += sign * v.weight;
    if (v.weight < 0) author.down += sign * -v.weight;
  };
  if (previous) {
    contribute(*previous, -1);
    if (previous->counted) --assertion.count;
  }
  contribute(next, +1);
  if (next.counted) ++assertion.count;
  // Sums of removed and added weights can leave -0.0 or 1e-17 residue; keep zero exact.
  if (std::fabs(assertion.net_weight) < 1e-12) assertion.net_weight = 0;
  if (std::fabs(author.up) < 1e-12) author.up = 0;
  if (std::fabs(author.down) < 1e-12) author.down = 0;
}

double TrustFromVotes(const AgentAggregate& a) { return (1.0 + a.up) / (2.0 + a.up + a.down); }

}  // namespace stemedb::index

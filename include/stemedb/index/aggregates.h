#pragma once
// Counters kept incrementally as records are applied (kAggregates), and the rules that
// maintain them: the effective vote, and trust from votes.
//
// Effective vote (data-model.md): an agent's latest vote on an assertion by timestamp, ties to
// the larger vote id; older votes stay in history and stop counting. A vote by a signer of the
// assertion is stored and never counted. Trust of an agent: an admin override when set, else
// Beta(1,1) over the counted effective votes others cast on assertions it authored:
// (1 + up) / (2 + up + down).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stemedb/index/keys.h"

namespace stemedb::index {

struct VoteAggregate {  // per assertion: its counted effective votes
  uint64_t count = 0;
  double net_weight = 0;
};

struct AgentAggregate {  // per agent
  double up = 0;    // sum of positive counted effective vote weights on its assertions
  double down = 0;  // sum of |negative| ones
  uint64_t assertions = 0;  // assertions it authored (first signer)
  uint64_t votes = 0;       // votes it cast
};

struct GlobalCounts {
  uint64_t assertions = 0;
  uint64_t votes = 0;
  uint64_t epochs = 0;
  uint64_t sources = 0;
};

struct EffectiveVote {
  Id vote_id{};
  double weight = 0;
  int64_t timestamp = 0;
  bool counted = false;  // false when the voter signed the assertion
};

std::string VoteAggregateKey(const Id& assertion);
std::string AgentAggregateKey(const Id& agent);
std::string GlobalCountsKey();

std::string Encode(const VoteAggregate& v);
std::string Encode(const AgentAggregate& v);
std::string Encode(const GlobalCounts& v);
std::string Encode(const EffectiveVote& v);
Result<VoteAggregate> DecodeVoteAggregate(std::string_view bytes);
Result<AgentAggregate> DecodeAgentAggregate(std::string_view bytes);
Result<GlobalCounts> DecodeGlobalCounts(std::string_view bytes);
Result<EffectiveVote> DecodeEffectiveVote(std::string_view bytes);

// True when a vote (timestamp, id) replaces `current` as the agent's effective vote.
bool ReplacesEffectiveVote(const EffectiveVote& current, int64_t timestamp, const Id& vote_id);

// Moves an assertion's aggregate and its author's from `previous` (the effective vote being
// replaced, if any) to `next`. Uncounted votes change nothing.
void ApplyEffectiveVoteChange(const std::optional<EffectiveVote>& previous, const EffectiveVote& next,
                              VoteAggregate& assertion, AgentAggregate& author);

double TrustFromVotes(const AgentAggregate& a);

}  // namespace stemedb::index

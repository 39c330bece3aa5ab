#pragma once
// Groups of agreeing claims and the "an agent counts once per group" rule (lenses.md), shared by
// the group-based lenses and the skeptic and layered views.
//
// Determinism: weights are summed in (group, agent) order, and groups are numbered in a fixed
// order of their objects (a fixed hash, then the bytes), so the same candidates give the same
// bits whatever order the caller passed them in.

#include <cstdint>
#include <span>
#include <vector>

#include "scored.h"
#include "stemedb/query/candidate.h"

namespace stemedb::query {

struct Group {
  double weight = 0;            // the lens's group weight (support, authority, agent count)
  uint32_t representative = 0;  // row (position in the scored span) that wins for this group
  uint32_t members = 0;         // rows in the group
};

// How a group's winning assertion is chosen: the newest (consensus, vote) or the heaviest,
// newest on equal weight (authority, confidence).
enum class Pick : uint8_t { kNewest, kHeaviest };

// Numbers the distinct objects in that fixed order, sets each row's `group`, and returns one Group
// per object with `members` set.
std::vector<Group> GroupByObject(std::span<const Candidate> candidates, std::span<Scored> rows);

// Group weight = sum over the group's authors of that author's heaviest row (ties: newest); marks
// those rows `counted`. An author repeating itself 50 times weighs what it weighs once.
void SumOncePerAuthor(std::span<const Candidate> candidates, std::span<Scored> rows,
                      std::span<Group> groups);

// Group weight = the number of distinct signing agents (any signer, not only authors) of the
// group's rows. Returns the number of distinct agents over all rows.
uint32_t CountDistinctSigners(std::span<const Candidate> candidates, std::span<const Scored> rows,
                              std::span<Group> groups);

// Sets each group's representative row under `pick`.
void PickRepresentatives(std::span<const Candidate> candidates, std::span<const Scored> rows,
                         std::span<Group> groups, Pick pick);

// Group numbers ranked: larger weight first, then the newer representative.
std::vector<uint32_t> RankGroups(std::span<const Candidate> candidates,
                                 std::span<const Scored> rows, std::span<const Group> groups);

// Row positions ranked: groups in `group_rank` order, and within a group by `pick` order.
std::vector<uint32_t> RankRowsByGroup(std::span<const Candidate> candidates,
                                      std::span<const Scored> rows,
                                      std::span<const uint32_t> group_rank, Pick pick);

// True when row `a` ranks ahead of row `b` under `pick`.
bool RanksAhead(std::span<const Candidate> candidates, const Scored& a, const Scored& b, Pick pick);

// The group weights in group-number order, for ConflictScore.
std::vector<double> GroupWeights(std::span<const Group> groups);

// Sum of the group weights, in group-number order.
double TotalWeight(std::span<const Group> groups);

}  // namespace stemedb::query

#include "grouping.h"

#include <algorithm>
#include <numeric>

#include "stemedb/core/check.h"
#include "stemedb/query/tie_order.h"

namespace stemedb::query {
namespace {

std::vector<uint32_t> Positions(size_t count) {
  std::vector<uint32_t> positions(count);
  std::iota(positions.begin(), positions.end(), 0u);
  return positions;
}

}  // namespace

std::vector<Group> GroupByObject(std::span<const Candidate> candidates, std::span<Scored> rows) {
  std::vector<uint32_t> order = Positions(rows.size());
  auto object_of = [&](uint32_t row) -> const ObjectKey& {
    return candidates[rows[row].index].object;
  };
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return object_of(a) < object_of(b); });
  std::vector<Group> groups;
  for (size_t i = 0; i < order.size(); ++i) {
    if (i == 0 || object_of(order[i]) != object_of(order[i - 1])) groups.emplace_back();
    rows[order[i]].group = static_cast<uint32_t>(groups.size() - 1);
    ++groups.back().members;
  }
  return groups;
}

bool RanksAhead(std::span<const Candidate> candidates, const Scored& a, const Scored& b,
                Pick pick) {
  if (pick == Pick::kHeaviest && a.weight != b.weight) return a.weight > b.weight;
  return Newer(candidates[a.index], candidates[b.index]);
}

void SumOncePerAuthor(std::span<const Candidate> candidates, std::span<Scored> rows,
                      std::span<Group> groups) {
  std::vector<uint32_t> order = Positions(rows.size());
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const Scored& ra = rows[a];
    const Scored& rb = rows[b];
    if (ra.group != rb.group) return ra.group < rb.group;
    const AgentId& author_a = candidates[ra.index].author();
    const AgentId& author_b = candidates[rb.index].author();
    if (author_a != author_b) return author_a < author_b;
    return RanksAhead(candidates, ra, rb, Pick::kHeaviest);
  });
  for (Group& group : groups) group.weight = 0.0;
  for (size_t i = 0; i < order.size(); ++i) {
    Scored& row = rows[order[i]];
    const Scored* previous = i == 0 ? nullptr : &rows[order[i - 1]];
    bool first_of_author = previous == nullptr || previous->group != row.group ||
                           candidates[previous->index].author() != candidates[row.index].author();
    row.counted = first_of_author;
    if (first_of_author) groups[row.group].weight += row.weight;
  }
}

uint32_t CountDistinctSigners(std::span<const Candidate> candidates, std::span<const Scored> rows,
                              std::span<Group> groups) {
  // (group, agent) pairs; pointers into the candidates, so nothing 32 bytes wide is copied.
  std::vector<std::pair<uint32_t, const AgentId*>> pairs;
  for (const Scored& row : rows) {
    for (const AgentId& signer : candidates[row.index].signers)
      pairs.emplace_back(row.group, &signer);
  }
  auto pair_less = [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : *a.second < *b.second;
  };
  auto pair_equal = [](const auto& a, const auto& b) {
    return a.first == b.first && *a.second == *b.second;
  };
  std::sort(pairs.begin(), pairs.end(), pair_less);
  pairs.erase(std::unique(pairs.begin(), pairs.end(), pair_equal), pairs.end());
  for (Group& group : groups) group.weight = 0.0;
  for (const auto& pair : pairs) groups[pair.first].weight += 1.0;
  // Distinct agents over all groups: the same agent may back two values.
  std::sort(pairs.begin(), pairs.end(),
            [](const auto& a, const auto& b) { return *a.second < *b.second; });
  auto agents_end = std::unique(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
    return *a.second == *b.second;
  });
  return static_cast<uint32_t>(agents_end - pairs.begin());
}

void PickRepresentatives(std::span<const Candidate> candidates, std::span<const Scored> rows,
                         std::span<Group> groups, Pick pick) {
  std::vector<uint8_t> seen(groups.size(), 0);
  for (uint32_t position = 0; position < rows.size(); ++position) {
    const Scored& row = rows[position];
    Group& group = groups[row.group];
    if (!seen[row.group] || RanksAhead(candidates, row, rows[group.representative], pick)) {
      group.representative = position;
      seen[row.group] = 1;
    }
  }
}

std::vector<uint32_t> RankGroups(std::span<const Candidate> candidates,
                                 std::span<const Scored> rows, std::span<const Group> groups) {
  std::vector<uint32_t> rank = Positions(groups.size());
  std::sort(rank.begin(), rank.end(), [&](uint32_t a, uint32_t b) {
    if (groups[a].weight != groups[b].weight) return groups[a].weight > groups[b].weight;
    return Newer(candidates[rows[groups[a].representative].index],
                 candidates[rows[groups[b].representative].index]);
  });
  return rank;
}

std::vector<uint32_t> RankRowsByGroup(std::span<const Candidate> candidates,
                                      std::span<const Scored> rows,
                                      std::span<const uint32_t> group_rank, Pick pick) {
  std::vector<uint32_t> place_of_group(group_rank.size());
  for (uint32_t place = 0; place < group_rank.size(); ++place) {
    place_of_group[group_rank[place]] = place;
  }
  std::vector<uint32_t> order = Positions(rows.size());
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    uint32_t place_a = place_of_group[rows[a].group];
    uint32_t place_b = place_of_group[rows[b].group];
    if (place_a != place_b) return place_a < place_b;
    return RanksAhead(candidates, rows[a], rows[b], pick);
  });
  return order;
}

std::vector<double> GroupWeights(std::span<const Group> groups) {
  std::vector<double> weights;
  weights.reserve(groups.size());
  for (const Group& group : groups) {
    STEMEDB_CHECK(group.weight >= 0.0);
    weights.push_back(group.weight);
  }
  return weights;
}

double TotalWeight(std::span<const Group> groups) {
  double total = 0.0;
  for (const Group& group : groups) total += group.weight;
  return total;
}

}  // namespace stemedb::query

#include "grouping.h"

#include <algorithm>
#include <numeric>

#include "stemedb/ground/check.h"
#include "stemedb/query/tie_order.h"

namespace stemedb::query {
namespace {

// 64-bit FNV-1a over the type and the canonical bytes: fixed by definition, so group numbering
// (and with it the order of floating-point sums) is the same on every build.
uint64_t ObjectHash(const ObjectKey& object) {
  constexpr uint64_t kOffsetBasis = 0xcbf29ce484222325ull;
  constexpr uint64_t kPrime = 0x100000001b3ull;
  uint64_t hash = (kOffsetBasis ^ static_cast<uint8_t>(object.type)) * kPrime;
  for (char byte : object.value) hash = (hash ^ static_cast<uint8_t>(byte)) * kPrime;
  return hash;
}

std::vector<uint32_t> Positions(size_t count) {
  std::vector<uint32_t> positions(count);
  std::iota(positions.begin(), positions.end(), 0u);
  return positions;
}

}  // namespace

std::vector<Group> GroupByObject(std::span<const Candidate> candidates, std::span<Scored> rows) {
  // Sort by (hash, row): integer compares only. Equal objects have equal hashes, so they form
  // runs; a run whose objects differ (a 64-bit collision, in practice never) is re-sorted by the
  // objects themselves so that equal objects are adjacent again.
  struct Keyed {
    uint64_t hash;
    uint32_t row;
  };
  auto object_of = [&](const Keyed& k) -> const ObjectKey& {
    return candidates[rows[k.row].index].object;
  };
  std::vector<Keyed> keyed(rows.size());
  for (uint32_t row = 0; row < rows.size(); ++row) {
    keyed[row] = {ObjectHash(candidates[rows[row].index].object), row};
  }
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.row < b.row;
  });
  std::vector<Group> groups;
  for (size_t begin = 0; begin < keyed.size();) {
    size_t end = begin + 1;
    bool collision = false;
    while (end < keyed.size() && keyed[end].hash == keyed[begin].hash) {
      collision |= object_of(keyed[end]) != object_of(keyed[begin]);
      ++end;
    }
    if (collision) [[unlikely]] {
      std::stable_sort(keyed.begin() + begin, keyed.begin() + end,
                       [&](const Keyed& a, const Keyed& b) { return object_of(a) < object_of(b); });
    }
    for (size_t i = begin; i < end; ++i) {
      if (i == begin || object_of(keyed[i]) != object_of(keyed[i - 1])) groups.emplace_back();
      rows[keyed[i].row].group = static_cast<uint32_t>(groups.size() - 1);
      ++groups.back().members;
    }
    begin = end;
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
    int authors = IdCompare(candidates[ra.index].author(), candidates[rb.index].author());
    if (authors != 0) return authors < 0;
    return RanksAhead(candidates, ra, rb, Pick::kHeaviest);
  });
  for (Group& group : groups) group.weight = 0.0;
  for (size_t i = 0; i < order.size(); ++i) {
    Scored& row = rows[order[i]];
    const Scored* previous = i == 0 ? nullptr : &rows[order[i - 1]];
    bool first_of_author =
        previous == nullptr || previous->group != row.group ||
        IdCompare(candidates[previous->index].author(), candidates[row.index].author()) != 0;
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
    return a.first != b.first ? a.first < b.first : IdSortsBefore(*a.second, *b.second);
  };
  auto pair_equal = [](const auto& a, const auto& b) {
    return a.first == b.first && IdCompare(*a.second, *b.second) == 0;
  };
  std::sort(pairs.begin(), pairs.end(), pair_less);
  pairs.erase(std::unique(pairs.begin(), pairs.end(), pair_equal), pairs.end());
  for (Group& group : groups) group.weight = 0.0;
  for (const auto& pair : pairs) groups[pair.first].weight += 1.0;
  // Distinct agents over all groups: the same agent may back two values.
  std::sort(pairs.begin(), pairs.end(),
            [](const auto& a, const auto& b) { return IdSortsBefore(*a.second, *b.second); });
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

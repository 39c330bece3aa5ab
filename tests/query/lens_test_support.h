#pragma once
// Running a lens in tests: the request time, decay on, and an optional trust table.

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "candidate_builder.h"
#include "stemedb/query/lens.h"

namespace stemedb::query::testing {

inline Context NowContext(bool decay = true) { return Context{.now_s = kNow, .decay = decay}; }

// A trust callback from a table of agent numbers; agents not listed get 0.5.
inline std::function<double(const AgentId&)> TrustTable(std::map<uint16_t, double> table) {
  return [table = std::move(table)](const AgentId& agent) {
    for (const auto& [number, trust] : table) {
      if (Agent(number) == agent) return trust;
    }
    return 0.5;
  };
}

inline LensResult MustResolve(const std::vector<Candidate>& candidates, LensKind lens,
                              const Context& context = NowContext(), const Filter& filter = {}) {
  auto result = Resolve(candidates, LensRequest{.lens = lens, .filter = filter}, context);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : LensResult{};
}

// The winning candidate's id number (its last byte pair), or -1 when there is none.
inline int WinnerId(const LensResult& result, const std::vector<Candidate>& candidates) {
  if (!result.winner) return -1;
  const Id32& id = candidates[result.winner->index].id;
  return id[30] * 256 + id[31];
}

// The ranked candidates' id numbers, in rank order.
inline std::vector<int> RankedIds(const LensResult& result,
                                  const std::vector<Candidate>& candidates) {
  std::vector<int> ids;
  for (const RankedCandidate& r : result.ranked) {
    const Id32& id = candidates[r.index].id;
    ids.push_back(id[30] * 256 + id[31]);
  }
  return ids;
}

}  // namespace stemedb::query::testing

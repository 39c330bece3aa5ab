#pragma once
// The benchmarks' data: deterministic, really signed assertions and votes, so the server does
// all the work it does in production (parse, validate, hash, verify every signature).
//
// The shape follows the query benchmark of issue 5: `subjects` x `predicates` x `claims`, each
// (subject, predicate) with a few competing objects from different authors, tiers and times.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "stemedb/core/records.h"

namespace stemedb::bench {

struct CorpusShape {
  std::string subject_prefix = "bench";  // subjects are "<prefix>/s000123"
  uint64_t subjects = 10000;
  uint64_t predicates = 10;
  uint64_t claims = 10;  // assertions per (subject, predicate)
  int agents = 40;       // distinct signers, 1..250

  uint64_t assertions() const { return subjects * predicates * claims; }
};

// A cheap, well-mixed hash of an index: corpora look irregular but are reproducible.
uint64_t Mix(uint64_t x);

std::string SubjectName(const CorpusShape& shape, uint64_t subject);
std::string PredicateName(uint64_t predicate);

// Assertion number `index` (0 .. assertions()-1): its content, then signed by its author.
core::Assertion CorpusClaim(const CorpusShape& shape, uint64_t index);
core::Assertion CorpusAssertion(const CorpusShape& shape, uint64_t index);
// A signed vote on assertion `index` by another agent than its author.
core::Vote CorpusVote(const CorpusShape& shape, uint64_t index, const core::Hash32& assertion_id);

// Builds `count` items on every core (signing is the slow part); item i is make(i).
std::vector<std::string> BuildParallel(uint64_t count, const std::function<std::string(uint64_t)>& make);

// JSON texts for the HTTP API.
std::string AssertionJson(const CorpusShape& shape, uint64_t index);
std::string VoteJson(const CorpusShape& shape, uint64_t index);  // on assertion `index`

// {"assertions":[...]} from already rendered assertion JSON texts [begin, end).
std::string BatchBody(const std::vector<std::string>& assertions, size_t begin, size_t end);

}  // namespace stemedb::bench

#include "signed_corpus.h"

#include <cstdio>
#include <thread>

#include "stemedb/core/canonical_encoding.h"
#include "stemedb/ground/check.h"
#include "stemedb/core/ed25519.h"
#include "stemedb/core/record_json.h"
#include "stemedb/core/signature_check.h"

namespace stemedb::bench {
namespace {

// Three objects compete per (subject, predicate): enough for every lens to have a choice.
constexpr const char* kObjects[] = {"rare", "common", "very_rare"};
constexpr int64_t kEpochStart_s = 1700000000;
constexpr int64_t kYear_s = 365 * 24 * 3600;

const core::Ed25519KeyPair& AgentKey(int agent) {
  // Built once, read by every signing thread afterwards.
  static const std::vector<core::Ed25519KeyPair> keys = [] {
    std::vector<core::Ed25519KeyPair> out;
    for (int n = 1; n <= 250; ++n) {
      core::Seed seed;
      seed.fill(static_cast<uint8_t>(n));
      seed[0] = 0xbe;  // distinct from the tests' agents
      out.emplace_back(seed);
    }
    return out;
  }();
  STEMEDB_CHECK(agent >= 0 && agent < static_cast<int>(keys.size()));
  return keys[static_cast<size_t>(agent)];
}

int AuthorOf(const CorpusShape& shape, uint64_t index) { return static_cast<int>(Mix(index) % static_cast<uint64_t>(shape.agents)); }

}  // namespace

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

std::string SubjectName(const CorpusShape& shape, uint64_t subject) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "/s%06llu", static_cast<unsigned long long>(subject));
  return shape.subject_prefix + buf;
}

std::string PredicateName(uint64_t predicate) { return "p" + std::to_string(predicate); }

core::Assertion CorpusClaim(const CorpusShape& shape, uint64_t index) {
  STEMEDB_CHECK(index < shape.assertions());
  const uint64_t pair = index / shape.claims;
  const uint64_t h = Mix(index ^ 0x5eed);
  core::Assertion a;
  a.subject = SubjectName(shape, pair / shape.predicates);
  a.predicate = PredicateName(pair % shape.predicates);
  a.object = core::TextObject{kObjects[h % 3]};
  a.confidence = 0.5 + static_cast<double>((h >> 8) % 50) / 100.0;
  a.timestamp = kEpochStart_s + static_cast<int64_t>((h >> 16) % static_cast<uint64_t>(kYear_s));
  a.source_class = static_cast<core::SourceClass>((h >> 40) % 6);
  return a;
}

core::Assertion CorpusAssertion(const CorpusShape& shape, uint64_t index) {
  core::Assertion a = CorpusClaim(shape, index);
  a.signatures.push_back(core::SignId(AgentKey(AuthorOf(shape, index)), core::ContentId(a)));
  return a;
}

core::Vote CorpusVote(const CorpusShape& shape, uint64_t index, const core::Hash32& assertion_id) {
  const int voter = (AuthorOf(shape, index) + 1 + static_cast<int>(index % 7)) % shape.agents;
  core::Vote v;
  v.assertion_hash = assertion_id;
  v.agent_id = AgentKey(voter).public_key();
  v.weight = (index % 3 == 0) ? -0.5 : 1.0;
  v.timestamp = kEpochStart_s + kYear_s;
  v.signature = core::SignId(AgentKey(voter), core::ContentId(v)).signature;
  return v;
}

std::string AssertionJson(const CorpusShape& shape, uint64_t index) {
  return core::ToJson(CorpusAssertion(shape, index)).dump();
}

std::string VoteJson(const CorpusShape& shape, uint64_t index) {
  return core::ToJson(CorpusVote(shape, index, core::ContentId(CorpusClaim(shape, index)))).dump();
}

std::vector<std::string> BuildParallel(uint64_t count, const std::function<std::string(uint64_t)>& make) {
  std::vector<std::string> out(count);
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (uint64_t i = t; i < count; i += threads) out[i] = make(i);
    });
  }
  for (auto& w : workers) w.join();
  return out;
}

std::string BatchBody(const std::vector<std::string>& assertions, size_t begin, size_t end) {
  std::string body = "{\"assertions\":[";
  for (size_t i = begin; i < end; ++i) {
    if (i != begin) body += ',';
    body += assertions[i];
  }
  body += "]}";
  return body;
}

}  // namespace stemedb::bench

#pragma once
// The column families of the store, and what each key means. The numbers are the CfId the
// storage layer uses; the names are what RocksDB stores on disk, so neither ever changes.
//
// Indexes are key-per-entry (a new record adds keys; no growing list value is rewritten), and
// keys sort so that a prefix scan answers a query in log order. Integers in keys are
// big-endian so byte order is numeric order; ids and agent keys are their raw 32 bytes.

#include <array>
#include <cstdint>
#include <string_view>

namespace stemedb::index {

enum Cf : uint8_t {
  kRecords = 0,            // kind(1) id(32) -> u64 seq | u64 ingested_at_ms | stored record
  kBySubjectPredicate,     // subject 0 predicate 0 seq(8) -> id, votes, record (candidate_entry.h)
  // Written for every assertion until 2026-12-04 and never read: no longer written, still opened
  // because RocksDB must open every column family a data directory has.
  kBySubject,              // (retired) subject 0 seq(8) -> id
  kByPredicate,            // (retired) predicate 0 seq(8) -> id
  kSubjectPredicates,      // subject 0 predicate -> "" (the predicates of a subject)
  kByAgent,                // agent(32) seq(8) -> kind(1) id(32): what an agent signed or voted
  kChildren,               // parent(32) child(32) -> ""
  kBySource,               // source(32) seq(8) -> id
  kVotesByAssertion,       // assertion(32) seq(8) -> vote id
  kEffectiveVote,          // agent(32) assertion(32) -> EffectiveVote
  kSupersededBy,           // epoch(32) superseding epoch(32) -> supersession type name
  kBySeq,                  // seq(8) -> kind(1) id(32): the log order (the feed)
  kAggregates,             // 'v' assertion | 'a' agent | 'g' -> counters, see aggregates.h
  kState,                  // 'r' source -> retraction | 't' agent -> trust override | 'k' key id -> API key
  kCfCount,
};

// RocksDB's names for the families, indexed by Cf.
inline constexpr std::array<std::string_view, kCfCount> kCfNames = {
    "records",  "by_subject_predicate", "by_subject", "by_predicate", "subject_predicates",
    "by_agent", "children",             "by_source",  "votes_by_assertion", "effective_vote",
    "superseded_by", "by_seq",          "aggregates", "state",
};

}  // namespace stemedb::index

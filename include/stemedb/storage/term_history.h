#pragma once
// Where each leadership term begins in the log (docs/replication.md, "Terms"): the offset of
// its term_started record, learned as the record is applied (on the primary that wrote it, on
// every standby, and again on replay). The history is what lets a primary tell a standby of an
// older term where their logs part: at the start of the first term the standby never saw.
//
// Written by the apply step only; read from any thread. Bounded: a cluster that changes leader
// once a minute for a century stays under kTermsMax (the oldest are dropped first; a standby
// that old must be cloned again anyway, as its segments are long gone).

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace stemedb::storage {

struct TermStart {
  uint64_t term = 0;
  uint64_t offset = 0;  // where the term_started record begins
  std::string leader;
};

class TermHistory {
 public:
  static constexpr size_t kTermsMax = 1u << 20;

  void Add(TermStart start);
  // The highest term applied so far; 0 before any (a node that never ran under etcd).
  uint64_t current() const;
  std::optional<TermStart> Latest() const;
  // The first term after `term`, if this log holds one: a log whose last term is `term` agrees
  // with this one only up to that term's start offset.
  std::optional<TermStart> FirstAfter(uint64_t term) const;

 private:
  mutable std::mutex mu_;
  std::map<uint64_t, TermStart> starts_;
};

}  // namespace stemedb::storage

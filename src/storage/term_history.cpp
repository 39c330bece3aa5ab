#include "stemedb/storage/term_history.h"

namespace stemedb::storage {

void TermHistory::Add(TermStart start) {
  std::lock_guard lock(mu_);
  starts_.insert_or_assign(start.term, std::move(start));
  while (starts_.size() > kTermsMax) starts_.erase(starts_.begin());
}

uint64_t TermHistory::current() const {
  std::lock_guard lock(mu_);
  return starts_.empty() ? 0 : starts_.rbegin()->first;
}

std::optional<TermStart> TermHistory::Latest() const {
  std::lock_guard lock(mu_);
  if (starts_.empty()) return std::nullopt;
  return starts_.rbegin()->second;
}

std::optional<TermStart> TermHistory::FirstAfter(uint64_t term) const {
  std::lock_guard lock(mu_);
  auto it = starts_.upper_bound(term);
  if (it == starts_.end()) return std::nullopt;
  return it->second;
}

}  // namespace stemedb::storage

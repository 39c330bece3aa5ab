#pragma once
// A Tier that forwards to another and fails on demand: for tests of the fallbacks (a read error
// served from memory or answered 503, a write error retried while the memory tier holds on).

#include <atomic>
#include <cerrno>
#include <functional>
#include <memory>

#include "stemedb/storage/tier.h"

namespace stemedb::storage {

class FaultInjectionTier final : public Tier {
 public:
  explicit FaultInjectionTier(std::unique_ptr<Tier> base) : base_(std::move(base)) {}

  std::atomic<bool> fail_reads{false};
  std::atomic<bool> fail_writes{false};
  std::atomic<int> write_errno{EIO};  // the errno of failed writes and flushes (ENOSPC: disk full)
  std::atomic<int> reads{0};
  std::atomic<int> writes{0};
  // Runs at the start of each Write, on the flushing thread: a test can hold a flush there.
  // Set before the tier is shared with other threads.
  std::function<void()> before_write;

  Result<std::optional<std::string>> Get(CfId cf, std::string_view key) override;
  Status Scan(CfId cf, std::string_view start, std::string_view end, const ScanFn& fn) override;
  Status Write(const MemTable& table, const AppliedPosition& position) override;
  Status Persist() override;
  Result<AppliedPosition> ReadAppliedPosition() override { return base_->ReadAppliedPosition(); }
  Result<AppliedPosition> Checkpoint(const std::string& dir) override { return base_->Checkpoint(dir); }
  std::vector<std::pair<std::string, double>> Stats() override { return base_->Stats(); }
  void Close() override { base_->Close(); }

 private:
  std::unique_ptr<Tier> base_;
};

}  // namespace stemedb::storage

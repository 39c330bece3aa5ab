#include "stemedb/storage/fault_injection_tier.h"

#include <cerrno>

namespace stemedb::storage {

Result<std::optional<std::string>> FaultInjectionTier::Get(CfId cf, std::string_view key) {
  reads.fetch_add(1);
  if (fail_reads.load()) return Status::IOError("injected read failure", EIO);
  return base_->Get(cf, key);
}

Status FaultInjectionTier::Scan(CfId cf, std::string_view start, std::string_view end, const ScanFn& fn) {
  reads.fetch_add(1);
  if (fail_reads.load()) return Status::IOError("injected read failure", EIO);
  return base_->Scan(cf, start, end, fn);
}

Status FaultInjectionTier::Write(const MemTable& table, const AppliedPosition& position) {
  writes.fetch_add(1);
  if (before_write) before_write();
  if (fail_writes.load()) return Status::FromErrno("injected write failure", write_errno.load());
  return base_->Write(table, position);
}

Status FaultInjectionTier::Persist() {
  if (fail_writes.load()) return Status::FromErrno("injected persist failure", write_errno.load());
  return base_->Persist();
}

}  // namespace stemedb::storage

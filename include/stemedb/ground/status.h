#pragma once
// Status and Result: how every fallible operation below the HTTP layer reports failure.
// Modelled on LevelDB's Status, with an errno slot because operators need the exact
// system error (the fsync-failure runbook greps for it).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "stemedb/ground/value_or_error.h"

namespace stemedb {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,     // the caller's input is wrong; retrying the same input fails again
  kNotFound,
  kAlreadyExists,
  kConflict,            // e.g. a supersession cycle
  kFailedPrecondition,  // the state of the system forbids it (lifecycle chain, drained node)
  kCorruption,          // bytes on disk are not what we wrote
  kIOError,
  kDiskFull,            // ENOSPC: reported apart so operators see "disk full", not "I/O error"
  kUnavailable,         // the component is failed or shut down; a restart is the recovery
  kOverloaded,          // a bounded queue is full; retry later
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {StatusCode::kAlreadyExists, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {StatusCode::kConflict, std::move(msg)}; }
  static Status FailedPrecondition(std::string msg) { return {StatusCode::kFailedPrecondition, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status Overloaded(std::string msg) { return {StatusCode::kOverloaded, std::move(msg)}; }
  // An I/O failure with the errno that caused it; ENOSPC becomes kDiskFull.
  static Status FromErrno(std::string context, int err_no);
  static Status IOError(std::string msg, int err_no = 0) { return {StatusCode::kIOError, std::move(msg), err_no}; }
  static Status DiskFull(std::string msg, int err_no = 0) { return {StatusCode::kDiskFull, std::move(msg), err_no}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The errno behind an I/O failure, 0 when there was none.
  int sys_errno() const { return errno_; }
  // "IOError: fdatasync segment.003.wal: Input/output error (errno 5)".
  std::string ToString() const;

 private:
  Status(StatusCode code, std::string msg, int err_no = 0)
      : code_(code), errno_(err_no), message_(std::move(msg)) {}

  StatusCode code_ = StatusCode::kOk;
  int errno_ = 0;
  std::string message_;
};

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result : public ValueOrError<T, Status> {
 public:
  using ValueOrError<T, Status>::ValueOrError;
  const Status& status() const {
    static const Status kOk;
    return this->ok() ? kOk : this->error_value();
  }
};

}  // namespace stemedb

// Propagate a failed Status from an expression returning Status.
#define STEMEDB_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::stemedb::Status stemedb_status_ = (expr);        \
    if (!stemedb_status_.ok()) return stemedb_status_; \
  } while (0)

#include "stemedb/ground/status.h"

#include <cerrno>
#include <cstring>

namespace stemedb {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kAlreadyExists: return "AlreadyExists";
    case StatusCode::kConflict: return "Conflict";
    case StatusCode::kFailedPrecondition: return "FailedPrecondition";
    case StatusCode::kCorruption: return "Corruption";
    case StatusCode::kIOError: return "IOError";
    case StatusCode::kDiskFull: return "DiskFull";
    case StatusCode::kUnavailable: return "Unavailable";
    case StatusCode::kOverloaded: return "Overloaded";
  }
  return "Unknown";
}

Status Status::FromErrno(std::string context, int err_no) {
  if (err_no == ENOSPC || err_no == EDQUOT) return DiskFull(std::move(context), err_no);
  return IOError(std::move(context), err_no);
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out = StatusCodeName(code_);
  out += ": ";
  out += message_;
  if (errno_ != 0) {
    out += ": ";
    out += std::strerror(errno_);
    out += " (errno ";
    out += std::to_string(errno_);
    out += ")";
  }
  return out;
}

}  // namespace stemedb

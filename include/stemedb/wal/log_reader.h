#pragma once
// Reads the records of one segment file in order through a bounded buffer (1 MiB, or one
// record when a record is larger). It checks each record's framing and checksum and stops at
// the first bad one; what a bad record means (torn tail or corruption) is the caller's call.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "stemedb/ground/status.h"
#include "stemedb/ground/env.h"
#include "stemedb/wal/segment_header.h"

namespace stemedb::wal {

class LogReader {
 public:
  enum class Outcome { kRecord, kEnd, kBad };

  struct Record {
    uint64_t file_pos = 0;  // where the record starts in the file
    uint8_t type = 0;
    std::string_view payload;  // valid until the next call to Next
  };

  // Reads and checks the header. A bad header is kCorruption (message says why); an I/O error
  // is kIOError. Reads up to the file's size at this moment.
  static Result<std::unique_ptr<LogReader>> Open(Env& env, const std::string& path);
  // As Open, on a file the caller already holds.
  static Result<std::unique_ptr<LogReader>> FromFile(std::unique_ptr<File> file);

  // kRecord fills record. kEnd: the file ends exactly after the last record. kBad: problem()
  // says what is wrong with the record at position(); Next must not be called again.
  Result<Outcome> Next(Record& record);

  const SegmentHeader& header() const { return header_; }
  uint64_t file_bytes() const { return file_bytes_; }
  // The file position of the next record (after kBad: of the bad record).
  uint64_t position() const { return pos_; }
  const std::string& problem() const { return problem_; }
  File& file() { return *file_; }

 private:
  LogReader(std::unique_ptr<File> file, uint64_t file_bytes)
      : file_(std::move(file)), file_bytes_(file_bytes) {}
  // Makes bytes [pos_, pos_ + n) available in buffer_; n <= file_bytes_ - pos_.
  Status Fill(uint64_t n);
  const char* At(uint64_t file_pos) const { return buffer_.data() + (file_pos - buffer_pos_); }
  Outcome Bad(std::string problem);

  std::unique_ptr<File> file_;
  uint64_t file_bytes_;
  SegmentHeader header_;
  uint64_t pos_ = kSegmentHeaderBytes;
  std::string buffer_;
  uint64_t buffer_pos_ = 0;    // file position of buffer_[0]
  uint64_t buffer_bytes_ = 0;  // valid bytes in buffer_
  std::string problem_;
};

}  // namespace stemedb::wal

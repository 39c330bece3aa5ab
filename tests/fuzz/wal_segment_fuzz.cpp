// A WAL segment file as recovery, Replay's checks and stemedb-wal-verify meet it after a crash,
// a bad disk or a foreign writer: the segment scanner (the one judge of a segment), the log
// reader under it, and the whole-log scan of a directory holding it.
//
// Random bytes rarely pass a record's checksum, so most inputs are built: the first byte picks
//   bit 0 = 0  raw: the file is a valid header followed by the input as it is (bit 2 set: the
//              input is the whole file, header included)
//   bit 0 = 1  framed: the input is a program of operations that append well-framed journal
//              records (seq counting up), framed records with any payload, raw bytes, and
//              byte flips into what was built so far; see Build()
//   bit 1      the segment is the second of its log (sequence 2, base offset 4096: the first
//              was archived away) instead of the first (sequence 1, base offset 0)
//   bit 3      the file name says the next sequence, not the header's
// The file lives in a tmpfs directory (fuzz_support.h) and is read through PosixEnv, as the
// daemon reads it.
//
// Checked beyond "no crash": the scan's positions stay within the file, a clean scan covers it
// whole, the log reader agrees with the scan on the records before any damage, a cut scan
// (stop_at_file_pos) never sees more, and the log scan judges a damaged lone segment as either
// corruption or a torn tail, never both.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "fuzz_support.h"
#include "stemedb/ground/check.h"
#include "stemedb/ground/posix_env.h"
#include "stemedb/wal/log_format.h"
#include "stemedb/wal/log_reader.h"
#include "stemedb/wal/log_scan.h"
#include "stemedb/wal/record_payload.h"
#include "stemedb/wal/segment_header.h"
#include "stemedb/wal/segment_name.h"
#include "stemedb/wal/segment_scanner.h"

namespace stemedb::wal {
namespace {

struct Placement {
  SegmentHeader header;
  std::string file_name;
};

Placement PlacementFor(uint8_t mode) {
  Placement p;
  p.header = (mode & 2) ? SegmentHeader{.sequence = 2, .base_offset = 4096}
                        : SegmentHeader{.sequence = 1, .base_offset = 0};
  p.file_name = SegmentFileName(p.header.sequence + ((mode & 8) ? 1 : 0));
  return p;
}

class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return at_ >= size_; }
  uint8_t Byte() { return empty() ? 0 : data_[at_++]; }
  std::string_view Bytes(size_t n) {
    n = std::min(n, size_ - at_);
    std::string_view out(reinterpret_cast<const char*>(data_ + at_), n);
    at_ += n;
    return out;
  }
  std::string_view Rest() { return Bytes(size_ - at_); }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

// Runs the framed program: each operation is one byte (its low 2 bits) and its operands.
std::string Build(const SegmentHeader& header, Input& in) {
  std::string file = EncodeSegmentHeader(header);
  uint64_t seq = 1 + in.Byte();  // a segment need not start at seq 1
  uint64_t ingested_at_ms = 1'700'000'000'000;
  while (!in.empty()) {
    const uint8_t op = in.Byte();
    switch (op & 3) {
      case 0: {  // a good journal record: type (never 0), body of up to 255 bytes
        const uint8_t type = in.Byte() | 1;
        const std::string_view body = in.Bytes(in.Byte());
        AppendJournalRecord(file, type, seq++, ingested_at_ms, body);
        ingested_at_ms += op >> 2;
        break;
      }
      case 1: {  // a framed record with any payload: too short, seq out of order, seq 0...
        const uint8_t type = in.Byte() | 1;
        AppendRecord(file, type, {in.Bytes(in.Byte())});
        break;
      }
      case 2:  // raw bytes: a torn or foreign write
        file += in.Bytes(in.Byte());
        break;
      case 3: {  // flip bits of a byte already written (the header included)
        const size_t pos = (size_t{in.Byte()} << 8 | in.Byte()) % file.size();
        file[pos] = static_cast<char>(file[pos] ^ (in.Byte() | 1));
        break;
      }
    }
  }
  return file;
}

// stop_at_file_pos: the scan's cut, UINT64_MAX for none.
void CheckScan(const SegmentScan& scan, uint64_t stop_at_file_pos) {
  STEMEDB_CHECK(scan.valid_bytes <= scan.file_bytes);
  if (scan.problem == ScanProblem::kBadHeader) return;
  STEMEDB_CHECK(scan.valid_bytes >= kSegmentHeaderBytes);
  if (scan.clean() && stop_at_file_pos >= scan.file_bytes) STEMEDB_CHECK(scan.valid_bytes == scan.file_bytes);
  if (scan.valid_bytes > kSegmentHeaderBytes) STEMEDB_CHECK(scan.valid_bytes <= stop_at_file_pos);
  if (!scan.clean()) {
    STEMEDB_CHECK(scan.problem_pos == scan.valid_bytes);
    STEMEDB_CHECK(scan.problem_pos < scan.file_bytes);
  }
  if (scan.valid_record_after) {
    STEMEDB_CHECK(*scan.valid_record_after > scan.problem_pos);
    STEMEDB_CHECK(*scan.valid_record_after < scan.file_bytes);
  }
  if (scan.records > 0) STEMEDB_CHECK(scan.last_seq == scan.first_seq + scan.records - 1);
  STEMEDB_CHECK(scan.records == 0 || scan.first_seq > 0);
}

// The log reader alone: it must see at least the scan's records, and exactly them on a clean
// segment.
void CheckReader(Env& env, const std::string& path, const SegmentScan& scan) {
  Result<std::unique_ptr<LogReader>> reader = LogReader::Open(env, path);
  if (!reader.ok()) {
    STEMEDB_CHECK(reader.status().code() == StatusCode::kCorruption);
    STEMEDB_CHECK(scan.problem == ScanProblem::kBadHeader);
    return;
  }
  uint64_t records = 0;
  LogReader::Record record;
  for (;;) {
    Result<LogReader::Outcome> outcome = (*reader)->Next(record);
    STEMEDB_CHECK(outcome.ok());
    if (*outcome != LogReader::Outcome::kRecord) {
      STEMEDB_CHECK(*outcome == LogReader::Outcome::kBad || (*reader)->position() == (*reader)->file_bytes());
      if (*outcome == LogReader::Outcome::kBad) STEMEDB_CHECK(!(*reader)->problem().empty());
      break;
    }
    STEMEDB_CHECK(record.type != kInvalidRecordType);
    STEMEDB_CHECK(record.file_pos + RecordBytes(record.payload.size()) == (*reader)->position());
    ++records;
  }
  if (scan.problem == ScanProblem::kBadHeader) return;  // a file-name mismatch: the reader reads on
  STEMEDB_CHECK(records >= scan.records);
  if (scan.clean()) STEMEDB_CHECK(records == scan.records);
}

}  // namespace
}  // namespace stemedb::wal

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace stemedb;
  using namespace stemedb::wal;
  static PosixEnv env;
  static const std::string dir = fuzz::ScratchDir() + "/wal";
  std::filesystem::remove_all(dir);  // nothing of the previous input survives
  std::filesystem::create_directory(dir);

  Input in(data, size);
  const uint8_t mode = in.Byte();
  const Placement placement = PlacementFor(mode);
  std::string file;
  if (mode & 1) {
    file = Build(placement.header, in);
  } else {
    if (!(mode & 4)) file = EncodeSegmentHeader(placement.header);
    file += in.Rest();
  }
  const std::string path = fuzz::WriteScratchFile("wal/" + placement.file_name, file);

  Result<SegmentScan> scan = ScanSegment(env, path);
  STEMEDB_CHECK(scan.ok());
  STEMEDB_CHECK(scan->file_bytes == file.size());
  CheckScan(*scan, UINT64_MAX);
  CheckReader(env, path, *scan);

  // A cut at the middle of the file (stemedb-wal-repair's): never sees more.
  const uint64_t middle = file.size() / 2;
  Result<SegmentScan> cut = ScanSegment(env, path, middle);
  STEMEDB_CHECK(cut.ok());
  CheckScan(*cut, middle);
  STEMEDB_CHECK(cut->records <= scan->records);

  Result<LogScan> log = ScanLog(env, dir);
  STEMEDB_CHECK(log.ok());
  STEMEDB_CHECK(!(log->corruption && log->torn_tail));
  if (scan->clean() && !(mode & 8)) {
    STEMEDB_CHECK(!log->corruption && !log->torn_tail);
  }
  return 0;
}

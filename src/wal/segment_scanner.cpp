#include "stemedb/wal/segment_scanner.h"

#include <algorithm>
#include <optional>

#include "stemedb/wal/log_format.h"
#include "stemedb/wal/log_reader.h"
#include "stemedb/wal/record_payload.h"
#include "stemedb/wal/segment_name.h"

namespace stemedb::wal {
namespace {

constexpr uint64_t kProbeWindowBytes = 1 << 20;
constexpr uint64_t kHashChunkBytes = 64 << 10;
// A journal record's header and its seq/time prefix: what a candidate is judged on before any
// checksumming, and the smallest a journal record can be.
constexpr uint64_t kMinJournalRecordBytes = RecordBytes(kJournalPrefixBytes);

// The search for a valid record after a bad one. Nothing says where the next record begins, so
// every byte position is a candidate; what keeps the work linear in the segment's size:
//
// - Positions are read once, in 1 MiB windows; a candidate is judged on the 25 bytes at it
//   (framing, and the seq and time every journal record starts with) before anything else.
//   Damage changes bytes in place (records keep their positions), so a valid record after it
//   has a seq above the last valid one, at most one more than the records that fit between the
//   damage and it, and a time no earlier than the last valid one (the writer never goes back).
//   Random or zeroed bytes pass these checks about never, a genuine record always.
// - Checksumming the candidates that pass costs their length, so it is bounded in total by the
//   segment's own size. A candidate the rest of that budget cannot cover is skipped; the search
//   goes on, and if it finds no valid record the verdict is "gave up", which the callers treat
//   as corruption (refuse, never cut), not as a torn tail: a bound never loses a record.
//
// So the work is at most one read of the segment plus checksumming one segment's worth of
// bytes, whatever the damage, instead of (before) checksumming the rest of the segment for
// every position whose length field happened to fit, quadratic in the segment's size.
class ResyncSearch {
 public:
  ResyncSearch(File& file, const SegmentScan& scan, bool seq_known)
      : file_(file),
        from_(scan.problem_pos),
        end_(scan.file_bytes),
        after_seq_(scan.last_seq),
        seq_known_(seq_known),
        ingested_at_min_(scan.records > 0 ? scan.last_ingested_at_ms : 0),
        hash_budget_bytes_(scan.file_bytes) {}

  // The first position in (from, end) where a valid journal record starts, if any.
  Result<std::optional<uint64_t>> Run();
  // Candidates left unchecked because the budget ran out (a valid record may be among them).
  bool gave_up() const { return skipped_ > 0; }
  void CopyStats(SegmentScan& scan) const {
    scan.resync_bytes_read = bytes_read_;
    scan.resync_bytes_hashed = bytes_hashed_;
    scan.resync_candidates = candidates_;
    scan.resync_gave_up = gave_up();
  }

 private:
  bool Plausible(uint64_t pos, const char* at) const;
  Result<bool> Checksummed(uint64_t pos, const RecordHeader& h);

  File& file_;
  const uint64_t from_;
  const uint64_t end_;
  const uint64_t after_seq_;
  const bool seq_known_;
  const uint64_t ingested_at_min_;
  const uint64_t hash_budget_bytes_;
  uint64_t bytes_read_ = 0;
  uint64_t bytes_hashed_ = 0;
  uint64_t candidates_ = 0;
  uint64_t skipped_ = 0;
};

// Whether the kMinJournalRecordBytes at `at` (file position pos) could start a valid record.
bool ResyncSearch::Plausible(uint64_t pos, const char* at) const {
  RecordHeader h = DecodeRecordHeader(at);
  if (h.type == kInvalidRecordType || h.payload_bytes < kJournalPrefixBytes) return false;
  if (h.payload_bytes > kMaxRecordPayloadBytes || RecordBytes(h.payload_bytes) > end_ - pos) return false;
  std::optional<JournalPayload> p =
      DecodeJournalPayload(std::string_view(at + kRecordHeaderBytes, kJournalPrefixBytes));
  if (!p || p->seq <= after_seq_ || p->ingested_at_ms < ingested_at_min_) return false;
  // The records lost between the damage and pos each took at least kMinJournalRecordBytes.
  return !seq_known_ || p->seq - after_seq_ - 1 <= (pos - from_) / kMinJournalRecordBytes;
}

// Whether the whole record at pos matches its checksum; read in bounded chunks.
Result<bool> ResyncSearch::Checksummed(uint64_t pos, const RecordHeader& h) {
  std::string chunk(std::min<uint64_t>(kHashChunkBytes, 1 + uint64_t{h.payload_bytes}), '\0');
  RecordChecksumStream checksum(h.payload_bytes);
  uint64_t at = pos + kRecordHeaderBytes - 1;  // the type byte
  uint64_t left = 1 + uint64_t{h.payload_bytes};
  while (left > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(left, chunk.size()));
    Result<size_t> got = ReadFully(file_, at, chunk.data(), n);
    if (!got.ok()) return got.status();
    bytes_read_ += *got;
    if (*got != n) return false;
    checksum.Update(chunk.data(), n);
    bytes_hashed_ += n;
    at += n;
    left -= n;
  }
  return checksum.Digest() == h.checksum;
}

Result<std::optional<uint64_t>> ResyncSearch::Run() {
  std::string window;
  for (uint64_t base = from_ + 1; base + kMinJournalRecordBytes <= end_; base += kProbeWindowBytes) {
    // Overlap the next window by a candidate's first bytes so one across the boundary is seen whole.
    uint64_t n = std::min(kProbeWindowBytes + kMinJournalRecordBytes, end_ - base);
    window.resize(n);
    Result<size_t> got = ReadFully(file_, base, window.data(), n);
    if (!got.ok()) return got.status();
    bytes_read_ += *got;
    for (uint64_t i = 0; i < kProbeWindowBytes && i + kMinJournalRecordBytes <= *got; ++i) {
      if (!Plausible(base + i, window.data() + i)) continue;
      RecordHeader h = DecodeRecordHeader(window.data() + i);
      if (bytes_hashed_ + 1 + h.payload_bytes > hash_budget_bytes_) {
        ++skipped_;
        continue;
      }
      ++candidates_;
      Result<bool> valid = Checksummed(base + i, h);
      if (!valid.ok()) return valid.status();
      if (*valid) return std::optional<uint64_t>(base + i);
    }
  }
  return std::optional<uint64_t>();
}

void SetProblem(SegmentScan& scan, ScanProblem problem, uint64_t pos, std::string reason) {
  scan.problem = problem;
  scan.problem_pos = pos;
  scan.problem_reason = std::move(reason);
}

// Checks a valid record's journal payload; false (and the problem set) when it is wrong.
bool AcceptPayload(SegmentScan& scan, const LogReader::Record& record) {
  std::optional<JournalPayload> p = DecodeJournalPayload(record.payload);
  if (!p) {
    SetProblem(scan, ScanProblem::kBadPayload, record.file_pos,
               "payload of " + std::to_string(record.payload.size()) +
                   " bytes lacks a valid journal prefix (seq, ingested_at_ms)");
    return false;
  }
  if (scan.records > 0 && p->seq != scan.last_seq + 1) {
    SetProblem(
        scan, ScanProblem::kBadPayload, record.file_pos,
        "seq " + std::to_string(p->seq) + " does not follow seq " + std::to_string(scan.last_seq));
    return false;
  }
  if (scan.records == 0) scan.first_seq = p->seq;
  scan.last_seq = p->seq;
  scan.last_ingested_at_ms = p->ingested_at_ms;
  ++scan.records;
  return true;
}

}  // namespace

const char* ScanProblemName(ScanProblem problem) {
  switch (problem) {
    case ScanProblem::kNone:
      return "none";
    case ScanProblem::kBadHeader:
      return "bad_header";
    case ScanProblem::kBadRecord:
      return "bad_record";
    case ScanProblem::kBadPayload:
      return "bad_payload";
  }
  return "unknown";
}

Result<SegmentScan> ScanSegment(Env& env, const std::string& path, uint64_t stop_at_file_pos) {
  SegmentScan scan;
  scan.name = BaseName(path);
  Result<std::unique_ptr<File>> file = env.OpenFile(path, OpenMode::kReadOnly);
  if (!file.ok()) return file.status();
  Result<uint64_t> size = (*file)->Size();
  if (!size.ok()) return size.status();
  scan.file_bytes = *size;

  Result<std::unique_ptr<LogReader>> reader = LogReader::FromFile(std::move(file).value());
  if (!reader.ok()) {
    if (reader.status().code() != StatusCode::kCorruption) return reader.status();
    SetProblem(scan, ScanProblem::kBadHeader, 0, reader.status().message());
    return scan;
  }
  scan.header = (*reader)->header();
  std::optional<uint64_t> named = ParseSegmentFileName(scan.name);
  if (named && *named != scan.header.sequence) {
    SetProblem(scan, ScanProblem::kBadHeader, 0,
               "header says sequence " + std::to_string(scan.header.sequence) +
                   " but the file is named " + scan.name);
    return scan;
  }

  scan.valid_bytes = kSegmentHeaderBytes;
  LogReader::Record record;
  for (;;) {
    Result<LogReader::Outcome> outcome = (*reader)->Next(record);
    if (!outcome.ok()) return outcome.status();
    if (*outcome == LogReader::Outcome::kEnd) return scan;
    if (*outcome == LogReader::Outcome::kBad) break;
    if ((*reader)->position() > stop_at_file_pos) return scan;
    if (!AcceptPayload(scan, record)) return scan;
    scan.valid_bytes = (*reader)->position();
  }
  SetProblem(scan, ScanProblem::kBadRecord, (*reader)->position(), (*reader)->problem());
  // The seq a valid record after the damage can have is bounded when the seq before it is
  // known: a valid record precedes it here, or this is the log's first segment (seq 1 first).
  const bool seq_known = scan.records > 0 || scan.header.sequence == kFirstSegmentSequence;
  ResyncSearch search((*reader)->file(), scan, seq_known);
  Result<std::optional<uint64_t>> after = search.Run();
  if (!after.ok()) return after.status();
  scan.valid_record_after = *after;
  search.CopyStats(scan);
  return scan;
}

}  // namespace stemedb::wal

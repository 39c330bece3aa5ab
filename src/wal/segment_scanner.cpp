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
constexpr uint64_t kMinJournalRecordBytes = RecordBytes(kJournalPrefixBytes);

// Whether a whole, checksummed journal record with a seq above after_seq starts at pos.
Result<bool> IsValidRecordAt(File& file, uint64_t pos, const RecordHeader& h, uint64_t after_seq) {
  std::string chunk(std::min<uint64_t>(kHashChunkBytes, 1 + uint64_t{h.payload_bytes}), '\0');
  RecordChecksumStream checksum(h.payload_bytes);
  uint64_t at = pos + kRecordHeaderBytes - 1;  // the type byte
  uint64_t left = 1 + uint64_t{h.payload_bytes};
  std::optional<uint64_t> seq;
  while (left > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(left, chunk.size()));
    Result<size_t> got = ReadFully(file, at, chunk.data(), n);
    if (!got.ok()) return got.status();
    if (*got != n) return false;
    if (!seq) {
      auto payload = DecodeJournalPayload(std::string_view(chunk.data() + 1, n - 1));
      if (!payload || payload->seq <= after_seq) return false;
      seq = payload->seq;
    }
    checksum.Update(chunk.data(), n);
    at += n;
    left -= n;
  }
  return checksum.Digest() == h.checksum;
}

// The first position in (from, end) where a valid journal record starts, if any. Tries every
// byte: after damage nothing says where the next record begins.
Result<std::optional<uint64_t>> FindValidRecordAfter(File& file, uint64_t from, uint64_t end,
                                                     uint64_t after_seq) {
  std::string window;
  for (uint64_t base = from + 1; base + kMinJournalRecordBytes <= end; base += kProbeWindowBytes) {
    // Overlap the next window by a header so a header across the boundary is seen whole.
    uint64_t n = std::min(kProbeWindowBytes + kRecordHeaderBytes, end - base);
    window.resize(n);
    Result<size_t> got = ReadFully(file, base, window.data(), n);
    if (!got.ok()) return got.status();
    for (uint64_t i = 0; i < kProbeWindowBytes && i + kRecordHeaderBytes <= *got; ++i) {
      RecordHeader h = DecodeRecordHeader(window.data() + i);
      if (h.type == kInvalidRecordType || h.payload_bytes < kJournalPrefixBytes) continue;
      if (RecordBytes(h.payload_bytes) > end - (base + i)) continue;
      Result<bool> valid = IsValidRecordAt(file, base + i, h, after_seq);
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
  Result<std::optional<uint64_t>> after =
      FindValidRecordAfter((*reader)->file(), scan.problem_pos, scan.file_bytes, scan.last_seq);
  if (!after.ok()) return after.status();
  scan.valid_record_after = *after;
  return scan;
}

}  // namespace stemedb::wal

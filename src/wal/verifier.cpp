#include "stemedb/wal/verifier.h"

#include "stemedb/wal/segment_name.h"

namespace stemedb::wal {

Result<VerifyReport> VerifyFile(Env& env, const std::string& path) {
  Result<SegmentScan> scan = ScanSegment(env, path);
  if (!scan.ok()) return scan.status();
  std::optional<uint64_t> sequence = ParseSegmentFileName(scan->name);
  bool is_last =
      !sequence || !env.FileExists(JoinPath(DirName(path), SegmentFileName(*sequence + 1)));

  VerifyReport report;
  report.corruption = SegmentCorruption(*scan, is_last);
  if (!report.corruption && scan->torn_tail()) {
    report.torn_tail = DamageAt(*scan, scan->problem_pos, scan->problem_reason);
  }
  report.segments.push_back(std::move(scan).value());
  return report;
}

Result<VerifyReport> VerifyDir(Env& env, const std::string& dir) {
  Result<LogScan> log = ScanLog(env, dir);
  if (!log.ok()) return log.status();
  VerifyReport report;
  report.segments = std::move(log->segments);
  report.corruption = std::move(log->corruption);
  report.torn_tail = std::move(log->torn_tail);
  return report;
}

}  // namespace stemedb::wal

#include "verify_output.h"

namespace stemedb::tools {
namespace {

using wal::LogDamage;
using wal::SegmentScan;
using wal::VerifyReport;

bool IsAt(const std::optional<LogDamage>& damage, const SegmentScan& s) {
  return damage && damage->segment == s.name;
}

const char* SegmentStatus(const VerifyReport& r, const SegmentScan& s) {
  if (IsAt(r.corruption, s)) return "corrupt";
  if (IsAt(r.torn_tail, s)) return "torn_tail";
  return "ok";
}

nlohmann::json DamageJson(const std::optional<LogDamage>& d) {
  if (!d) return nullptr;
  return {{"segment", d->segment},
          {"byte_offset", d->file_pos},
          {"global_offset", d->global_offset},
          {"reason", d->reason}};
}

std::string SegmentLine(const VerifyReport& r, const SegmentScan& s) {
  std::string line = s.name + ": ";
  if (IsAt(r.corruption, s)) {
    return line + "CORRUPT at byte offset " + std::to_string(r.corruption->file_pos) + ": " +
           r.corruption->reason;
  }
  line += std::to_string(s.records) + " records";
  if (s.records > 0) {
    line += ", seq " + std::to_string(s.first_seq) + ".." + std::to_string(s.last_seq);
  }
  line += ", global offsets " + std::to_string(s.base_offset()) + ".." +
          std::to_string(s.end_offset()) + ", " + std::to_string(s.valid_bytes) + " bytes";
  if (IsAt(r.torn_tail, s)) {
    line += "; torn tail at byte offset " + std::to_string(s.problem_pos) + " (" +
            std::to_string(s.file_bytes - s.problem_pos) + " bytes: " + s.problem_reason +
            "; an interrupted write, recovery cuts it)";
  }
  return line;
}

}  // namespace

const char* Verdict(const VerifyReport& report) {
  if (report.corrupt()) return "corrupt";
  if (report.torn_tail) return "torn_tail";
  return "clean";
}

std::string FormatText(const VerifyReport& report) {
  std::string out;
  uint64_t records = 0;
  for (const SegmentScan& s : report.segments) {
    out += SegmentLine(report, s) + "\n";
    records += s.records;
  }
  if (report.corruption) {
    out += "CORRUPT: first bad offset " + std::to_string(report.corruption->file_pos) + " in " +
           report.corruption->segment + " (global offset " +
           std::to_string(report.corruption->global_offset) + "): " + report.corruption->reason +
           "\n";
  } else {
    out += "OK: " + std::to_string(report.segments.size()) + " segments, " +
           std::to_string(records) + " records" +
           (report.torn_tail ? ", torn tail at the end" : "") + "\n";
  }
  return out;
}

nlohmann::json FormatJson(const VerifyReport& report, const std::string& target) {
  nlohmann::json segments = nlohmann::json::array();
  for (const SegmentScan& s : report.segments) {
    segments.push_back({{"file", s.name},
                        {"status", SegmentStatus(report, s)},
                        {"sequence", s.header.sequence},
                        {"base_offset", s.base_offset()},
                        {"end_offset", s.end_offset()},
                        {"file_bytes", s.file_bytes},
                        {"valid_bytes", s.valid_bytes},
                        {"records", s.records},
                        {"first_seq", s.first_seq},
                        {"last_seq", s.last_seq}});
  }
  return {{"target", target},
          {"status", Verdict(report)},
          {"first_bad", DamageJson(report.corruption)},
          {"torn_tail", DamageJson(report.torn_tail)},
          {"segments", segments}};
}

}  // namespace stemedb::tools

#include "stemedb/wal/segment_name.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace stemedb::wal {
namespace {

constexpr std::string_view kPrefix = "segment.";
constexpr std::string_view kSuffix = ".wal";
constexpr std::string_view kTempSuffix = ".tmp";

}  // namespace

std::string SegmentFileName(uint64_t sequence) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "segment.%03llu.wal", static_cast<unsigned long long>(sequence));
  return buf;
}

std::string TempSegmentFileName(uint64_t sequence) {
  return SegmentFileName(sequence) + std::string(kTempSuffix);
}

std::optional<uint64_t> ParseSegmentFileName(std::string_view name) {
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return std::nullopt;
  std::string_view digits = name.substr(kPrefix.size());
  digits.remove_suffix(kSuffix.size());
  if (digits.size() < 3 || digits.size() > 20) return std::nullopt;
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  uint64_t sequence = 0;
  auto res = std::from_chars(digits.data(), digits.data() + digits.size(), sequence);
  if (res.ec != std::errc() || sequence < kFirstSegmentSequence) return std::nullopt;
  // Only the canonical spelling: "segment.0001.wal" would alias "segment.001.wal".
  if (SegmentFileName(sequence) != name) return std::nullopt;
  return sequence;
}

std::optional<uint64_t> ParseTempSegmentFileName(std::string_view name) {
  if (!name.ends_with(kTempSuffix)) return std::nullopt;
  name.remove_suffix(kTempSuffix.size());
  return ParseSegmentFileName(name);
}

Result<std::vector<SegmentFile>> ListSegments(Env& env, const std::string& dir) {
  Result<std::vector<std::string>> names = env.ListDir(dir);
  if (!names.ok()) return names.status();
  std::vector<SegmentFile> segments;
  for (std::string& name : *names) {
    if (std::optional<uint64_t> seq = ParseSegmentFileName(name)) {
      segments.push_back({*seq, std::move(name)});
    }
  }
  std::sort(segments.begin(), segments.end(),
            [](const SegmentFile& a, const SegmentFile& b) { return a.sequence < b.sequence; });
  return segments;
}

}  // namespace stemedb::wal

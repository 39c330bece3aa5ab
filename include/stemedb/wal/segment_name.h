#pragma once
// Segment file names: segment.001.wal, segment.002.wal, ... The sequence has at least three
// digits and is compared as a number, so segment.1000.wal follows segment.999.wal.
// A segment being created is written as segment.NNN.wal.tmp and renamed into place once its
// header is durable, so a segment.NNN.wal always starts with a complete header.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stemedb/ground/status.h"
#include "stemedb/ground/env.h"

namespace stemedb::wal {

inline constexpr uint64_t kFirstSegmentSequence = 1;

std::string SegmentFileName(uint64_t sequence);
std::string TempSegmentFileName(uint64_t sequence);

// The sequence of a canonical segment file name (exactly what SegmentFileName makes), else
// nullopt: "segment.001.wal.corrupted", "segment.1.wal" and "segment.001.wal.tmp" are not
// segments.
std::optional<uint64_t> ParseSegmentFileName(std::string_view name);
std::optional<uint64_t> ParseTempSegmentFileName(std::string_view name);

struct SegmentFile {
  uint64_t sequence = 0;
  std::string name;
};

// The segments in dir, in sequence order. Other files are ignored.
Result<std::vector<SegmentFile>> ListSegments(Env& env, const std::string& dir);

}  // namespace stemedb::wal

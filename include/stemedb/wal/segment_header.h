#pragma once
// The fixed 40-byte header at the start of every segment file:
//
//   offset  size  field
//        0     8  magic "STEMEWAL"
//        8     4  u32le format version (1)
//       12     4  u32le reserved, zero
//       16     8  u64le segment sequence (the NNN of segment.NNN.wal)
//       24     8  u64le base offset: the global offset of the segment's first record
//       32     8  u64le XXH3-64 of bytes 0..31
//
// Records follow at byte 40; a record at file position p has global offset
// base_offset + (p - 40), so global offsets run on without gaps from one segment to the next.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "stemedb/ground/status.h"

namespace stemedb::wal {

inline constexpr size_t kSegmentHeaderBytes = 40;
inline constexpr std::string_view kSegmentMagic = "STEMEWAL";
inline constexpr uint32_t kSegmentFormatVersion = 1;

struct SegmentHeader {
  uint64_t sequence = 0;
  uint64_t base_offset = 0;

  // The global offset of the byte at file position `file_pos` (>= kSegmentHeaderBytes).
  uint64_t GlobalOffset(uint64_t file_pos) const {
    return base_offset + (file_pos - kSegmentHeaderBytes);
  }
};

// Exactly kSegmentHeaderBytes bytes.
std::string EncodeSegmentHeader(const SegmentHeader& header);
// Checks magic, version, reserved bytes and checksum; in must hold kSegmentHeaderBytes bytes.
// kCorruption names what is wrong.
Result<SegmentHeader> DecodeSegmentHeader(std::string_view in);

}  // namespace stemedb::wal

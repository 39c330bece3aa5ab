#pragma once
// What the journal knows about one segment file.

#include <cstdint>
#include <string>

namespace stemedb::wal {

struct SegmentInfo {
  std::string name;  // segment.NNN.wal
  uint64_t sequence = 0;
  uint64_t base_offset = 0;  // global offset of its first record
  uint64_t end_offset = 0;   // global offset just past its last record
  uint64_t bytes = 0;        // file size, header included
  bool sealed = false;       // rotated away from; only the active (last) segment is not
};

}  // namespace stemedb::wal

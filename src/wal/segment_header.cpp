#include "stemedb/wal/segment_header.h"

#include <xxhash.h>

#include "stemedb/ground/coding.h"

namespace stemedb::wal {
namespace {

constexpr size_t kChecksumPos = 32;

uint64_t HeaderChecksum(const char* header) { return XXH3_64bits(header, kChecksumPos); }

}  // namespace

std::string EncodeSegmentHeader(const SegmentHeader& header) {
  std::string out(kSegmentHeaderBytes, '\0');
  out.replace(0, kSegmentMagic.size(), kSegmentMagic);
  EncodeU32LE(out.data() + 8, kSegmentFormatVersion);
  EncodeU32LE(out.data() + 12, 0);
  EncodeU64LE(out.data() + 16, header.sequence);
  EncodeU64LE(out.data() + 24, header.base_offset);
  EncodeU64LE(out.data() + kChecksumPos, HeaderChecksum(out.data()));
  return out;
}

Result<SegmentHeader> DecodeSegmentHeader(std::string_view in) {
  if (in.size() < kSegmentHeaderBytes) {
    return Status::Corruption("segment header truncated: " + std::to_string(in.size()) + " of " +
                              std::to_string(kSegmentHeaderBytes) + " bytes");
  }
  if (in.substr(0, kSegmentMagic.size()) != kSegmentMagic) {
    return Status::Corruption("bad segment magic (not a StemeDB WAL segment)");
  }
  if (DecodeU64LE(in.data() + kChecksumPos) != HeaderChecksum(in.data())) {
    return Status::Corruption("segment header checksum mismatch");
  }
  uint32_t version = DecodeU32LE(in.data() + 8);
  if (version != kSegmentFormatVersion) {
    return Status::Corruption("unsupported segment format version " + std::to_string(version));
  }
  if (DecodeU32LE(in.data() + 12) != 0) {
    return Status::Corruption("segment header reserved bytes are not zero");
  }
  SegmentHeader header;
  header.sequence = DecodeU64LE(in.data() + 16);
  header.base_offset = DecodeU64LE(in.data() + 24);
  return header;
}

}  // namespace stemedb::wal

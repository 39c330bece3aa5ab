// The search for a valid record after a bad one: its work is linear in the segment's size
// (counted in bytes read and checksummed, and in read calls through the Env), whatever the
// damage, and it never calls a torn tail what might hide a valid record.
#include "stemedb/wal/segment_scanner.h"

#include <gtest/gtest.h>

#include <random>

#include "stemedb/ground/fault_injection_env.h"
#include "stemedb/ground/coding.h"
#include "stemedb/wal/log_scan.h"
#include "stemedb/wal/record_payload.h"
#include "stemedb/wal/segment_header.h"
#include "support/file_bytes.h"
#include "support/temp_dir.h"

namespace stemedb::wal {
namespace {

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kTime = 1700000000000;
constexpr uint64_t kReadChunkBytes = 64 << 10;  // the scanner's largest read of a candidate

// A segment of `records` valid journal records (seq from first_seq) of about 300 bytes each, or
// with empty bodies (the smallest records there are: 25 bytes).
std::string Segment(uint64_t sequence, uint64_t first_seq, size_t records, bool empty_bodies = false) {
  std::string out = EncodeSegmentHeader({sequence, 0});
  for (size_t i = 0; i < records; ++i) {
    const size_t body_bytes = empty_bodies ? 0 : 200 + (i * 37) % 200;
    AppendJournalRecord(out, 1, first_seq + i, kTime, std::string(body_bytes, static_cast<char>('a' + i % 26)));
  }
  return out;
}

// A record whose length field claims more than the file holds: bad, where the damage starts.
void AppendBadRecord(std::string& out) {
  char header[9] = {};
  EncodeU32LE(header, 0x7fffffff);
  header[8] = 1;
  out.append(header, sizeof header);
}

void AppendRandom(std::string& out, size_t total_bytes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  while (out.size() < total_bytes) out.push_back(static_cast<char>(rng()));
}

// After the bad record, every kMinJournalRecordBytes a header that passes every check made before
// checksumming (a plausible seq and time) and claims a payload running to the end of the file:
// the worst case for the search, each candidate costing the rest of the segment.
void AppendCraftedCandidates(std::string& out, size_t total_bytes, uint64_t next_seq) {
  const size_t start = out.size();
  out.resize(total_bytes, '\0');
  for (size_t p = start; p + 25 <= total_bytes; p += 25) {
    EncodeU32LE(out.data() + p, static_cast<uint32_t>(total_bytes - p - 9));
    EncodeU32LE(out.data() + p + 4, 0x12345678);  // never the checksum
    out[p + 8] = 1;
    EncodeU64LE(out.data() + p + 9, next_seq);
    EncodeU64LE(out.data() + p + 17, kTime);
  }
}

class SegmentScannerTest : public ::testing::Test {
 protected:
  SegmentScan Scan(const std::string& bytes, const std::string& name = "segment.001.wal") {
    const std::string path = dir_.Sub(name);
    stemedb::testing::WriteFileBytes(path, bytes);
    reads_before_ = env_.Calls(FaultOp::kRead);
    Result<SegmentScan> scan = ScanSegment(env_, path);
    EXPECT_TRUE(scan.ok()) << scan.status().ToString();
    return scan.ok() ? *scan : SegmentScan{};
  }
  uint64_t ReadCalls() const { return env_.Calls(FaultOp::kRead) - reads_before_; }

  stemedb::testing::TempDir dir_;
  FaultInjectionEnv env_;
  uint64_t reads_before_ = 0;
};

// Random bytes behind the damage (a segment overwritten from the middle on): before, every
// position whose length field fitted was checksummed to its end, quadratic in the segment size
// (4 MiB: about 300,000 reads). Now the rest of the file is read about once.
TEST_F(SegmentScannerTest, GarbageAfterDamageIsReadOnceAndIsATornTail) {
  for (uint64_t size : {1 * kMiB, 4 * kMiB}) {
    std::string bytes = Segment(1, 1, 100);
    AppendBadRecord(bytes);
    AppendRandom(bytes, size, size);
    SegmentScan s = Scan(bytes);
    EXPECT_EQ(s.problem, ScanProblem::kBadRecord);
    EXPECT_TRUE(s.torn_tail()) << size;
    EXPECT_FALSE(s.resync_gave_up);
    EXPECT_LE(s.resync_bytes_read, 2 * size) << size;
    EXPECT_LE(s.resync_bytes_hashed, size) << size;
    // One read per 1 MiB window, plus a few for any candidate; not one per candidate position.
    EXPECT_LE(ReadCalls(), size / kMiB + 2 + 2 * size / kReadChunkBytes) << size;
  }
}

// Candidates crafted to pass every cheap check: checksumming stops at the segment's size, and
// the verdict is corruption (refuse, never cut), since a valid record could hide among the
// candidates left unchecked.
TEST_F(SegmentScannerTest, CraftedCandidatesCostAtMostOneSegmentOfChecksumming) {
  uint64_t hashed_per_byte_max = 0;
  for (uint64_t size : {kMiB / 4, kMiB}) {
    std::string bytes = Segment(1, 1, 20);
    AppendBadRecord(bytes);
    AppendCraftedCandidates(bytes, size, 21);
    SegmentScan s = Scan(bytes);
    EXPECT_EQ(s.problem, ScanProblem::kBadRecord);
    EXPECT_FALSE(s.valid_record_after);
    EXPECT_TRUE(s.resync_gave_up);
    EXPECT_FALSE(s.torn_tail()) << "an unchecked candidate might be a valid record";
    EXPECT_LE(s.resync_bytes_hashed, size);
    EXPECT_LE(s.resync_bytes_read, 3 * size);
    EXPECT_LE(ReadCalls(), size / kMiB + 2 + 2 * size / kReadChunkBytes + s.resync_candidates);
    std::optional<LogDamage> damage = SegmentCorruption(s, /*is_last=*/true);
    ASSERT_TRUE(damage.has_value());
    EXPECT_NE(damage->reason.find("left others unchecked"), std::string::npos) << damage->reason;
    hashed_per_byte_max = std::max(hashed_per_byte_max, s.resync_bytes_hashed / size);
  }
  EXPECT_LE(hashed_per_byte_max, 1u) << "linear: the same work per byte at every size";
}

// A block of random bytes in the middle of valid records: the first valid record after it is
// found and named, with little checksumming.
TEST_F(SegmentScannerTest, ValidRecordAfterADamagedBlockIsFoundAndNamed) {
  std::string bytes = Segment(1, 1, 2000);
  const std::string good = bytes;
  std::mt19937_64 rng(7);
  const size_t block_at = good.size() / 2;
  for (size_t i = 0; i < 4096; ++i) bytes[block_at + i] = static_cast<char>(rng());
  SegmentScan s = Scan(bytes);
  ASSERT_EQ(s.problem, ScanProblem::kBadRecord);
  ASSERT_TRUE(s.valid_record_after.has_value());
  EXPECT_GT(*s.valid_record_after, block_at + 4096 - 1);
  EXPECT_LE(*s.valid_record_after, block_at + 4096 + 500) << "the first record after the block";
  EXPECT_FALSE(s.torn_tail());
  EXPECT_LE(s.resync_bytes_hashed, 4 * 1024u) << "only the genuine record, give or take";
}

// Damage to the first record of a later segment: the seq before it is in the previous segment,
// so only the checksumming budget bounds the search; still linear, and never a torn tail by
// default when the budget ran out.
TEST_F(SegmentScannerTest, DamageAtTheStartOfALaterSegmentStaysLinear) {
  const uint64_t size = 2 * kMiB;
  std::string bytes = EncodeSegmentHeader({7, 123456});
  AppendBadRecord(bytes);
  AppendRandom(bytes, size, 3);
  SegmentScan s = Scan(bytes, "segment.007.wal");
  EXPECT_EQ(s.problem, ScanProblem::kBadRecord);
  EXPECT_FALSE(s.valid_record_after);
  EXPECT_LE(s.resync_bytes_hashed, size);
  EXPECT_LE(s.resync_bytes_read, 3 * size);
  EXPECT_LE(ReadCalls(), size / kMiB + 2 + 2 * size / kReadChunkBytes + s.resync_candidates);
}

// The cheap checks never reject a genuine record: the first valid record after a run of damaged
// ones is found, at every run length, with records of any size (the smallest, 25 bytes, put it
// exactly at the bound on its seq).
TEST_F(SegmentScannerTest, GenuineRecordsPassTheChecksBeforeChecksumming) {
  for (bool empty_bodies : {false, true}) {
    const std::string good = Segment(1, 1, 30, empty_bodies);
    std::vector<size_t> pos;  // where each record starts, from their lengths
    for (size_t p = kSegmentHeaderBytes; p < good.size(); p += 9 + DecodeU32LE(good.data() + p)) pos.push_back(p);
    ASSERT_EQ(pos.size(), 30u);
    for (size_t first_bad : {0, 5, 28}) {
      for (size_t lost : {1, 2, 10}) {
        if (first_bad + lost >= pos.size()) continue;
        std::string bytes = good;
        // Each damaged record gets a length that runs past the end of the file.
        for (size_t r = first_bad; r < first_bad + lost; ++r) EncodeU32LE(bytes.data() + pos[r], 0x7fffffff);
        SegmentScan s = Scan(bytes);
        ASSERT_EQ(s.problem_pos, pos[first_bad]);
        ASSERT_TRUE(s.valid_record_after.has_value()) << first_bad << "+" << lost << " empty " << empty_bodies;
        EXPECT_EQ(*s.valid_record_after, pos[first_bad + lost]) << first_bad << "+" << lost;
      }
    }
  }
}

}  // namespace
}  // namespace stemedb::wal

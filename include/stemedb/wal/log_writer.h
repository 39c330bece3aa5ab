#pragma once
// The active segment, as the journal's writer thread sees it: bytes go on at the end, then a
// sync makes them durable. A new segment is written as segment.NNN.wal.tmp (header, then
// fdatasync), renamed into place and the directory synced, so a segment.NNN.wal on disk always
// has a complete, durable header.
//
// Not thread-safe: one writer thread owns it.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "stemedb/ground/status.h"
#include "stemedb/ground/env.h"
#include "stemedb/wal/segment_info.h"

namespace stemedb::wal {

class LogWriter {
 public:
  // On failure, *renamed (when given) says whether the segment got its final name: before the
  // rename nothing is visible (the .tmp file is removed, best effort) and Create may simply be
  // called again; after it, the segment exists but its directory entry may not be durable.
  // A .tmp file left by an earlier failed attempt is removed first.
  static Result<std::unique_ptr<LogWriter>> Create(Env& env, const std::string& dir,
                                                   uint64_t sequence, uint64_t base_offset,
                                                   bool* renamed = nullptr);
  // Opens an existing segment to append after its last record (recovery already cut any torn
  // tail, so info.bytes is the file size).
  static Result<std::unique_ptr<LogWriter>> Reopen(Env& env, const std::string& dir,
                                                   const SegmentInfo& info);

  // Writes records (whole framed records) at the end. On failure some of them may be in the
  // file; file_bytes() still ends after the last complete Append.
  Status Append(std::string_view records);
  Status DataSync();  // fdatasync, after each batch: on success synced_bytes() == file_bytes()
  Status Seal();      // fsync: data and metadata, when rotating away
  // Cuts the file back to synced_bytes(), so a restart without a reboot does not read back
  // records whose write or sync failed (their callers were told so). Never syncs: after a
  // failed sync, no second sync on this file is trusted.
  Status DropUnsyncedTail();
  // Whether `bytes` more fit on the disk: writes that many zero bytes after the end and cuts
  // them off again (a zero-filled tail is never a record, so a crash in between leaves a torn
  // tail that recovery cuts). Nothing is synced. Only with no unsynced bytes. Fails with the
  // write's error (kDiskFull while the disk is full), or the truncate's.
  Status ProbeSpace(uint64_t bytes);

  const std::string& name() const { return name_; }
  uint64_t sequence() const { return sequence_; }
  uint64_t base_offset() const { return base_offset_; }
  uint64_t file_bytes() const { return file_bytes_; }
  uint64_t synced_bytes() const { return synced_bytes_; }
  // Whether the file may hold bytes past synced_bytes() (written, or half-written by a
  // failed Append).
  bool has_unsynced_bytes() const { return file_bytes_ > synced_bytes_ || append_failed_; }
  uint64_t end_offset() const;

 private:
  LogWriter(std::unique_ptr<File> file, std::string name, uint64_t sequence, uint64_t base_offset,
            uint64_t file_bytes);

  std::unique_ptr<File> file_;
  std::string name_;
  uint64_t sequence_;
  uint64_t base_offset_;
  uint64_t file_bytes_;    // written
  uint64_t synced_bytes_;  // durable
  bool append_failed_ = false;
};

}  // namespace stemedb::wal

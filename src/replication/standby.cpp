#include "stemedb/replication/standby.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "stemedb/ground/check.h"
#include "stemedb/replication/stream_format.h"

namespace stemedb::replication {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

client::ServerAddress PrimaryAddress(const std::string& url) {
  auto address = client::ParseServerUrl(url);
  STEMEDB_CHECK(address.ok());  // the configuration was checked at start-up
  return *address;
}

// The fork offset of a 409 wal_diverged (the primary's kForkOffsetHeader), if it named one.
std::optional<uint64_t> ForkOffset(const client::HttpResponse& r) {
  if (r.status != 409) return std::nullopt;
  const std::string v = r.Header(kForkOffsetHeader);
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 19) return std::nullopt;
  return std::stoull(v);
}

}  // namespace

StandbyReceiver::StandbyReceiver(storage::Store& store, StandbyOptions options)
    : store_(store),
      options_(std::move(options)),
      primary_(PrimaryAddress(options_.primary_url)),
      applied_waiters_(65536),
      stream_conn_(primary_.host, primary_.port, options_.read_timeout) {
  applied_waiters_.Advance(store_.kv().applied_position().offset);
}

StandbyReceiver::~StandbyReceiver() { Stop(); }

void StandbyReceiver::Start() {
  receiver_ = std::thread([this] { ReceiveLoop(); });
  acker_ = std::thread([this] { AckLoop(); });
}

void StandbyReceiver::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  cv_.notify_all();
  stream_conn_.Interrupt();
  if (receiver_.joinable()) receiver_.join();
  if (acker_.joinable()) acker_.join();
  applied_waiters_.Stop();
}

void StandbyReceiver::AwaitApplied(uint64_t position, http::PositionReached done) {
  applied_waiters_.Wait(position, options_.causal_wait, std::move(done));
}

std::optional<uint64_t> StandbyReceiver::diverged_at() const {
  std::lock_guard lock(mu_);
  return diverged_at_;
}

void StandbyReceiver::OnApplied() {
  applied_waiters_.Advance(store_.kv().applied_position().offset);
  {
    std::lock_guard lock(mu_);
    ack_due_ = true;
  }
  cv_.notify_all();
}

bool StandbyReceiver::streaming() const {
  return connected_.load() && SteadyMs() - last_message_steady_ms_.load() < options_.read_timeout.count();
}

nlohmann::json StandbyReceiver::StatusJson() const {
  std::lock_guard lock(mu_);
  const uint64_t applied = store_.kv().applied_position().offset;
  const uint64_t durable = primary_durable_.load();
  return {{"primary", options_.primary_url},
          {"name", options_.name},
          {"streaming", streaming()},
          {"connected_since_unix_ms", connected_.load() ? connected_since_unix_ms_.load() : 0},
          {"received", received_.load()},
          {"flushed", store_.journal().head_offset()},
          {"applied", applied},
          {"primary_durable", durable},
          {"lag_bytes", durable > applied ? durable - applied : 0},
          {"reconnects", reconnects_.load()},
          {"last_error", last_error_},
          {"stopped_by_journal_failure", !journal_failure_.ok()}};
}

void StandbyReceiver::SleepBackoff(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, wait, [&] { return stopped_; });
}

void StandbyReceiver::ReceiveLoop() {
  auto backoff = std::chrono::milliseconds(100);
  std::string logged_error;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopped_) break;
    }
    const uint64_t received_before = received_.load();
    Status s = StreamOnce();
    connected_.store(false);
    stream_conn_.Close();
    WaitForInflight();
    {
      std::lock_guard lock(mu_);
      if (stopped_) break;
      if (!journal_failure_.ok()) {
        spdlog::critical("replication: this standby's WAL failed ({}); it stops streaming until restarted",
                         journal_failure_.ToString());
        break;
      }
      if (diverged_at_) {
        spdlog::critical("replication: this node's log parts from the primary's at offset {} ({}); it stops "
                         "streaming: the records past it must be moved to wal/diverged/ (docs/replication.md, "
                         "\"Rejoining\")", *diverged_at_, s.ToString());
        last_error_ = s.ToString();
        break;
      }
      last_error_ = s.ToString();
    }
    if (received_.load() > received_before) backoff = std::chrono::milliseconds(100);  // it worked for a while
    // Said once per distinct cause, not at every retry.
    if (s.ToString() != logged_error) spdlog::warn("replication: stream from {} ended: {}; reconnecting", options_.primary_url, s.ToString());
    logged_error = s.ToString();
    reconnects_.fetch_add(1);
    SleepBackoff(backoff);
    backoff = std::min(backoff * 2, options_.backoff_max);
  }
}

Status StandbyReceiver::StreamOnce() {
  expected_ = store_.journal().tail();
  client::HttpConnection& conn = stream_conn_;
  const uint64_t term = store_.terms().current();
  const std::string target = "/v1/replication/stream?from=" + std::to_string(expected_.end_offset) +
                             "&seq=" + std::to_string(expected_.last_seq) + "&term=" + std::to_string(term) +
                             "&name=" + options_.name;
  STEMEDB_RETURN_IF_ERROR(conn.SendRequest("GET", target, "", {{"X-API-Key", options_.api_key}}));
  auto header = conn.ReadResponseHeader();
  if (!header.ok()) return header.status();
  if (header->status != 200) {
    if (auto fork = ForkOffset(*header)) {
      std::lock_guard lock(mu_);
      diverged_at_ = *fork;
    }
    Status read = conn.ReadBody(*header);
    return Status::Unavailable("the primary refused the stream from offset " + std::to_string(expected_.end_offset) +
                               ": HTTP " + std::to_string(header->status) + " " + (read.ok() ? header->body : read.ToString()));
  }
  // A primary of an older term than this log has seen is a deposed one still answering.
  const std::string primary_term = header->Header(kTermHeader);
  if (primary_term.empty() || std::strtoull(primary_term.c_str(), nullptr, 10) < term) {
    return Status::Unavailable("the primary at " + options_.primary_url + " is of term " +
                               (primary_term.empty() ? "(none)" : primary_term) + ", older than this log's term " +
                               std::to_string(term) + "; not streaming from it");
  }
  connected_.store(true);
  connected_since_unix_ms_.store(UnixMs());
  last_message_steady_ms_.store(SteadyMs());
  spdlog::info("replication: streaming from {} at offset {} (seq {})", options_.primary_url, expected_.end_offset,
               expected_.last_seq);
  StreamDecoder decoder;
  StreamMessage message;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return Status::Unavailable("stopping");
      if (!journal_failure_.ok()) return journal_failure_;
    }
    auto chunk = conn.ReadChunk();
    if (!chunk.ok()) return chunk.status();
    if (chunk->empty()) return Status::Unavailable("the primary ended the stream");
    decoder.Feed(*chunk);
    for (;;) {
      auto got = decoder.Next(message);
      if (!got.ok()) return got.status();
      if (!*got) break;
      last_message_steady_ms_.store(SteadyMs());
      primary_durable_.store(message.primary_durable_offset);
      if (message.kind != kRecordsMessage) continue;
      STEMEDB_RETURN_IF_ERROR(HandleRecords(std::move(message.records), message.first_offset));
    }
  }
}

Status StandbyReceiver::HandleRecords(std::string records, uint64_t first_offset) {
  if (first_offset != expected_.end_offset) {
    return Status::Corruption("replication stream: records at offset " + std::to_string(first_offset) +
                              " where offset " + std::to_string(expected_.end_offset) + " was due");
  }
  // Every record checked before any is written: a damaged one ends the stream, and the stream
  // starts again from this node's durable end.
  auto parsed = ParseReplicatedRecords(std::move(records), expected_);
  if (!parsed.ok()) return parsed.status();
  std::shared_ptr<const wal::ReplicatedRecords> all = std::move(parsed).value();
  const uint64_t limit = store_.journal().append_bytes_max();
  if (all->bytes.size() <= limit) return Submit(all);
  // Larger than this node's one append (a smaller wal.max_batch_bytes than the primary's): in
  // pieces at record boundaries.
  size_t piece_start = 0;
  for (size_t i = 0; i < all->records.size(); ++i) {
    const wal::RecordView& v = all->records[i];
    const size_t end = v.end_offset - all->first_offset;
    const bool last = i + 1 == all->records.size();
    const bool next_overflows = !last && all->records[i + 1].end_offset - all->first_offset - piece_start > limit;
    if (!last && !next_overflows) continue;
    auto piece = ParseReplicatedRecords(all->bytes.substr(piece_start, end - piece_start), expected_);
    if (!piece.ok()) return piece.status();
    STEMEDB_RETURN_IF_ERROR(Submit(std::move(piece).value()));
    piece_start = end;
  }
  return Status::OK();
}

Status StandbyReceiver::Submit(std::shared_ptr<const wal::ReplicatedRecords> records) {
  const size_t bytes = records->bytes.size();
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stopped_ || inflight_bytes_ == 0 || inflight_bytes_ + bytes <= options_.inflight_bytes_max; });
    if (stopped_) return Status::Unavailable("stopping");
    inflight_bytes_ += bytes;
  }
  expected_ = {records->end_offset(), records->last_seq(), records->records.back().ingested_at_ms};
  received_.store(records->end_offset());
  store_.WriteReplicated(records, [this, bytes](const Status& s) {
    {
      std::lock_guard lock(mu_);
      inflight_bytes_ -= bytes;
      // Misplaced records (kFailedPrecondition) are a broken stream, healed by reconnecting;
      // anything else is this node's storage failing.
      if (!s.ok() && s.code() != StatusCode::kFailedPrecondition && journal_failure_.ok()) journal_failure_ = s;
      if (!s.ok() && last_error_.empty()) last_error_ = s.ToString();
      ack_due_ = true;
    }
    cv_.notify_all();
  });
  return Status::OK();
}

void StandbyReceiver::WaitForInflight() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return inflight_bytes_ == 0; });
}

void StandbyReceiver::AckLoop() {
  client::HttpConnection conn(primary_.host, primary_.port, std::chrono::seconds(2));
  uint64_t sent_flushed = 0, sent_applied = 0;
  auto last_sent = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopped_ || ack_due_; });
      if (stopped_) return;
      ack_due_ = false;
    }
    if (!connected_.load()) continue;
    const uint64_t flushed = store_.journal().head_offset();
    const uint64_t applied = store_.kv().applied_position().offset;
    const bool changed = flushed != sent_flushed || applied != sent_applied;
    if (!changed && std::chrono::steady_clock::now() - last_sent < std::chrono::seconds(1)) continue;
    const nlohmann::json body = {{"name", options_.name}, {"flushed", flushed}, {"applied", applied}};
    auto r = conn.Post("/v1/replication/ack", body.dump(), {{"X-API-Key", options_.api_key}});
    if (!r.ok() || r->status != 200) {
      conn.Close();
      continue;
    }
    sent_flushed = flushed;
    sent_applied = applied;
    last_sent = std::chrono::steady_clock::now();
  }
}

}  // namespace stemedb::replication

#include "stemedb/replication/primary.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "stemedb/ground/check.h"
#include "stemedb/http/error_response.h"
#include "stemedb/http/query_params.h"
#include "stemedb/ops/config.h"
#include "stemedb/replication/stream_format.h"
#include "stemedb/replication/wal_source.h"

namespace stemedb::replication {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr size_t kHeadHistoryMax = 65536;

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

http::Response StartRefusal(const Status& s, std::string_view request_id) {
  const char* code = s.code() == StatusCode::kNotFound          ? "wal_unavailable"
                     : s.code() == StatusCode::kConflict           ? "standby_ahead"
                     : s.code() == StatusCode::kFailedPrecondition ? "wal_diverged"
                                                                   : "storage_unavailable";
  const int status = std::string_view(code) == "storage_unavailable" ? 503 : 409;
  return http::ErrorResponse({status, code, s.message(), "from"}, request_id);
}

// Terms before offsets (docs/replication.md, "Terms"). A standby of a newer term means this
// node is no longer the primary. A standby of an older term shares this log only up to the
// start of the first term after its own: records it holds past that point were never part of
// this log (written by an old primary, never acknowledged with synchronous commit) and must be
// moved aside before it can stream. The fork offset goes in a header for the standby to act on.
std::optional<http::Response> TermRefusal(const storage::TermHistory& terms, uint64_t standby_term, uint64_t from,
                                          std::string_view request_id) {
  const uint64_t mine = terms.current();
  if (standby_term > mine) {
    return http::ErrorResponse({409, "term_stale",
                                "the standby has seen term " + std::to_string(standby_term) + ", this node only " +
                                    std::to_string(mine) + ": it is not the primary any more",
                                "term"},
                               request_id);
  }
  if (standby_term == mine) return std::nullopt;
  const std::optional<storage::TermStart> next = terms.FirstAfter(standby_term);
  if (!next || from <= next->offset) return std::nullopt;
  http::Response r = http::ErrorResponse(
      {409, "wal_diverged",
       "the standby's log (term " + std::to_string(standby_term) + ", ending at offset " + std::to_string(from) +
           ") runs past offset " + std::to_string(next->offset) + ", where term " + std::to_string(next->term) +
           " began on " + next->leader + ": its records from there on were never part of this log; they are moved "
           "to wal/diverged/ when the node rejoins (docs/replication.md)",
       "from"},
      request_id);
  r.SetHeader(std::string(kForkOffsetHeader), std::to_string(next->offset));
  return r;
}

}  // namespace

std::optional<ReplicationPrimary::StreamRequest> ReplicationPrimary::ParseStreamRequest(std::string_view query,
                                                                                       http::ApiError* error) {
  auto params = http::QueryParams::Parse(query, error);
  if (!params) return std::nullopt;
  if (auto unknown = params->RejectUnknown({"from", "seq", "name", "term"})) {
    *error = *unknown;
    return std::nullopt;
  }
  auto from = params->Uint("from", 0, 0, UINT64_MAX, error);
  auto seq = from ? params->Uint("seq", 0, 0, UINT64_MAX, error) : std::nullopt;
  auto term = seq ? params->Uint("term", 0, 0, UINT64_MAX, error) : std::nullopt;
  auto name = term ? params->Required("name", error) : std::nullopt;
  if (!name) return std::nullopt;
  if (!ops::IsValidReplicationName(*name)) {
    *error = {400, "invalid_parameter", "name: 1 to 64 of A-Z a-z 0-9 - _ .", "name"};
    return std::nullopt;
  }
  return StreamRequest{*from, *seq, *term, std::move(*name)};
}

std::optional<ReplicationPrimary::Ack> ReplicationPrimary::ParseAck(const std::string& body_text) {
  const json body = json::parse(body_text, nullptr, false);
  if (!body.is_object()) return std::nullopt;
  auto offset = [&](const char* k) -> std::optional<uint64_t> {
    if (!body.contains(k) || !body[k].is_number_unsigned()) return std::nullopt;
    return body[k].get<uint64_t>();
  };
  auto flushed = offset("flushed");
  auto applied = offset("applied");
  if (!flushed || !applied || !body.contains("name") || !body["name"].is_string()) return std::nullopt;
  std::string name = body["name"].get<std::string>();
  if (!ops::IsValidReplicationName(name)) return std::nullopt;
  return Ack{std::move(name), *flushed, *applied};
}

// One standby's stream: a sender thread hands the connection whole records as the durable
// head moves, or a heartbeat when idle. Everything it shares with the primary is under the
// primary's mutex.
class ReplicationPrimary::Stream : public http::ResponseStream {
 public:
  Stream(ReplicationPrimary& owner, std::string name, uint64_t id, uint64_t from)
      : owner_(owner), name_(std::move(name)), id_(id), sent_(from),
        source_(owner.ctx_.store.env(), owner.ctx_.store.journal()) {}
  ~Stream() override { STEMEDB_CHECK(!thread_.joinable()); }

  WalSource& source() { return source_; }
  uint64_t id() const { return id_; }
  void Start() { thread_ = std::thread([this] { Loop(); }); }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  bool finished() const { return finished_; }  // under the owner's mutex
  void CancelLocked() { cancelled_ = true; }   // under the owner's mutex

  void Next(std::function<void(std::optional<std::string>)> deliver) override {
    {
      std::lock_guard lock(owner_.mu_);
      if (!finished_) {
        pending_ = std::move(deliver);
        owner_.cv_.notify_all();
        return;
      }
    }
    deliver(std::nullopt);
  }

  void Cancel() override {
    std::lock_guard lock(owner_.mu_);
    cancelled_ = true;
    owner_.cv_.notify_all();
  }

 private:
  void Loop();
  // The next message: records from sent_, else a heartbeat. nullopt when the WAL cannot be read.
  std::optional<std::string> NextMessage(uint64_t head);

  ReplicationPrimary& owner_;
  const std::string name_;
  const uint64_t id_;
  uint64_t sent_;  // the sender thread's own
  WalSource source_;
  std::function<void(std::optional<std::string>)> pending_;
  bool cancelled_ = false;
  bool finished_ = false;
  std::thread thread_;
};

std::optional<std::string> ReplicationPrimary::Stream::NextMessage(uint64_t head) {
  std::string message;
  if (head <= sent_) {
    AppendHeartbeatMessage(message, head, static_cast<uint64_t>(NowUnixMs()));
    return message;
  }
  auto records = source_.Read(sent_, kRecordsMessageBytesTarget);
  if (!records.ok() || records->empty()) {
    spdlog::error("replication: stream to {} stops at offset {}: {}", name_, sent_,
                  records.ok() ? "no whole record below the durable head" : records.status().ToString());
    return std::nullopt;
  }
  AppendRecordsMessage(message, sent_, head, *records);
  sent_ += records->size();
  return message;
}

void ReplicationPrimary::Stream::Loop() {
  const wal::Journal& journal = owner_.ctx_.store.journal();
  std::unique_lock lock(owner_.mu_);
  auto heartbeat_due = Clock::now() + owner_.options_.heartbeat_interval;
  for (;;) {
    owner_.cv_.wait_until(lock, heartbeat_due, [&] {
      return cancelled_ || owner_.stopped_ || (pending_ && journal.head_offset() > sent_);
    });
    if (cancelled_ || owner_.stopped_) break;
    const bool heartbeat = Clock::now() >= heartbeat_due;
    if (!pending_ || (!heartbeat && journal.head_offset() <= sent_)) {
      if (heartbeat) heartbeat_due = Clock::now() + owner_.options_.heartbeat_interval;
      continue;  // the connection is still writing the last message
    }
    auto deliver = std::move(pending_);
    pending_ = nullptr;
    const uint64_t head = journal.head_offset();
    lock.unlock();
    std::optional<std::string> message = NextMessage(head);
    heartbeat_due = Clock::now() + owner_.options_.heartbeat_interval;
    const bool failed = !message;
    deliver(std::move(message));
    lock.lock();
    if (failed) break;
    auto it = owner_.standbys_.find(name_);
    if (it != owner_.standbys_.end() && it->second.stream_id == id_) it->second.sent = sent_;
  }
  auto it = owner_.standbys_.find(name_);
  if (it != owner_.standbys_.end() && it->second.stream_id == id_) it->second.connected = false;
  spdlog::info("replication: stream to standby {} ended at offset {}", name_, sent_);
  // End the response: answer a Next that is waiting (or arrives while this one is answered)
  // with the end of the stream. finished_ is set in the same critical section that saw no Next
  // waiting, so a later Next answers itself; nothing touches the mutex after it, so the owner
  // may join this thread while holding the mutex.
  for (;;) {
    if (!pending_) {
      finished_ = true;
      return;
    }
    auto deliver = std::move(pending_);
    pending_ = nullptr;
    lock.unlock();
    deliver(std::nullopt);
    lock.lock();
  }
}

ReplicationPrimary::ReplicationPrimary(http::ApiContext& ctx, PrimaryOptions options)
    : ctx_(ctx),
      options_(options),
      synchronous_(65536),
      apply_lag_(ctx.metrics.HistogramFamily(
          "stemedb_replication_apply_lag_seconds",
          "At each standby acknowledgement: time since this primary made durable the offset the standby has applied.",
          {"standby"}, ops::LatencyBucketsSeconds())) {}

ReplicationPrimary::~ReplicationPrimary() { Stop(); }

void ReplicationPrimary::AwaitFlushed(uint64_t position, http::PositionReached done) {
  synchronous_.Wait(position, options_.sync_timeout, std::move(done));
}

void ReplicationPrimary::Notify() {
  const uint64_t head = ctx_.store.journal().head_offset();
  {
    std::lock_guard lock(mu_);
    if (head_history_.empty() || head_history_.back().first < head) {
      head_history_.emplace_back(head, Clock::now());
      if (head_history_.size() > kHeadHistoryMax) head_history_.pop_front();
    }
  }
  cv_.notify_all();
}

void ReplicationPrimary::Stop() {
  std::vector<std::shared_ptr<Stream>> streams;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    streams.swap(streams_);
  }
  cv_.notify_all();
  for (auto& s : streams) s->Join();
  synchronous_.Stop();
}

void ReplicationPrimary::ReapFinishedStreams() {
  for (auto it = streams_.begin(); it != streams_.end();) {
    if (!(*it)->finished()) {
      ++it;
      continue;
    }
    // Its thread has left the loop and only returns from Loop now; joining under the mutex is
    // safe because that tail takes no lock.
    (*it)->Join();
    it = streams_.erase(it);
  }
}

void ReplicationPrimary::HandleStream(const http::Request& req, http::Responder respond) {
  http::ApiError error{};
  std::optional<StreamRequest> wanted = ParseStreamRequest(req.query_string, &error);
  if (!wanted) return respond(http::ErrorResponse(error, req.request_id));
  const http::Response shutting_down =
      http::RetryLaterResponse({503, "shutting_down", "the primary is stopping", ""}, req.request_id, 1);

  std::unique_lock lock(mu_);
  if (stopped_) return respond(shutting_down);
  ReapFinishedStreams();
  auto old = standbys_.find(wanted->name);
  const bool replacing = old != standbys_.end() && old->second.connected;
  if (streams_.size() >= kStreamsMax && !replacing) {
    return respond(http::RetryLaterResponse(
        {503, "too_many_standbys", "this primary streams to " + std::to_string(kStreamsMax) + " standbys at most", ""},
        req.request_id, 5));
  }
  auto stream = std::make_shared<Stream>(*this, wanted->name, next_stream_id_++, wanted->from);
  lock.unlock();
  if (auto refused = TermRefusal(ctx_.store.terms(), wanted->term, wanted->from, req.request_id)) {
    spdlog::warn("replication: refused standby {} from {}: {}", wanted->name, req.remote_address, refused->body);
    return respond(std::move(*refused));
  }
  // A pread of one record header: cheap enough for the I/O thread.
  if (Status s = stream->source().CheckStart(wanted->from, wanted->seq); !s.ok()) {
    spdlog::warn("replication: refused standby {} from {}: {}", wanted->name, req.remote_address, s.message());
    return respond(StartRefusal(s, req.request_id));
  }
  lock.lock();
  if (stopped_) return respond(shutting_down);
  RegisterStream(*wanted, req.remote_address, stream);
  lock.unlock();
  cv_.notify_all();
  spdlog::info("replication: standby {} ({}) streams from offset {} (seq {})", wanted->name, req.remote_address,
               wanted->from, wanted->seq);
  http::Response r;
  r.status = 200;
  r.content_type = "application/octet-stream";
  r.SetHeader(std::string(kTermHeader), std::to_string(ctx_.store.terms().current()));
  r.stream = std::move(stream);
  respond(std::move(r));
}

void ReplicationPrimary::RegisterStream(const StreamRequest& wanted, const std::string& address,
                                        const std::shared_ptr<Stream>& stream) {
  auto known = standbys_.find(wanted.name);
  if (known != standbys_.end()) {
    for (auto& s : streams_) {
      if (s->id() == known->second.stream_id) s->CancelLocked();  // the same standby, again
    }
  } else if (standbys_.size() >= kStandbysListedMax) {
    // Forget one that is not streaming, so the list stays bounded.
    for (auto it = standbys_.begin(); it != standbys_.end(); ++it) {
      if (!it->second.connected) {
        standbys_.erase(it);
        break;
      }
    }
  }
  Standby& sb = standbys_[wanted.name];
  sb.name = wanted.name;
  sb.address = address;
  sb.connected_since_unix_ms = NowUnixMs();
  sb.connected = true;
  sb.sent = wanted.from;
  sb.flushed = std::max(sb.flushed, wanted.from);
  sb.stream_id = stream->id();
  streams_.push_back(stream);
  stream->Start();
}

void ReplicationPrimary::HandleAck(const http::Request& req, http::Responder respond) {
  std::optional<Ack> ack = ParseAck(req.body);
  if (!ack) {
    return respond(http::ErrorResponse(
        {400, "invalid_ack", "expected {\"name\": string, \"flushed\": offset, \"applied\": offset}", ""},
        req.request_id));
  }
  std::optional<uint64_t> synchronous_point;
  {
    std::lock_guard lock(mu_);
    auto it = standbys_.find(ack->name);
    if (it == standbys_.end()) {
      return respond(http::ErrorResponse(
          {409, "unknown_standby", "no stream is open for standby " + ack->name, "name"}, req.request_id));
    }
    Standby& sb = it->second;
    const uint64_t applied_before = sb.applied;
    sb.flushed = std::max(sb.flushed, ack->flushed);
    sb.applied = std::max(sb.applied, ack->applied);
    sb.last_ack = Clock::now();
    // Only newly applied bytes have a lag: an idle standby's ack says nothing new.
    if (sb.applied > applied_before) {
      if (auto ago = AppliedAgoSeconds(sb.applied)) apply_lag_.WithLabels({ack->name}).Observe(*ago);
    }
    synchronous_point = SynchronousPoint();
  }
  // Outside the lock: it answers the writes it releases.
  if (synchronous_point) synchronous_.Advance(*synchronous_point);
  respond(http::JsonResponse(200, json{{"durable", ctx_.store.journal().head_offset()}}.dump()));
}

std::optional<uint64_t> ReplicationPrimary::SynchronousPoint() const {
  if (options_.synchronous_standbys <= 0) return std::nullopt;
  std::vector<uint64_t> flushed;
  for (const auto& [name, s] : standbys_) {
    if (s.connected) flushed.push_back(s.flushed);
  }
  const size_t needed = static_cast<size_t>(options_.synchronous_standbys);
  if (flushed.size() < needed) return std::nullopt;
  // The offset that `needed` standbys have all flushed: the needed-th largest.
  std::nth_element(flushed.begin(), flushed.begin() + (needed - 1), flushed.end(), std::greater<>());
  return flushed[needed - 1];
}

std::optional<double> ReplicationPrimary::AppliedAgoSeconds(uint64_t applied) const {
  // The first time the durable head reached `applied`; unknown before the history starts.
  if (head_history_.empty() || applied < head_history_.front().first) return std::nullopt;
  auto it = std::lower_bound(head_history_.begin(), head_history_.end(), applied,
                             [](const auto& entry, uint64_t a) { return entry.first < a; });
  if (it == head_history_.end()) return std::nullopt;
  return std::chrono::duration<double>(Clock::now() - it->second).count();
}

double ReplicationPrimary::LagSeconds(uint64_t applied) const {
  if (head_history_.empty() || applied >= head_history_.back().first) return 0;
  auto it = std::upper_bound(head_history_.begin(), head_history_.end(), applied,
                             [](uint64_t a, const auto& entry) { return a < entry.first; });
  if (it == head_history_.end()) return 0;
  return std::chrono::duration<double>(Clock::now() - it->second).count();
}

json ReplicationPrimary::StandbysJson() const {
  const uint64_t head = ctx_.store.journal().head_offset();
  std::lock_guard lock(mu_);
  json list = json::array();
  for (const auto& [name, s] : standbys_) {
    list.push_back({{"name", name},
                    {"address", s.address},
                    {"connected", s.connected},
                    {"connected_since_unix_ms", s.connected_since_unix_ms},
                    {"sent", s.sent},
                    {"flushed", s.flushed},
                    {"applied", s.applied},
                    {"lag_bytes", head > s.applied ? head - s.applied : 0},
                    {"lag_seconds", LagSeconds(s.applied)}});
  }
  return list;
}

std::vector<ReplicationPrimary::StandbyMetrics> ReplicationPrimary::Metrics() const {
  const uint64_t head = ctx_.store.journal().head_offset();
  std::lock_guard lock(mu_);
  std::vector<StandbyMetrics> out;
  for (const auto& [name, s] : standbys_) {
    out.push_back({name, s.connected, head > s.applied ? head - s.applied : 0, LagSeconds(s.applied)});
  }
  return out;
}

}  // namespace stemedb::replication

#include "stemedb/http/feed.h"

#include <limits>
#include <nlohmann/json.hpp>

#include "record_json.h"
#include "stemedb/ground/check.h"
#include "stemedb/http/api_errors.h"
#include "stemedb/http/query_params.h"

namespace stemedb::http {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kLimitDefault = 100;
constexpr uint64_t kLimitMax = 1000;
constexpr size_t kScanEntriesMax = 10'000;  // log entries one request or one push looks at
constexpr size_t kPushEventsMax = 256;      // events in one SSE chunk
constexpr auto kKeepAlive = std::chrono::seconds(15);

// What one look at the log found: the assertions to send, the last seq looked at, and whether
// the scan reached the end of what was applied when it started.
struct FeedRead {
  std::vector<storage::StoredAssertion> assertions;
  uint64_t scanned_to = 0;
  bool reached_end = false;
};

// Assertions with seq > after whose subject starts with prefix, at most `limit`, looking at no
// more than kScanEntriesMax log entries.
//
// Not every WAL record has a log entry (a co-signature, an API key, a revocation, a trust
// override write none), so the last entry can lie below the last applied seq. When the scan
// reaches the end, scanned_to is therefore raised to the last seq applied before the scan
// started: the reader has seen everything up to it, and a follower's `after` meets the hub's
// last seq (it used to stay below it, and the hub spun on that follower without end).
Result<FeedRead> ReadFeed(storage::Store& store, uint64_t after, size_t limit, const std::string& prefix) {
  FeedRead out;
  out.scanned_to = after;
  // No seq follows the largest one (after + 1 would wrap to 0 and restart the log).
  if (after == std::numeric_limits<uint64_t>::max()) {
    out.reached_end = true;
    return out;
  }
  const uint64_t applied = store.last_applied_seq();  // before the scan: every entry up to it is visible
  auto entries = store.LogAfter(after, kScanEntriesMax);
  if (!entries.ok()) return entries.status();
  bool stopped_at_limit = false;
  for (const auto& e : *entries) {
    if (out.assertions.size() >= limit) {
      stopped_at_limit = true;
      break;
    }
    out.scanned_to = e.seq;
    if (e.kind != core::RecordKind::kAssertion) continue;
    auto a = store.GetAssertion(e.id);
    if (!a.ok()) return a.status();
    if (!a->has_value() || (*a)->meta.seq != e.seq) continue;  // a co-signing write: not a new assertion
    if (!prefix.empty() && (*a)->record.subject.rfind(prefix, 0) != 0) continue;
    out.assertions.push_back(std::move(**a));
  }
  out.reached_end = !stopped_at_limit && entries->size() < kScanEntriesMax;
  if (out.reached_end) out.scanned_to = std::max(out.scanned_to, applied);
  return out;
}

// The SSE events of `assertions`, one per assertion: `id:` its seq, `data:` the assertion as
// GET /v1/assertions/{id} returns it.
Result<std::string> EventsChunk(storage::Store& store, const std::vector<storage::StoredAssertion>& assertions) {
  std::string chunk;
  for (const auto& a : assertions) {
    auto item = AssertionJson(store, a);
    if (!item.ok()) return item.status();
    chunk += "id: " + std::to_string(a.meta.seq) + "\nevent: assertion\ndata: " + item->dump() + "\n\n";
  }
  return chunk;
}

}  // namespace

struct FeedHub::Follower {
  uint64_t after = 0;
  std::string prefix;
  std::function<void(std::optional<std::string>)> deliver;  // set while waiting
  Clock::time_point keepalive_at;
  std::atomic<bool> cancelled{false};
};

class FeedHub::Stream final : public ResponseStream {
 public:
  Stream(FeedHub& hub, std::shared_ptr<Follower> f) : hub_(hub), f_(std::move(f)) {}
  ~Stream() override {
    std::lock_guard lock(hub_.mu_);
    --hub_.followers_;
    hub_.followers_gauge_.Dec();
  }

  void Next(std::function<void(std::optional<std::string>)> deliver) override {
    {
      std::lock_guard lock(hub_.mu_);
      if (!hub_.stop_ && !f_->cancelled.load()) {
        f_->deliver = std::move(deliver);
        f_->keepalive_at = Clock::now() + kKeepAlive;
        hub_.waiting_.push_back(f_);
        hub_.cv_.notify_one();
        return;
      }
    }
    deliver(std::nullopt);
  }

  void Cancel() override {
    f_->cancelled.store(true);
    std::lock_guard lock(hub_.mu_);
    hub_.cv_.notify_one();
  }

 private:
  FeedHub& hub_;
  std::shared_ptr<Follower> f_;
};

FeedHub::FeedHub(ApiContext& ctx)
    : ctx_(ctx),
      followers_gauge_(ctx.metrics.AddGauge("stemedb_feed_followers", "Open /v1/feed?follow=true streams.")) {
  last_seq_ = ctx.store.last_applied_seq();
  thread_ = std::thread([this] { Loop(); });
}

FeedHub::~FeedHub() { Stop(); }

void FeedHub::Notify(uint64_t last_seq) {
  std::lock_guard lock(mu_);
  last_seq_ = std::max(last_seq_, last_seq);
  if (!waiting_.empty()) cv_.notify_one();
}

void FeedHub::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void FeedHub::Loop() {
  for (;;) {
    std::vector<std::shared_ptr<Follower>> ready;
    uint64_t last = 0;
    {
      std::unique_lock lock(mu_);
      auto next_deadline = Clock::now() + std::chrono::seconds(1);
      for (const auto& f : waiting_) next_deadline = std::min(next_deadline, f->keepalive_at);
      cv_.wait_until(lock, next_deadline, [&] {
        if (stop_) return true;
        for (const auto& f : waiting_) {
          if (f->cancelled.load() || f->after < last_seq_ || Clock::now() >= f->keepalive_at) return true;
        }
        return false;
      });
      if (stop_) {
        ready.swap(waiting_);
        lock.unlock();
        for (auto& f : ready) f->deliver(std::nullopt);
        return;
      }
      ready.swap(waiting_);
      last = last_seq_;
    }
    std::vector<std::shared_ptr<Follower>> still_waiting;
    for (auto& f : ready) {
      auto deliver = [&f](std::optional<std::string> chunk) {
        auto d = std::move(f->deliver);
        d(std::move(chunk));
      };
      if (f->cancelled.load()) {
        deliver(std::nullopt);
        continue;
      }
      if (f->after < last) {
        auto read = ReadFeed(ctx_.store, f->after, kPushEventsMax, f->prefix);
        if (!read.ok()) {
          deliver(std::nullopt);  // the client reconnects with Last-Event-ID
          continue;
        }
        auto chunk = EventsChunk(ctx_.store, read->assertions);
        if (!chunk.ok()) {
          deliver(std::nullopt);
          continue;
        }
        // At the end of the log this is at least `last`, so an idle follower no longer wakes
        // the hub whatever the kind of the last record (STEMEDB_CHECK below).
        f->after = read->scanned_to;
        STEMEDB_CHECK(!read->reached_end || f->after >= last);
        if (!chunk->empty()) {
          deliver(std::move(*chunk));
          continue;
        }
      }
      if (Clock::now() >= f->keepalive_at) {
        deliver(std::string(": keep-alive\n\n"));
        continue;
      }
      still_waiting.push_back(std::move(f));
    }
    std::lock_guard lock(mu_);
    for (auto& f : still_waiting) waiting_.push_back(std::move(f));
  }
}

void FeedHub::Handle(const Request& req, Responder respond) {
  ApiError e{};
  auto p = QueryParams::Parse(req.query_string, &e);
  if (!p) return respond(ErrorResponse(e, req.request_id));
  if (auto unknown = p->RejectUnknown({"after", "limit", "subject_prefix", "follow"})) {
    return respond(ErrorResponse(*unknown, req.request_id));
  }
  auto after = p->Uint("after", 0, 0, UINT64_MAX, &e);
  auto limit = after ? p->Uint("limit", kLimitDefault, 1, kLimitMax, &e) : std::nullopt;
  auto follow = limit ? p->Bool("follow", false, &e) : std::nullopt;
  if (!follow) return respond(ErrorResponse(e, req.request_id));
  const std::string prefix = p->Get("subject_prefix").value_or("");

  if (!*follow) {
    auto read = ReadFeed(ctx_.store, *after, *limit, prefix);
    if (!read.ok()) return respond(StatusResponse(read.status(), req.request_id));
    json list = json::array();
    for (const auto& a : read->assertions) {
      auto item = AssertionJson(ctx_.store, a);  // the same object as GET /v1/assertions/{id}
      if (!item.ok()) return respond(StatusResponse(item.status(), req.request_id));
      list.push_back(std::move(*item));
    }
    // next_after lets a client page past entries the filter skipped without rescanning them.
    return respond(JsonResponse(200, json{{"assertions", std::move(list)}, {"next_after", read->scanned_to}}.dump()));
  }

  uint64_t start = *after;
  if (const std::string* last_id = req.Header("last-event-id")) {
    auto v = ParseDecimal(*last_id);
    if (!v) return respond(ErrorResponse({400, "invalid_last_event_id", "Last-Event-ID must be a seq this feed sent", ""}, req.request_id));
    start = *v;
  }
  auto f = std::make_shared<Follower>();
  f->after = start;
  f->prefix = prefix;
  {
    std::lock_guard lock(mu_);
    if (followers_ >= kFollowersMax) {
      return respond(RetryLaterResponse({503, "too_many_followers",
                                         "at most " + std::to_string(kFollowersMax) + " feed streams are served at once", ""},
                                        req.request_id, 5));
    }
    ++followers_;
    followers_gauge_.Inc();
  }
  Response r;
  r.content_type = "text/event-stream";
  r.stream = std::make_shared<Stream>(*this, std::move(f));
  respond(std::move(r));
}

void FeedHub::AddRoutes(Router& router) {
  // A page scans up to kScanEntriesMax log entries: on the worker pool (a stream's later scans
  // run on the hub's thread).
  router.Add(Method::kGet, "/v1/feed", RouteClass::kRead,
             [this](const Request& req, Responder respond) { Handle(req, std::move(respond)); },
             RouteExecution::kWorkerPool);
}

}  // namespace stemedb::http

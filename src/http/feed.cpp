#include "stemedb/http/feed.h"

#include <nlohmann/json.hpp>

#include "feed_read.h"
#include "stemedb/ground/check.h"
#include "stemedb/http/api_errors.h"
#include "stemedb/http/query_params.h"

namespace stemedb::http {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr size_t kPushEventsMax = 256;      // events in one SSE chunk
constexpr auto kKeepAlive = std::chrono::seconds(15);

}  // namespace

struct FeedHub::Follower {
  uint64_t after = 0;
  FeedFilter filter;
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
        auto read = ReadFeed(ctx_.store, f->after, kPushEventsMax, f->filter);
        if (!read.ok()) {
          deliver(std::nullopt);  // the client reconnects with Last-Event-ID
          continue;
        }
        std::string chunk = EventsChunk(read->items);
        // At the end of the log this is at least `last`, so an idle follower no longer wakes
        // the hub whatever the kind of the last record (STEMEDB_CHECK below).
        f->after = read->scanned_to;
        STEMEDB_CHECK(!read->reached_end || f->after >= last);
        if (!chunk.empty()) {
          deliver(std::move(chunk));
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
  if (auto unknown = p->RejectUnknown({"after", "limit", "subject_prefix", "predicate", "kind", "follow"})) {
    return respond(ErrorResponse(*unknown, req.request_id));
  }
  auto after = p->Uint("after", 0, 0, UINT64_MAX, &e);
  auto limit = after ? p->Uint("limit", kPageLimitDefault, 1, kPageLimitMax, &e) : std::nullopt;
  auto follow = limit ? p->Bool("follow", false, &e) : std::nullopt;
  auto filter = follow ? ParseFeedFilter(*p, &e) : std::nullopt;
  if (!filter) return respond(ErrorResponse(e, req.request_id));

  if (!*follow) {
    auto read = ReadFeed(ctx_.store, *after, *limit, *filter);
    if (!read.ok()) return respond(StatusResponse(read.status(), req.request_id));
    // One list per kind asked for, each in log order (every item has its seq); each item the
    // object its record's GET route returns.
    json page = json::object();
    if (filter->assertions) page["assertions"] = json::array();
    if (filter->votes) page["votes"] = json::array();
    if (filter->epochs) page["epochs"] = json::array();
    if (filter->sources) page["sources"] = json::array();
    for (auto& item : read->items) page[std::string(core::RecordKindName(item.kind)) + "s"].push_back(std::move(item.body));
    // next_after lets a client page past entries the filter skipped without rescanning them.
    page["next_after"] = read->scanned_to;
    return respond(JsonResponse(200, page.dump()));
  }

  uint64_t start = *after;
  if (const std::string* last_id = req.Header("last-event-id")) {
    auto v = ParseDecimal(*last_id);
    if (!v) return respond(ErrorResponse({400, "invalid_last_event_id", "Last-Event-ID must be a seq this feed sent", ""}, req.request_id));
    start = *v;
  }
  auto f = std::make_shared<Follower>();
  f->after = start;
  f->filter = std::move(*filter);
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

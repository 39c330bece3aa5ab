#pragma once
// GET /v1/feed: records in log order (assertions; votes, epochs and sources when kind= asks;
// filtered by subject prefix and predicate), and with follow=true a Server-Sent Events stream
// that stays open and pushes new ones as they become durable (resumable with Last-Event-ID).
//
// One hub thread serves every follower: the store's apply listener bumps the last durable seq
// and wakes it; the hub reads what each waiting follower has not seen and hands it over, or a
// keep-alive comment every 15 s so proxies keep the connection and a vanished client is noticed
// at the next write. Followers are capped (kFollowersMax); beyond it, 503.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "stemedb/http/api_context.h"
#include "stemedb/http/router.h"

namespace stemedb::http {

inline constexpr size_t kFollowersMax = 1024;

class FeedHub {
 public:
  explicit FeedHub(ApiContext& ctx);
  ~FeedHub();  // Stop()
  FeedHub(const FeedHub&) = delete;
  FeedHub& operator=(const FeedHub&) = delete;

  // From the store's apply listener (the journal's writer thread): cheap, never blocks long.
  void Notify(uint64_t last_seq);
  // Ends every stream and stops the hub thread; before the store closes.
  void Stop();

  void AddRoutes(Router& router);

 private:
  struct Follower;
  class Stream;
  void Loop();
  void Handle(const Request& req, Responder respond);

  ApiContext& ctx_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t last_seq_ = 0;
  bool stop_ = false;
  std::vector<std::shared_ptr<Follower>> waiting_;
  size_t followers_ = 0;
  std::thread thread_;
  ops::Gauge& followers_gauge_;
};

}  // namespace stemedb::http

// The dispatcher's execution of handlers: on the I/O thread or on the worker pool as the route
// says, the pool's bound (503 overloaded), its stop (503 shutting_down), and exceptions on any
// thread turned into that request's 500, never the end of the process, down to the WAL writer's
// callback of a real store.

#include "stemedb/http/dispatcher.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "stemedb/core/record_json.h"
#include "stemedb/http/error_response.h"
#include "stemedb/http/write_routes.h"
#include "stemedb/storage/store.h"
#include "support/records.h"
#include "support/temp_dir.h"
#include "http/response_header.h"

namespace stemedb::http {
namespace {

using nlohmann::json;

Request Get(const std::string& path) {
  Request r;
  r.method = Method::kGet;
  r.method_text = "GET";
  r.target = r.path = path;
  r.remote_address = "127.0.0.1";
  return r;
}

// Hands `request` to the dispatcher; the future is set by whichever thread answers.
std::future<Response> Dispatch(Dispatcher& d, Request& request) {
  auto answer = std::make_shared<std::promise<Response>>();
  std::future<Response> f = answer->get_future();
  d.Handle(request, [answer](Response r) { answer->set_value(std::move(r)); });
  return f;
}

Response Call(Dispatcher& d, Request& request) { return Dispatch(d, request).get(); }

std::string ErrorCode(const Response& r) { return json::parse(r.body)["error"]["code"]; }

// A gate a handler waits at until the test opens it.
class Gate {
 public:
  void Wait() {
    std::unique_lock lock(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
  }
  void WaitForWaiters(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return waiting_ >= n; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_ = 0;
  bool open_ = false;
};

Handler Ok(std::thread::id* ran_on = nullptr) {
  return [ran_on](const Request&, Responder respond) {
    if (ran_on) *ran_on = std::this_thread::get_id();
    respond(JsonResponse(200, "{}"));
  };
}

TEST(DispatcherTest, PoolRoutesRunOnAWorkerAndTheOthersAtOnce) {
  ops::Registry metrics;
  WorkerPool pool({.threads = 1, .queue_max = 4}, metrics);
  std::thread::id heavy_on, light_on;
  Router router;
  router.Add(Method::kGet, "/heavy", RouteClass::kRead, Ok(&heavy_on), RouteExecution::kWorkerPool);
  router.Add(Method::kGet, "/light", RouteClass::kRead, Ok(&light_on));
  Dispatcher d(router, metrics, {.pool = &pool});
  Request heavy = Get("/heavy"), light = Get("/light");
  EXPECT_EQ(Call(d, heavy).status, 200);
  EXPECT_EQ(Call(d, light).status, 200);
  EXPECT_NE(heavy_on, std::this_thread::get_id());
  EXPECT_EQ(light_on, std::this_thread::get_id());
}

// A pool route's RunsInPlace decides per request: the cheap ones run at once on the calling
// (I/O) thread, the rest still go to a worker.
TEST(DispatcherTest, APoolRouteRunsInPlaceWhenItsRequestIsCheap) {
  ops::Registry metrics;
  WorkerPool pool({.threads = 1, .queue_max = 4}, metrics);
  std::thread::id ran_on;
  Router router;
  router.Add(Method::kGet, "/lens", RouteClass::kRead, Ok(&ran_on), RouteExecution::kWorkerPool,
             [](const Request& r) { return r.query_string == "cheap"; });
  Dispatcher d(router, metrics, {.pool = &pool});
  Request cheap = Get("/lens"), heavy = Get("/lens");
  cheap.query_string = "cheap";
  heavy.query_string = "heavy";
  EXPECT_EQ(Call(d, cheap).status, 200);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_EQ(Call(d, heavy).status, 200);
  EXPECT_NE(ran_on, std::this_thread::get_id());
}

// GET /slow: a pool route whose handler waits at `gate` before it answers 200.
void AddSlowPoolRoute(Router& router, Gate& gate) {
  router.Add(Method::kGet, "/slow", RouteClass::kRead,
             [&gate](const Request&, Responder respond) {
               gate.Wait();
               respond(JsonResponse(200, "{}"));
             },
             RouteExecution::kWorkerPool);
}

// Every worker busy and the queue full: the next pool request is refused at once with 503
// overloaded and Retry-After, and what runs on the I/O thread (health, here) is still answered.
TEST(DispatcherTest, FullWorkerQueueIs503OverloadedAndTheRestIsStillServed) {
  ops::Registry metrics;
  WorkerPool pool({.threads = 1, .queue_max = 1}, metrics);
  Gate gate;
  Router router;
  AddSlowPoolRoute(router, gate);
  router.Add(Method::kGet, "/v1/health", RouteClass::kOps, Ok());
  Dispatcher d(router, metrics, {.pool = &pool});
  Request running = Get("/slow"), queued = Get("/slow"), refused = Get("/slow"), health = Get("/v1/health");
  auto first = Dispatch(d, running);
  gate.WaitForWaiters(1);  // the one worker is busy
  auto second = Dispatch(d, queued);
  EXPECT_EQ(pool.queued(), 1u);
  Response r = Call(d, refused);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(ErrorCode(r), "overloaded");
  EXPECT_EQ(HeaderOr(r, "Retry-After"), "1");
  EXPECT_EQ(Call(d, health).status, 200);
  gate.Open();
  EXPECT_EQ(first.get().status, 200);
  EXPECT_EQ(second.get().status, 200);
  EXPECT_NE(metrics.Render().find("stemedb_http_worker_rejected_total 1"), std::string::npos);
}

// Stopping the pool answers what still waits in its queue (503 shutting_down) and lets the
// running handler finish.
TEST(DispatcherTest, StoppingThePoolAnswersQueuedRequests) {
  ops::Registry metrics;
  WorkerPool pool({.threads = 1, .queue_max = 4}, metrics);
  Gate gate;
  Router router;
  AddSlowPoolRoute(router, gate);
  Dispatcher d(router, metrics, {.pool = &pool});
  Request running = Get("/slow"), queued = Get("/slow");
  auto first = Dispatch(d, running);
  gate.WaitForWaiters(1);
  auto second = Dispatch(d, queued);
  std::thread stopper([&pool] { pool.Stop(); });
  Response cancelled = second.get();  // answered before Stop waits for the running handler
  EXPECT_EQ(cancelled.status, 503);
  EXPECT_EQ(ErrorCode(cancelled), "shutting_down");
  gate.Open();
  stopper.join();
  EXPECT_EQ(first.get().status, 200);
  Request late = Get("/slow");
  EXPECT_EQ(Call(d, late).status, 503);  // a stopped pool takes nothing
}

TEST(DispatcherTest, HandlerThatAnswersThenThrowsAnswersOnce) {
  ops::Registry metrics;
  WorkerPool pool({.threads = 1, .queue_max = 4}, metrics);
  Router router;
  int answers = 0;
  router.Add(
      Method::kGet, "/bad", RouteClass::kRead,
      [](const Request&, Responder respond) {
        respond(JsonResponse(200, "{}"));
        throw std::runtime_error("after the answer");
      },
      RouteExecution::kWorkerPool);
  Dispatcher d(router, metrics, {.pool = &pool});
  Request req = Get("/bad");
  std::promise<void> done;
  d.Handle(req, [&](Response r) {
    ++answers;
    EXPECT_EQ(r.status, 200);
    done.set_value();
  });
  done.get_future().get();
  pool.Stop();  // the handler has returned (thrown): nothing more can come
  EXPECT_EQ(answers, 1);
}

// A middleware whose After hook throws once, and the thread it threw on.
class ThrowOnceAfter final : public Middleware {
 public:
  std::optional<Response> Before(Request&, const Route&) override { return std::nullopt; }
  void After(const Request&, const Route&, Response&) override {
    if (thrown_) return;
    thrown_ = true;
    threw_on = std::this_thread::get_id();
    throw std::runtime_error("After failed");
  }
  std::thread::id threw_on;

 private:
  std::atomic<bool> thrown_{false};
};

Request PostAssertion(const core::Assertion& a) {
  Request r;
  r.method = Method::kPost;
  r.method_text = "POST";
  r.target = r.path = "/v1/assert";
  r.headers = {{"content-type", "application/json"}};
  r.body = core::ToJson(a).dump();
  r.remote_address = "127.0.0.1";
  return r;
}

// A write is answered from the WAL writer's callback. An exception there (here a middleware's
// After hook on the way out) used to leave the writer thread and end the process
// (std::terminate); it fails that request with a 500, and the next write goes through.
TEST(DispatcherTest, ExceptionInTheWalWritersCallbackFailsOnlyThatRequest) {
  testing::TempDir dir;
  ops::Registry metrics;
  storage::StoreOptions options;
  options.data_dir = dir.Sub("data");
  options.journal.dir = dir.Sub("data/wal");
  auto opened = storage::Store::Open(std::move(options), metrics);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<storage::Store> store = std::move(opened).value();
  NodeState node(metrics);
  node.set_mode(NodeMode::kServing);
  ApiContext ctx{*store, node, metrics};
  Router router;
  AddWriteRoutes(router, ctx);
  Dispatcher d(router, metrics, {});  // no pool: the handler runs here, its answer on the writer
  ThrowOnceAfter after;
  d.Use(&after);

  Request first = PostAssertion(testing::SignedAssertion({.subject = "cb/1"}));
  Response failed = Call(d, first);
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(ErrorCode(failed), "internal_error");
  EXPECT_NE(after.threw_on, std::this_thread::get_id()) << "the After hook should run on the WAL writer's thread";
  Request second = PostAssertion(testing::SignedAssertion({.subject = "cb/2"}));
  EXPECT_EQ(Call(d, second).status, 201);
  EXPECT_TRUE(store->Close().ok());
}

TEST(AnswerGuardedTest, AThrowIsA500AndAThrowingResponderGoesNoFurther) {
  Response got;
  AnswerGuarded([&](Response r) { got = std::move(r); }, "req-1", "test",
                []() -> Response { throw std::runtime_error("boom"); });
  EXPECT_EQ(got.status, 500);
  EXPECT_EQ(ErrorCode(got), "internal_error");
  EXPECT_NE(got.body.find("req-1"), std::string::npos);
  AnswerGuarded([](Response) { throw std::runtime_error("cannot deliver"); }, "req-2", "test",
                [] { return JsonResponse(200, "{}"); });  // returns: nothing escapes
  AnswerGuarded([&](Response r) { got = std::move(r); }, "req-3", "test", [] { return JsonResponse(201, "{}"); });
  EXPECT_EQ(got.status, 201);
}

}  // namespace
}  // namespace stemedb::http

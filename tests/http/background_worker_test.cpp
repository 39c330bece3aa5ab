// The admin background worker: a task that throws fails only itself; the thread (and the
// process: an exception leaving a std::thread is std::terminate) goes on with the next task.

#include "stemedb/http/background_worker.h"

#include <gtest/gtest.h>

#include <future>
#include <stdexcept>

namespace stemedb::http {
namespace {

TEST(BackgroundWorkerTest, ATaskThatThrowsDoesNotEndTheWorker) {
  BackgroundWorker worker;
  ASSERT_TRUE(worker.Post([] { throw std::runtime_error("task failed"); }));
  ASSERT_TRUE(worker.Post([] { throw 42; }));  // not even a std::exception
  std::promise<void> ran;
  ASSERT_TRUE(worker.Post([&ran] { ran.set_value(); }));
  EXPECT_EQ(ran.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  worker.Stop();
}

}  // namespace
}  // namespace stemedb::http

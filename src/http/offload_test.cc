#include "http/offload.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include "base/status.h"

namespace http {
namespace {

namespace asio = boost::asio;

// Runs `body` as a coroutine on a strand of a fresh io_context until it
// completes; fails the test if it throws or takes longer than the deadline.
template <typename Body>
void RunCoroutine(Body body) {
  asio::io_context io;
  auto strand = asio::make_strand(io);
  bool done = false;
  std::exception_ptr failure;
  asio::co_spawn(strand, body(strand), [&](std::exception_ptr e) {
    done = true;
    failure = e;
  });
  io.run_for(std::chrono::seconds(5));
  ASSERT_TRUE(done) << "coroutine did not finish within the deadline";
  if (failure) std::rethrow_exception(failure);
}

TEST(Offload, RunsOnThePoolAndResumesOnTheCallersStrand) {
  asio::thread_pool pool(1);
  RunCoroutine([&](auto strand) -> asio::awaitable<void> {
    const std::thread::id caller = std::this_thread::get_id();
    std::thread::id worker;
    const int value = co_await Offload(pool, [&] {
      worker = std::this_thread::get_id();
      return 42;
    });
    EXPECT_EQ(value, 42);
    EXPECT_NE(worker, caller);
    EXPECT_TRUE(strand.running_in_this_thread());
  });
  pool.join();
}

TEST(Offload, PropagatesExceptions) {
  asio::thread_pool pool(1);
  RunCoroutine([&](auto) -> asio::awaitable<void> {
    bool caught = false;
    try {
      co_await Offload(pool, []() -> int { throw std::runtime_error("disk on fire"); });
    } catch (const std::runtime_error& e) {
      caught = std::string(e.what()) == "disk on fire";
    }
    EXPECT_TRUE(caught);
  });
  pool.join();
}

TEST(Offload, SupportsVoidResultsAndMoveOnlyValues) {
  asio::thread_pool pool(2);
  RunCoroutine([&](auto) -> asio::awaitable<void> {
    int side_effect = 0;
    co_await Offload(pool, [&] { side_effect = 7; });
    EXPECT_EQ(side_effect, 7);

    std::unique_ptr<int> p = co_await Offload(pool, [] { return std::make_unique<int>(5); });
    EXPECT_TRUE(p != nullptr && *p == 5);  // ASSERT_* cannot be used in a coroutine

    base::Result<std::string> r =
        co_await Offload(pool, [] { return base::Result<std::string>(base::NotFound("chat")); });
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), base::Code::kNotFound);
  });
  pool.join();
}

TEST(Offload, KeepsTheIoContextRunningWhileTheCallWorks) {
  // io.run() would return early, leaving the coroutine suspended, if the
  // pending call did not count as outstanding work.
  asio::thread_pool pool(1);
  RunCoroutine([&](auto) -> asio::awaitable<void> {
    const int v = co_await Offload(pool, [] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // simulated blocking I/O
      return 1;
    });
    EXPECT_EQ(v, 1);
  });
  pool.join();
}

}  // namespace
}  // namespace http

#include "service/chat_turns.h"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <atomic>
#include <thread>
#include <vector>

namespace service {
namespace {

namespace asio = boost::asio;

TEST(ChatTurns, OneHolderPerChatServedInArrivalOrderOtherChatsFree) {
  asio::io_context io;
  ChatTurns turns;
  std::vector<std::string> log;
  auto worker = [&](std::string name, std::string chat) -> asio::awaitable<void> {
    co_await turns.Acquire(chat);
    ChatTurns::Turn turn{&turns, chat};
    log.push_back(name + "+");
    // Yield a few times while holding the turn: nobody else gets this chat.
    for (int i = 0; i < 3; ++i) co_await asio::post(io, asio::use_awaitable);
    log.push_back(name + "-");
  };
  for (const char* name : {"a", "b", "c"})
    asio::co_spawn(io, worker(name, "chat1"), asio::detached);
  asio::co_spawn(io, worker("x", "chat2"), asio::detached);
  io.run();
  // a, b, c in turn on chat1; x on chat2 runs alongside a.
  const std::vector<std::string> want{"a+", "x+", "a-", "x-", "b+", "b-", "c+", "c-"};
  EXPECT_EQ(log, want);
  EXPECT_EQ(turns.Busy(), 0u);
}

TEST(ChatTurns, ExclusiveAcrossThreads) {
  asio::thread_pool pool(4);
  ChatTurns turns;
  std::atomic<int> inside{0};
  std::atomic<int> worst{0};
  std::atomic<int> done{0};
  constexpr int kN = 200;
  for (int i = 0; i < kN; ++i) {
    asio::co_spawn(
        pool,
        [&]() -> asio::awaitable<void> {
          co_await turns.Acquire("chat");
          ChatTurns::Turn turn{&turns, "chat"};
          const int now = ++inside;
          int w = worst.load();
          while (now > w && !worst.compare_exchange_weak(w, now)) {
          }
          std::this_thread::yield();
          --inside;
          ++done;
        },
        asio::detached);
  }
  pool.join();
  EXPECT_EQ(done.load(), kN);
  EXPECT_EQ(worst.load(), 1);
  EXPECT_EQ(turns.Busy(), 0u);
}

TEST(ChatTurns, ACancelledWaiterLeavesTheLine) {
  asio::io_context io;
  ChatTurns turns;
  asio::cancellation_signal cancel;
  std::vector<std::string> log;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await turns.Acquire("chat");
        ChatTurns::Turn turn{&turns, "chat"};
        log.push_back("a+");
        for (int i = 0; i < 3; ++i) co_await asio::post(io, asio::use_awaitable);
        log.push_back("a-");
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        try {
          co_await turns.Acquire("chat");
          ChatTurns::Turn turn{&turns, "chat"};
          log.push_back("b+");
        } catch (const boost::system::system_error&) {
          log.push_back("b cancelled");
        }
      },
      asio::bind_cancellation_slot(cancel.slot(), asio::detached));
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await turns.Acquire("chat");
        ChatTurns::Turn turn{&turns, "chat"};
        log.push_back("c+");
      },
      asio::detached);
  asio::post(io, [&] { cancel.emit(asio::cancellation_type::terminal); });
  io.run();
  const std::vector<std::string> want{"a+", "b cancelled", "a-", "c+"};
  EXPECT_EQ(log, want);
  EXPECT_EQ(turns.Busy(), 0u);
}

// The outbox's pipeline: the publish line is reserved under the send line,
// so publishing follows send order even when the later send is acked first.
TEST(ChatTurns, TicketsKeepTheReservedOrder) {
  asio::io_context io;
  ChatTurns sends, publishes;
  std::vector<std::string> log;
  auto worker = [&](std::string name, int ack_delay) -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    std::unique_ptr<ChatTurns::Ticket> send = sends.Reserve(ex, "chat");
    co_await send->Wait();
    std::unique_ptr<ChatTurns::Ticket> publish = publishes.Reserve(ex, "chat");
    log.push_back(name + " queued");
    send->Release();  // the next send may go
    for (int i = 0; i < ack_delay; ++i) co_await asio::post(io, asio::use_awaitable);
    co_await publish->Wait();
    log.push_back(name + " published");
  };
  asio::co_spawn(io, worker("a", 6), asio::detached);
  asio::co_spawn(io, worker("b", 0), asio::detached);
  io.run();
  const std::vector<std::string> want{"a queued", "b queued", "a published", "b published"};
  EXPECT_EQ(log, want);
  EXPECT_EQ(sends.Busy(), 0u);
  EXPECT_EQ(publishes.Busy(), 0u);
}

// A ticket dropped without waiting (an early error return) never blocks the
// chat: whether it was first in line or still waiting.
TEST(ChatTurns, DroppedTicketsPassTheTurnOn) {
  asio::io_context io;
  ChatTurns turns;
  bool third_ran = false;
  auto ex = io.get_executor();
  auto first = turns.Reserve(ex, "chat");   // ours at once
  auto second = turns.Reserve(ex, "chat");  // waiting
  auto third = turns.Reserve(ex, "chat");
  second.reset();  // leaves the line
  first.reset();   // passes the turn to third
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await third->Wait();
        third_ran = true;
        third->Release();
      },
      asio::detached);
  io.run();
  EXPECT_TRUE(third_ran);
  EXPECT_EQ(turns.Busy(), 0u);
}

}  // namespace
}  // namespace service

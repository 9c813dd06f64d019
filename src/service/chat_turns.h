// ChatTurns: one send at a time per chat, first come first served. The
// outbox holds a chat's turn from the moment a send is stored as pending
// until it is acked and published, so the stored order (timestamp, seq),
// the order on the wire and the order of `new-message` events are the same
// even when API callers send to one chat concurrently. Other chats are not
// held up.
//
// Thread-safe: Acquire may be awaited on any executor; Release may be
// called from any thread. Waiters are woken through a concurrent channel.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace service {

class ChatTurns {
 public:
  // Returns once `chat` is ours; pair with Release (see Turn). Cancelled
  // while waiting: throws boost::system::system_error and holds nothing.
  boost::asio::awaitable<void> Acquire(const std::string& chat);
  // Hands `chat` to the next waiter, or frees it.
  void Release(const std::string& chat);

  // RAII: releases on destruction.
  struct Turn {
    Turn(ChatTurns* t, std::string c) : turns(t), chat(std::move(c)) {}
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    ~Turn() { turns->Release(chat); }
    ChatTurns* turns;
    std::string chat;
  };

  // A place in a chat's line, taken now and waited for later. Taken while
  // an earlier stage's turn is held, it keeps the two stages in one order:
  // the outbox reserves the publish line while it holds the send line, lets
  // the next send go once its stanza is queued, and publishes in send order.
  class Ticket {
   public:
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    // Not waited for or not released yet: leaves the line (or passes the
    // turn on), so an early return never blocks the chat.
    ~Ticket();
    // Returns once the chat is ours. Cancelled: throws
    // boost::system::system_error and holds nothing.
    boost::asio::awaitable<void> Wait();
    // Hands the chat on (after Wait); idempotent.
    void Release();

   private:
    friend class ChatTurns;
    Ticket(ChatTurns* turns, std::string chat) : turns_(turns), chat_(std::move(chat)) {}
    void Leave();
    ChatTurns* turns_;
    std::string chat_;
    std::shared_ptr<boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>>
        wait_;  // null: the chat was free, ours at once
    bool ours_ = false;
    bool done_ = false;
  };
  // Never blocks. `executor`: where Wait resumes.
  std::unique_ptr<Ticket> Reserve(const boost::asio::any_io_executor& executor,
                                  const std::string& chat);

  // Chats currently held or waited for (for tests).
  size_t Busy() const;

 private:
  using Signal = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;
  struct Queue {
    std::deque<std::shared_ptr<Signal>> waiters;
  };
  mutable std::mutex mu_;
  std::map<std::string, Queue> queues_;  // present = held; guarded by mu_
};

}  // namespace service

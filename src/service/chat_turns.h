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

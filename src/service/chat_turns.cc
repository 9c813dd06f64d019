#include "service/chat_turns.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>

namespace service {

boost::asio::awaitable<void> ChatTurns::Acquire(const std::string& chat) {
  auto executor = co_await boost::asio::this_coro::executor;
  std::shared_ptr<Signal> wait;
  {
    std::lock_guard lock(mu_);
    auto [it, free] = queues_.try_emplace(chat);
    if (free) co_return;
    // Capacity 1: a hand-over before we start waiting is not lost.
    wait = std::make_shared<Signal>(executor, 1);
    it->second.waiters.push_back(wait);
  }
  auto [ec] = co_await wait->async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
  if (!ec) co_return;
  // Cancelled while waiting (server shutdown): leave the line, or pass the
  // turn on when it was handed over meanwhile, then report the cancellation.
  bool handed = false;
  {
    std::lock_guard lock(mu_);
    auto it = queues_.find(chat);
    if (it == queues_.end()) {
      handed = true;  // cannot happen while we wait; treat as ours
    } else {
      auto& waiters = it->second.waiters;
      auto pos = std::find(waiters.begin(), waiters.end(), wait);
      if (pos == waiters.end()) {
        handed = true;
      } else {
        waiters.erase(pos);
      }
    }
  }
  if (handed) Release(chat);
  throw boost::system::system_error(ec);
}

void ChatTurns::Release(const std::string& chat) {
  std::lock_guard lock(mu_);
  auto it = queues_.find(chat);
  if (it == queues_.end()) return;
  if (it->second.waiters.empty()) {
    queues_.erase(it);
    return;
  }
  std::shared_ptr<Signal> next = std::move(it->second.waiters.front());
  it->second.waiters.pop_front();
  next->try_send(boost::system::error_code{});  // the chat stays held: it is next's now
}

size_t ChatTurns::Busy() const {
  std::lock_guard lock(mu_);
  return queues_.size();
}

}  // namespace service

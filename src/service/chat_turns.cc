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

std::unique_ptr<ChatTurns::Ticket> ChatTurns::Reserve(const boost::asio::any_io_executor& executor,
                                                      const std::string& chat) {
  std::unique_ptr<Ticket> ticket(new Ticket(this, chat));
  std::lock_guard lock(mu_);
  auto [it, free] = queues_.try_emplace(chat);
  if (free) {
    ticket->ours_ = true;
    return ticket;
  }
  // Capacity 1: a hand-over before Wait starts is not lost.
  ticket->wait_ = std::make_shared<Signal>(executor, 1);
  it->second.waiters.push_back(ticket->wait_);
  return ticket;
}

boost::asio::awaitable<void> ChatTurns::Ticket::Wait() {
  if (ours_ || done_) co_return;
  auto [ec] = co_await wait_->async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
  if (!ec) {
    ours_ = true;
    co_return;
  }
  Leave();
  throw boost::system::system_error(ec);
}

void ChatTurns::Ticket::Release() {
  if (done_) return;
  done_ = true;
  if (ours_) turns_->Release(chat_);
}

void ChatTurns::Ticket::Leave() {
  if (done_) return;
  done_ = true;
  if (ours_) {
    turns_->Release(chat_);
    return;
  }
  bool handed = false;
  {
    std::lock_guard lock(turns_->mu_);
    auto it = turns_->queues_.find(chat_);
    if (it == turns_->queues_.end()) {
      handed = true;
    } else {
      auto& waiters = it->second.waiters;
      auto pos = std::find(waiters.begin(), waiters.end(), wait_);
      if (pos == waiters.end()) {
        handed = true;  // handed over meanwhile: ours to pass on
      } else {
        waiters.erase(pos);
      }
    }
  }
  if (handed) turns_->Release(chat_);
}

ChatTurns::Ticket::~Ticket() { Leave(); }

size_t ChatTurns::Busy() const {
  std::lock_guard lock(mu_);
  return queues_.size();
}

}  // namespace service

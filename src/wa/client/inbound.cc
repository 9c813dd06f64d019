// The inbound queue between the connection's reader and the messaging
// layer. The reader must not wait for the store: while one batch of
// messages is decrypted and committed, the next stanzas are read and
// queued, and the next batch takes them all at once (group commit). The
// queue is bounded (kMaxInbound): past it the reader waits, so a peer that
// floods us is slowed down at the socket, not buffered without end.
// Messages and receipts keep their arrival order; a batch is a run of one
// kind, so a receipt never overtakes a message that came before it.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "wa/client/messenger.h"

namespace wa::client {

namespace asio = boost::asio;
using binary::Node;

namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
}  // namespace

asio::awaitable<void> Messenger::Enqueue(Node node) {
  while (!stopped_ && inbound_.size() >= kMaxInbound) {
    inbound_space_.expires_at(asio::steady_timer::time_point::max());
    co_await inbound_space_.async_wait(kTuple);
  }
  if (stopped_) co_return;  // the connection ended: the server redelivers
  inbound_.push_back(std::move(node));
  inbound_ready_.cancel();
}

asio::awaitable<void> Messenger::Run() {
  while (!stopped_) {
    if (inbound_.empty()) {
      inbound_ready_.expires_at(asio::steady_timer::time_point::max());
      co_await inbound_ready_.async_wait(kTuple);
      continue;
    }
    const std::string tag = inbound_.front().tag;
    std::vector<Node> run;
    while (!inbound_.empty() && inbound_.front().tag == tag && run.size() < kMaxBatch) {
      run.push_back(std::move(inbound_.front()));
      inbound_.pop_front();
    }
    inbound_space_.cancel();
    if (tag == "message") {
      co_await OnMessages(std::move(run));
    } else {
      co_await OnReceipts(std::move(run));
    }
  }
}

}  // namespace wa::client

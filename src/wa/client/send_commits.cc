// The send pipeline's commits (see Messenger::QueueSend in messenger.h).
//
// Why: "persist, then send" used to put one store commit per send inside the
// Signal lock, so every send of the connection waited for the commit of the
// one before it. Now a send only encrypts under the lock and stages the
// state it advanced in kv_, where the next send reads it; the commits queue
// up behind one drainer, which stores whatever queued while it was busy in
// one transaction and then sends those stanzas in queue order. Nothing
// leaves before its commit is stored, and a crash loses only sends that
// were never on the wire.
//
// A commit that fails drops its staged state (Release): the next send reads
// the stored state again. A later send already encrypted on top of it
// commits a session that moved past a message nobody received, which the
// receiving ratchet treats as a skipped message.
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/offload.h"
#include "wa/client/messenger.h"
#include "wa/client/stanzas.h"

namespace wa::client {

namespace asio = boost::asio;

Messenger::Staged Messenger::StageSend(OverlayKv& overlay) {
  Staged staged;
  // PN ↔ LID pairs learned since the last commit go with this one.
  staged.mappings = SaveLidMappings(overlay);
  staged.writes = overlay.Take();
  staged.stage = kv_.Stage(staged.writes);
  return staged;
}

std::shared_ptr<Messenger::Outgoing> Messenger::QueueSend(const OutgoingStanza& out,
                                                          const SendRequest& request,
                                                          MessagingState::Sent sent,
                                                          Staged staged) {
  auto o = std::make_shared<Outgoing>(ex_, config_.query_timeout);
  o->pending.timer = &o->timer;
  o->id = out.id;
  o->chat = sent.to;
  o->persist = request.persist;
  o->staged = std::move(staged);
  if (acks_.contains(out.id)) {
    // Never queued: nothing of it is stored or sent.
    kv_.Release(o->staged.writes, o->staged.stage, /*committed=*/false);
    state_.ReturnUnsavedLidMappings(std::move(o->staged.mappings));
    o->pending.failed = base::AlreadyExists("a send with id " + out.id + " is running");
    return o;
  }
  o->stanza = BuildMessageStanza(out);
  // Remembered first: a retry receipt may come before the server's ack.
  state_.RememberSent(out.id, std::move(sent));
  acks_[o->id] = &o->pending;
  commits_.push_back(o);
  if (request.on_queued) request.on_queued();
  return o;
}

asio::awaitable<base::Result<SendResult>> Messenger::FinishSend(std::shared_ptr<Outgoing> o) {
  if (!o->pending.failed && !draining_) co_await DrainCommits();
  // The ack may have come while this coroutine was draining.
  if (!o->pending.ack && !o->pending.failed && !o->pending.aborted) {
    co_await o->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  auto it = acks_.find(o->id);
  if (it != acks_.end() && it->second == &o->pending) acks_.erase(it);
  if (o->pending.failed) co_return *o->pending.failed;
  if (o->pending.ack) {
    if (std::optional<std::string> error = o->pending.ack->GetAttrText("error")) {
      co_return base::FailedPrecondition("server refused message " + o->id + ": error " + *error);
    }
    SendResult result{.id = o->id, .chat = o->chat, .timestamp_ms = 0};
    if (std::optional<std::string> t = o->pending.ack->GetAttrText("t")) {
      result.timestamp_ms = std::atoll(t->c_str()) * 1000;
    }
    if (result.timestamp_ms == 0) result.timestamp_ms = clock_.NowMs();
    co_return result;
  }
  if (o->pending.aborted) co_return base::Unavailable("connection ended");
  co_return base::DeadlineExceeded("no server ack for message " + o->id);
}

asio::awaitable<void> Messenger::DrainCommits() {
  draining_ = true;
  while (!commits_.empty()) {
    std::vector<std::shared_ptr<Outgoing>> batch;
    while (!commits_.empty() && batch.size() < kMaxCommitBatch) {
      batch.push_back(std::move(commits_.front()));
      commits_.pop_front();
    }
    base::Status all = co_await base::Offload(blocking_, [&] { return CommitSends(batch); });
    for (const std::shared_ptr<Outgoing>& o : batch) {
      base::Status committed = all.ok() ? o->committed : all;
      kv_.Release(o->staged.writes, o->staged.stage, committed.ok());
      if (!committed.ok()) {
        state_.ReturnUnsavedLidMappings(std::move(o->staged.mappings));
        // Told apart from protocol failures: the caller's store said no.
        o->pending.failed =
            o->persist ? committed.WithContext("persist before send") : std::move(committed);
        o->timer.cancel();
        continue;
      }
      base::Status sent = link_.LinkSend(o->stanza);
      if (!sent.ok()) {
        o->pending.failed = std::move(sent);
        o->timer.cancel();
      }
      o->stanza = binary::Node();  // on the wire: not needed any more
    }
  }
  draining_ = false;
  for (const auto& waiter : flush_waiters_) waiter->cancel();
  flush_waiters_.clear();
}

base::Status Messenger::CommitSends(const std::vector<std::shared_ptr<Outgoing>>& batch) {
  return sink_.InOneTransaction([&]() -> base::Status {
    for (const std::shared_ptr<Outgoing>& o : batch) {
      auto commit = [&]() -> base::Status {
        if (o->staged.writes.empty()) return base::Status::Ok();
        return store_kv_.Write(o->staged.writes);
      };
      // Each send's writes succeed or fail alone (a savepoint where the
      // store has them); the others still commit.
      o->committed = o->persist ? o->persist(commit) : commit();
    }
    return base::Status::Ok();
  });
}

asio::awaitable<void> Messenger::FlushCommits() {
  while (draining_ || !commits_.empty()) {
    if (!draining_) {
      // Queued by a send that has not started draining yet.
      co_await DrainCommits();
      continue;
    }
    auto done = std::make_shared<asio::steady_timer>(ex_, asio::steady_timer::time_point::max());
    flush_waiters_.push_back(done);
    co_await done->async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace wa::client

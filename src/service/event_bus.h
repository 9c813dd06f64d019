// EventBus: the events of one instance (api.md "Socket.IO events":
// new-message, message-status, chat-update, connection-update), persisted
// then delivered to every subscriber — the Socket.IO gateway now, webhooks
// later.
//
// Publish appends the event to the store (which assigns `seq`, a per-instance
// number that only grows), prunes the log now and then to the configured
// retention (count and age), and then calls every subscriber with the event.
// Publishes are serialized, so subscribers see events in seq order, each
// once. A subscriber that connects late reads what it missed with ReadAfter:
// subscribe first, then read, then drop live events with seq <= the last one
// read (see gateway/ for the pattern) — no gap, no duplicate.
//
// Ownership: borrows the EventStore and the Clock; both outlive the bus.
// Thread safety: every method may be called from any thread. Publish and
// ReadAfter are BLOCKING (store). Listeners run on the publishing thread
// while publishes are held back: they must be quick and must not block,
// publish or unsubscribe (hand the event to a queue instead).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "base/clock.h"
#include "base/status.h"
#include "store/store.h"

namespace boost::asio {
class thread_pool;
}  // namespace boost::asio

namespace service {

// The event names of api.md.
inline constexpr std::string_view kNewMessage = "new-message";
inline constexpr std::string_view kMessageStatus = "message-status";
inline constexpr std::string_view kChatUpdate = "chat-update";
inline constexpr std::string_view kConnectionUpdate = "connection-update";

struct Event {
  int64_t seq = 0;
  std::string name;
  // The payload as sent to clients: the published JSON object with "seq"
  // added.
  std::string json;
  int64_t created_at_ms = 0;
};

struct EventBusOptions {
  // Retention of the stored log; replay reaches back this far.
  int64_t keep = 10000;                                // events; < 0: no count limit
  int64_t max_age_ms = int64_t{7} * 24 * 3600 * 1000;  // 0: no age limit
  // Prune after this many publishes (and once at start).
  int prune_every = 100;
};

class EventBus {
 public:
  using Listener = std::function<void(const std::shared_ptr<const Event>&)>;

  EventBus(std::string instance, store::EventStore& store, const base::Clock& clock,
           EventBusOptions options = {});
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  // BLOCKING. Reads the last seq from the store and prunes once; call
  // before the first Publish (a fresh bus counts from the store anyway).
  base::Status Init();

  // BLOCKING. `payload` must be a JSON object (its "seq" member, if any, is
  // replaced). Persists, then delivers. Errors: kInvalidArgument for a bad
  // payload or name, else the store's error (nothing is delivered then).
  base::Result<std::shared_ptr<const Event>> Publish(std::string_view name,
                                                     std::string_view payload);

  // An event `work` wants published, its payload without "seq".
  struct Pending {
    std::string_view name;  // 1-64 characters, valid until PublishWith returns
    boost::json::object payload;
  };
  using Work = std::function<base::Result<std::vector<Pending>>()>;
  // BLOCKING. Group commit: runs `work` (store writes) in one store
  // transaction (EventStore::InTransaction) with the events it returns
  // appended in that same transaction, then delivers them in order. When
  // `work` or the commit fails nothing of it is stored or delivered.
  // Concurrent calls are combined: the first caller to find the bus free
  // runs every work queued meanwhile, each in its own savepoint (one that
  // fails is undone alone), and commits them once — thirty concurrent sends
  // cost one commit, not thirty. So `work` may run on another caller's
  // thread (while its own caller waits): keep it short, and never call
  // Publish or PublishWith inside it.
  base::Result<std::vector<std::shared_ptr<const Event>>> PublishWith(const Work& work);
  // PublishWith for coroutines, without a thread waiting: queues `work` and
  // resumes the caller once it ran on `blocking` (the same pool every
  // call), combined with whatever else queued meanwhile.
  boost::asio::awaitable<base::Result<std::vector<std::shared_ptr<const Event>>>> PublishAsync(
      boost::asio::thread_pool& blocking, Work work);

  // BLOCKING. Stored events with seq > after_seq, ascending, at most `limit`.
  base::Result<std::vector<Event>> ReadAfter(int64_t after_seq, int limit);

  // Returns a handle for Unsubscribe. The listener may already run before
  // Subscribe returns (for an event published concurrently).
  uint64_t Subscribe(Listener listener);
  // After it returns, the listener is not running and will not run again.
  void Unsubscribe(uint64_t id);

  // The seq of the last event published or found at Init; 0 when none.
  int64_t last_seq() const { return last_seq_.load(); }
  const std::string& instance() const { return instance_; }

 private:
  void MaybePrune();
  void Deliver(const std::shared_ptr<const Event>& event);

  // PublishWith's combining: callers queue a Job; one of them at a time
  // runs the queued jobs (RunJobs) while the others wait for `done`.
  struct Job {
    const Work* work = nullptr;
    base::Result<std::vector<std::shared_ptr<const Event>>> result = base::Internal("not run");
    bool done = false;             // guarded by combine_mu_ (PublishWith's jobs)
    Work owned;                    // PublishAsync's work
    std::function<void()> notify;  // PublishAsync: called instead of setting done
  };
  // REQUIRES combine_mu_ (all three).
  void Queue(Job* job);
  void PostRunner();
  // Runs up to max_rounds batches of the queue.
  void RunRounds(std::unique_lock<std::mutex>& lock, int max_rounds);
  void RunJobs(const std::vector<Job*>& jobs);
  static constexpr int kRunnerRounds = 8;
  static constexpr size_t kMaxCombined = 256;
  std::mutex combine_mu_;
  std::condition_variable combine_cv_;
  std::vector<Job*> queued_;                  // guarded by combine_mu_
  bool combining_ = false;                    // guarded by combine_mu_
  bool runner_posted_ = false;                // guarded by combine_mu_
  boost::asio::thread_pool* pool_ = nullptr;  // guarded by combine_mu_

  const std::string instance_;
  store::EventStore& store_;
  const base::Clock& clock_;
  const EventBusOptions options_;
  std::atomic<int64_t> last_seq_{0};

  // Held across append + delivery: seq order is delivery order.
  std::mutex publish_mu_;
  int since_prune_ = 0;  // guarded by publish_mu_

  std::mutex listeners_mu_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::shared_ptr<const Listener>> listeners_;
};

// An event's payload with "seq" set, as JSON text; kInvalidArgument when
// `payload` is not a JSON object. Exposed for tests and replay.
base::Result<std::string> WithSeq(std::string_view payload, int64_t seq);

// BLOCKING. `work` through bus->PublishWith, or without a bus (tests,
// tools) in one store transaction, its events dropped.
base::Status CommitWith(EventBus* bus, store::EventStore& store, const EventBus::Work& work);
// CommitWith for coroutines: through PublishAsync (no thread waits for the
// combined commit), or on `blocking` without a bus.
boost::asio::awaitable<base::Status> CommitAsync(EventBus* bus, store::EventStore& store,
                                                 boost::asio::thread_pool& blocking,
                                                 EventBus::Work work);

// `new-message` with the message object, then `chat-update` with the chat,
// for a message just stored (received or sent), for EventBus::PublishWith.
std::vector<EventBus::Pending> MessageStoredEvents(const store::MessageRecord& message,
                                                   const store::ChatRecord& chat);

}  // namespace service

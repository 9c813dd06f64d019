#include "service/event_bus.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/offload.h"
#include "service/objects.h"

namespace service {

base::Result<std::string> WithSeq(std::string_view payload, int64_t seq) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(payload, ec);
  if (ec || !v.is_object()) return base::InvalidArgument("event payload must be a JSON object");
  v.as_object()["seq"] = seq;
  return boost::json::serialize(v);
}

EventBus::EventBus(std::string instance, store::EventStore& store, const base::Clock& clock,
                   EventBusOptions options)
    : instance_(std::move(instance)), store_(store), clock_(clock), options_(options) {}

base::Status EventBus::Init() {
  std::lock_guard lock(publish_mu_);
  auto last = store_.LastEventSeq(instance_);
  if (!last.ok()) return last.status().WithContext("event bus: last seq");
  last_seq_ = *last;
  since_prune_ = options_.prune_every;  // prune on the first chance
  MaybePrune();
  return base::Status::Ok();
}

base::Result<std::shared_ptr<const Event>> EventBus::Publish(std::string_view name,
                                                             std::string_view payload) {
  if (name.empty() || name.size() > 64) {
    return base::InvalidArgument("event name must be 1-64 characters");
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(payload, ec);
  if (ec || !v.is_object()) return base::InvalidArgument("event payload must be a JSON object");
  // One event through the same path as PublishWith (and combined with it).
  Pending event{name, std::move(v.as_object())};
  auto made = PublishWith([&]() -> base::Result<std::vector<Pending>> {
    std::vector<Pending> events;
    events.push_back(std::move(event));
    return events;
  });
  if (!made.ok()) return made.status();
  return made->front();
}

void EventBus::Deliver(const std::shared_ptr<const Event>& event) {
  std::vector<std::shared_ptr<const Listener>> listeners;
  {
    std::lock_guard l(listeners_mu_);
    listeners.reserve(listeners_.size());
    for (const auto& [id, listener] : listeners_) listeners.push_back(listener);
  }
  for (const auto& listener : listeners) (*listener)(event);
}

base::Result<std::vector<std::shared_ptr<const Event>>> EventBus::PublishWith(const Work& work) {
  Job job;
  job.work = &work;
  std::unique_lock lock(combine_mu_);
  Queue(&job);
  for (;;) {
    combine_cv_.wait(lock, [&] { return job.done || !combining_; });
    if (job.done) return std::move(job.result);
    // Ours to run: the jobs queued so far, in order (ours among them unless
    // more than kMaxCombined wait; then another round follows).
    RunRounds(lock, /*max_rounds=*/1);
  }
}

namespace {
// The completion of one PublishAsync, sent from the pool thread that ran it.
using DoneChannel = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;
}  // namespace

boost::asio::awaitable<base::Result<std::vector<std::shared_ptr<const Event>>>>
EventBus::PublishAsync(boost::asio::thread_pool& blocking, Work work) {
  auto channel = std::make_shared<DoneChannel>(co_await boost::asio::this_coro::executor, 1);
  auto job = std::make_shared<Job>();
  job->owned = std::move(work);
  job->work = &job->owned;
  // Only the channel is touched after the job is marked done.
  job->notify = [channel] { channel->try_send(boost::system::error_code()); };
  {
    std::lock_guard lock(combine_mu_);
    pool_ = &blocking;
    Queue(job.get());
    if (!combining_) PostRunner();
  }
  co_await channel->async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return std::move(job->result);
}

void EventBus::Queue(Job* job) { queued_.push_back(job); }

void EventBus::PostRunner() {
  if (runner_posted_ || pool_ == nullptr) return;
  runner_posted_ = true;
  boost::asio::post(*pool_, [this] {
    std::unique_lock lock(combine_mu_);
    runner_posted_ = false;
    // A running leader posts again if it leaves jobs behind.
    if (combining_ || queued_.empty()) return;
    RunRounds(lock, kRunnerRounds);
  });
}

void EventBus::RunRounds(std::unique_lock<std::mutex>& lock, int max_rounds) {
  combining_ = true;
  std::vector<Job*> jobs;
  for (int round = 0; round < max_rounds && !queued_.empty(); ++round) {
    const auto n = static_cast<std::ptrdiff_t>(std::min(queued_.size(), kMaxCombined));
    jobs.assign(queued_.begin(), queued_.begin() + n);
    queued_.erase(queued_.begin(), queued_.begin() + n);
    lock.unlock();
    RunJobs(jobs);
    lock.lock();
    // After this a waiter may return and its Job go away: not touched again.
    for (Job* j : jobs) {
      if (j->notify) {
        std::function<void()> notify = std::move(j->notify);
        notify();
      } else {
        j->done = true;
      }
    }
    combine_cv_.notify_all();
  }
  combining_ = false;
  combine_cv_.notify_all();
  // Waiting PublishWith callers take over; PublishAsync jobs need a runner.
  if (!queued_.empty()) PostRunner();
}

void EventBus::RunJobs(const std::vector<Job*>& jobs) {
  std::vector<std::vector<std::shared_ptr<const Event>>> made(jobs.size());
  std::vector<base::Status> failed(jobs.size());
  // publish_mu_ before the store's transaction, as in Publish: one lock order.
  std::lock_guard lock(publish_mu_);
  base::Status committed = store_.InTransaction([&]() -> base::Status {
    const int64_t now = clock_.NowMs();
    for (size_t i = 0; i < jobs.size(); ++i) {
      made[i].clear();
      // A savepoint per job: one that fails is undone alone.
      failed[i] = store_.InTransaction([&]() -> base::Status {
        base::Result<std::vector<Pending>> pending = (*jobs[i]->work)();
        if (!pending.ok()) return pending.status();
        for (Pending& p : *pending) {
          p.payload.erase("seq");
          const std::string stored = boost::json::serialize(p.payload);
          auto appended = store_.AppendEvent(instance_, p.name, stored, now);
          if (!appended.ok()) {
            return appended.status().WithContext("publish " + std::string(p.name));
          }
          // The payload with "seq" appended, without parsing it again.
          std::string json = stored;
          json.pop_back();
          if (json.size() > 1) json += ',';
          json += "\"seq\":" + std::to_string(appended->seq) + "}";
          made[i].push_back(std::make_shared<const Event>(Event{
              appended->seq, std::move(appended->name), std::move(json), appended->created_at_ms}));
        }
        return base::Status::Ok();
      });
      if (!failed[i].ok()) made[i].clear();
    }
    return base::Status::Ok();
  });
  size_t delivered = 0;
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (!committed.ok()) {
      jobs[i]->result = committed;
      continue;
    }
    if (!failed[i].ok()) {
      jobs[i]->result = failed[i];
      continue;
    }
    for (const auto& event : made[i]) {
      last_seq_ = event->seq;
      Deliver(event);
    }
    delivered += made[i].size();
    jobs[i]->result = std::move(made[i]);
  }
  since_prune_ += static_cast<int>(delivered);
  MaybePrune();
}

void EventBus::MaybePrune() {
  if (since_prune_ < options_.prune_every) return;
  since_prune_ = 0;
  if (options_.keep < 0 && options_.max_age_ms <= 0) return;
  const int64_t older_than = options_.max_age_ms > 0 ? clock_.NowMs() - options_.max_age_ms : 0;
  auto removed = store_.PruneEvents(instance_, options_.keep, older_than > 0 ? older_than : 0);
  if (!removed.ok()) {
    spdlog::warn("event bus: prune: {}", removed.status().ToString());
  } else if (*removed > 0) {
    spdlog::debug("event bus: pruned {} events", *removed);
  }
}

base::Result<std::vector<Event>> EventBus::ReadAfter(int64_t after_seq, int limit) {
  auto records = store_.ListEventsAfter(instance_, after_seq, limit);
  if (!records.ok()) return records.status().WithContext("read events");
  std::vector<Event> events;
  events.reserve(records->size());
  for (auto& r : *records) {
    auto json = WithSeq(r.payload, r.seq);
    if (!json.ok()) {
      spdlog::warn("event bus: stored event {} has a bad payload; skipped", r.seq);
      continue;
    }
    events.push_back(Event{r.seq, std::move(r.name), std::move(json).value(), r.created_at_ms});
  }
  return events;
}

uint64_t EventBus::Subscribe(Listener listener) {
  std::lock_guard lock(listeners_mu_);
  const uint64_t id = next_id_++;
  listeners_.emplace(id, std::make_shared<const Listener>(std::move(listener)));
  return id;
}

void EventBus::Unsubscribe(uint64_t id) {
  {
    std::lock_guard lock(listeners_mu_);
    listeners_.erase(id);
  }
  // A publish in flight may still hold the listener; wait for it.
  std::lock_guard wait(publish_mu_);
}

base::Status CommitWith(EventBus* bus, store::EventStore& store, const EventBus::Work& work) {
  if (bus != nullptr) return bus->PublishWith(work).status();
  return store.InTransaction([&] { return work().status(); });
}

boost::asio::awaitable<base::Status> CommitAsync(EventBus* bus, store::EventStore& store,
                                                 boost::asio::thread_pool& blocking,
                                                 EventBus::Work work) {
  if (bus == nullptr) {
    co_return co_await base::Offload(blocking, [&] { return CommitWith(nullptr, store, work); });
  }
  auto published = co_await bus->PublishAsync(blocking, std::move(work));
  co_return published.status();
}

std::vector<EventBus::Pending> MessageStoredEvents(const store::MessageRecord& message,
                                                   const store::ChatRecord& chat) {
  std::vector<EventBus::Pending> events;
  events.push_back({kNewMessage, MessageToJson(message)});
  events.push_back({kChatUpdate, ChatToJson(chat)});
  return events;
}

}  // namespace service

#include "service/event_bus.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "store/memory/memory_store.h"

namespace service {
namespace {

class EventBusTest : public ::testing::Test {
 protected:
  std::unique_ptr<store::Store> store_ = store::memory::Create();
  base::FakeClock clock_;
};

TEST_F(EventBusTest, PublishPersistsThenDeliversWithSeq) {
  EventBus bus("inst", *store_, clock_);
  ASSERT_TRUE(bus.Init().ok());
  std::vector<std::shared_ptr<const Event>> seen;
  bus.Subscribe([&](const std::shared_ptr<const Event>& e) { seen.push_back(e); });
  auto e1 = bus.Publish(kNewMessage, R"({"id":"A","seq":99})");
  ASSERT_TRUE(e1.ok()) << e1.status().ToString();
  auto e2 = bus.Publish(kMessageStatus, R"({"id":"A","status":"read"})");
  ASSERT_TRUE(e2.ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0]->seq, 1);
  EXPECT_EQ(seen[1]->seq, 2);
  EXPECT_EQ(boost::json::parse(seen[0]->json), boost::json::parse(R"({"id":"A","seq":1})"));
  EXPECT_EQ(bus.last_seq(), 2);
  // Stored without seq; read back with it.
  auto stored = store_->ListEventsAfter("inst", 0, 10);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ((*stored)[0].payload, R"({"id":"A"})");
  auto read = bus.ReadAfter(1, 10);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ((*read)[0].name, kMessageStatus);
  EXPECT_EQ((*read)[0].json, seen[1]->json);
}

TEST_F(EventBusTest, RefusesBadPayloadsWithoutDelivering) {
  EventBus bus("inst", *store_, clock_);
  int calls = 0;
  bus.Subscribe([&](const std::shared_ptr<const Event>&) { ++calls; });
  EXPECT_EQ(bus.Publish("x", "[1]").status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(bus.Publish("x", "{").status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(bus.Publish("", "{}").status().code(), base::Code::kInvalidArgument);
  store_->Close();
  EXPECT_FALSE(bus.Publish("x", "{}").ok());
  EXPECT_EQ(calls, 0);
}

TEST_F(EventBusTest, UnsubscribeStopsDelivery) {
  EventBus bus("inst", *store_, clock_);
  int a = 0, b = 0;
  const uint64_t id = bus.Subscribe([&](const std::shared_ptr<const Event>&) { ++a; });
  bus.Subscribe([&](const std::shared_ptr<const Event>&) { ++b; });
  ASSERT_TRUE(bus.Publish("x", "{}").ok());
  bus.Unsubscribe(id);
  ASSERT_TRUE(bus.Publish("x", "{}").ok());
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 2);
}

TEST_F(EventBusTest, ConcurrentPublishersDeliverInSeqOrder) {
  EventBus bus("inst", *store_, clock_);
  std::vector<int64_t> seqs;
  bus.Subscribe([&](const std::shared_ptr<const Event>& e) { seqs.push_back(e->seq); });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) ASSERT_TRUE(bus.Publish("x", "{}").ok());
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(seqs.size(), 400u);
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], static_cast<int64_t>(i) + 1);
}

TEST_F(EventBusTest, PrunesToRetentionAndContinuesSeqAfterRestart) {
  clock_.SetMs(1'000'000);
  {
    EventBus bus("inst", *store_, clock_, {.keep = 5, .max_age_ms = 0, .prune_every = 10});
    ASSERT_TRUE(bus.Init().ok());
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(bus.Publish("x", "{}").ok());
    auto left = store_->ListEventsAfter("inst", 0, 100);
    ASSERT_TRUE(left.ok());
    EXPECT_EQ(left->size(), 5u);  // pruned at the 20th publish
  }
  EventBus again("inst", *store_, clock_, {.keep = -1, .max_age_ms = 1000, .prune_every = 1});
  ASSERT_TRUE(again.Init().ok());
  EXPECT_EQ(again.last_seq(), 20);
  clock_.AdvanceMs(5000);
  auto next = again.Publish("x", "{}");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ((*next)->seq, 21);
  auto left = store_->ListEventsAfter("inst", 0, 100);
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);  // the old ones aged out
  EXPECT_EQ((*left)[0].seq, 21);
}

// Group commit: the work's writes and its events land together, then the
// events are delivered with their seqs; a failing work leaves nothing.
TEST_F(EventBusTest, PublishWithCommitsWritesAndEventsTogether) {
  EventBus bus("inst", *store_, clock_);
  ASSERT_TRUE(bus.Init().ok());
  std::vector<std::string> seen;
  bus.Subscribe([&](const std::shared_ptr<const Event>& e) { seen.push_back(e->json); });
  auto made = bus.PublishWith([&]() -> base::Result<std::vector<EventBus::Pending>> {
    WAGATE_RETURN_IF_ERROR(store_->WriteKeys("inst", {{"t", "k", "v"}}));
    std::vector<EventBus::Pending> events;
    boost::json::object a;
    a["id"] = "m1";
    events.push_back({kNewMessage, a});
    events.push_back({kChatUpdate, boost::json::object()});
    return events;
  });
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  ASSERT_EQ(made->size(), 2u);
  EXPECT_EQ(seen, (std::vector<std::string>{R"({"id":"m1","seq":1})", R"({"seq":2})"}));
  EXPECT_EQ(bus.last_seq(), 2);

  auto failed = bus.PublishWith([&]() -> base::Result<std::vector<EventBus::Pending>> {
    WAGATE_RETURN_IF_ERROR(store_->WriteKeys("inst", {{"t", "gone", "v"}}));
    return base::Unavailable("work fails");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(seen.size(), 2u);
  auto keys = store_->GetKeys("inst", "t", {"k", "gone"});
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 1u);
  auto stored = bus.ReadAfter(0, 10);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), 2u);
}

// Concurrent PublishWith calls are combined; each gets its own events, a
// failing one does not take the others down, and delivery is in seq order.
TEST_F(EventBusTest, ConcurrentPublishWithAreCombinedAndIsolated) {
  EventBus bus("inst", *store_, clock_);
  ASSERT_TRUE(bus.Init().ok());
  std::vector<int64_t> seqs;
  std::mutex mu;
  bus.Subscribe([&](const std::shared_ptr<const Event>& e) {
    std::lock_guard lock(mu);
    seqs.push_back(e->seq);
  });
  constexpr int kThreads = 8, kEach = 40;
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const bool fail = (i % 10) == 3;
        auto made = bus.PublishWith([&]() -> base::Result<std::vector<EventBus::Pending>> {
          if (fail) return base::Internal("this one fails");
          boost::json::object o;
          o["t"] = t;
          o["i"] = i;
          return std::vector<EventBus::Pending>{{kNewMessage, o}};
        });
        if (made.ok() && made->size() == 1) ++ok;
        if (!made.ok()) ++refused;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * kEach * 9 / 10);
  EXPECT_EQ(refused.load(), kThreads * kEach / 10);
  ASSERT_EQ(seqs.size(), static_cast<size_t>(ok.load()));
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], static_cast<int64_t>(i + 1));
}

}  // namespace
}  // namespace service

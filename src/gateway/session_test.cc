// Session logic without sockets: a fake Hub, packets fed directly, the
// queue read with TakeQueued. Covers orderings the end-to-end tests can
// only hit by luck (the replay/live boundary).
#include "gateway/session.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace gateway::internal {
namespace {

class FakeHub final : public Hub {
 public:
  const Limits& limits() const override { return limits_; }
  bool Authenticate(std::string_view credential) override { return credential == "key"; }
  void Subscribe(const std::shared_ptr<Session>&) override { ++subscribed; }
  void Unsubscribe(const Session*) override { --subscribed; }
  void StartReplay(const std::shared_ptr<Session>&, int64_t since) override {
    replay_since = since;
  }
  int64_t LastSeq() const override { return 7; }
  void Forget(const Session*) override { ++forgotten; }
  std::string NewId() override { return "socket-id"; }
  void CountSlowClient() override { ++slow; }

  Limits limits_;
  int subscribed = 0;
  int forgotten = 0;
  int slow = 0;
  int64_t replay_since = -1;
};

class CountingSink final : public Sink {
 public:
  void Wake() override { ++wakes; }
  void Shut() override { ++shuts; }
  int wakes = 0;
  int shuts = 0;
};

std::string Text(int64_t seq) { return "42[\"e\",{\"seq\":" + std::to_string(seq) + "}]"; }

Outgoing Frame(int64_t seq) {
  return {std::make_shared<const std::string>("42[\"e\",{\"seq\":" + std::to_string(seq) + "}]")};
}

class SessionTest : public ::testing::Test {
 protected:
  std::shared_ptr<Session> NewSession() {
    auto s = std::make_shared<Session>(hub_, io_, "sid", TransportKind::kWebSocket, "", "test");
    s->AttachWebSocket(sink_);
    return s;
  }
  std::vector<std::string> Drain(Session& s) {
    std::vector<Outgoing> out;
    s.TakeQueued(out);
    std::vector<std::string> texts;
    for (const auto& o : out) texts.emplace_back(o.packet());
    return texts;
  }
  void Connect(Session& s, const std::string& auth) {
    s.OnPacket({eio::PacketType::kMessage, "0" + auth});
  }

  boost::asio::io_context io_;
  FakeHub hub_;
  std::shared_ptr<CountingSink> sink_ = std::make_shared<CountingSink>();
};

TEST_F(SessionTest, ReplayBoundaryHasNoGapAndNoDuplicate) {
  auto s = NewSession();
  Connect(*s, R"({"token":"key","since":2})");
  EXPECT_EQ(hub_.replay_since, 2);
  EXPECT_EQ(Drain(*s), std::vector<std::string>{R"(40{"sid":"socket-id"})"});
  // Live events during the replay are held back...
  s->Deliver(Frame(5), 5);
  s->Deliver(Frame(6), 6);
  EXPECT_TRUE(Drain(*s).empty());
  // ...the store had 3..5 (5 was appended before the read)...
  s->Replay({{3, Frame(3)}, {4, Frame(4)}, {5, Frame(5)}});
  s->FinishReplay(5);
  // ...and 5 arrives live once more after the replay ended (appended before
  // the read, delivered after FinishReplay): dropped.
  s->Deliver(Frame(5), 5);
  s->Deliver(Frame(7), 7);
  EXPECT_EQ(Drain(*s), (std::vector<std::string>{Text(3), Text(4), Text(5), Text(6), Text(7)}));
}

TEST_F(SessionTest, LiveEventAlreadyReplayedIsDroppedEvenWhenNotHeld) {
  auto s = NewSession();
  Connect(*s, R"({"token":"key","since":0})");
  Drain(*s);
  s->Replay({{1, Frame(1)}, {2, Frame(2)}});
  s->FinishReplay(2);
  s->Deliver(Frame(2), 2);
  s->Deliver(Frame(3), 3);
  EXPECT_EQ(Drain(*s), (std::vector<std::string>{Text(1), Text(2), Text(3)}));
}

TEST_F(SessionTest, NoEventsBeforeConnectOrAfterBadToken) {
  auto s = NewSession();
  s->Deliver(Frame(1), 1);
  Drain(*s);  // the open packet
  Connect(*s, R"({"token":"nope"})");
  s->Deliver(Frame(2), 2);
  EXPECT_EQ(Drain(*s), std::vector<std::string>{R"(44{"message":"Unauthorized"})"});
  EXPECT_EQ(hub_.subscribed, 0);
}

TEST_F(SessionTest, FullQueueClosesTheSession) {
  hub_.limits_.max_queue = 3;
  auto s = NewSession();
  Connect(*s, R"({"token":"key"})");
  ASSERT_EQ(hub_.subscribed, 1);
  for (int i = 1; i <= 3; ++i) s->Deliver(Frame(i), i);  // queue: open, 40, 1 → full at 2
  EXPECT_TRUE(s->closed());
  EXPECT_EQ(hub_.slow, 1);
  EXPECT_EQ(hub_.subscribed, 0);
  EXPECT_EQ(hub_.forgotten, 1);
  EXPECT_EQ(sink_->shuts, 1);
}

TEST_F(SessionTest, WakesTheSinkOncePerDrain) {
  auto s = NewSession();
  Connect(*s, R"({"token":"key"})");
  const int before = sink_->wakes;
  Drain(*s);
  Drain(*s);  // empty: the next packet wakes again
  s->Deliver(Frame(1), 1);
  s->Deliver(Frame(2), 2);
  EXPECT_EQ(sink_->wakes, before + 1);
  EXPECT_EQ(Drain(*s).size(), 2u);
}

TEST_F(SessionTest, DeliverHandsTheSinkToWakeToTheCaller) {
  auto s = NewSession();
  Connect(*s, R"({"token":"key"})");
  Drain(*s);
  Drain(*s);  // empty: the writer is idle, the next packet needs a wake
  const int before = sink_->wakes;
  std::vector<std::shared_ptr<Sink>> wakes;
  s->Deliver(Frame(1), 1, &wakes);
  s->Deliver(Frame(2), 2, &wakes);  // already woken: not again
  ASSERT_EQ(wakes.size(), 1u);
  EXPECT_EQ(wakes[0], sink_);
  EXPECT_EQ(sink_->wakes, before);
  EXPECT_EQ(Drain(*s).size(), 2u);
}

// Broadcast events carry their WebSocket frame header; a polling client
// gets the packet alone.
TEST_F(SessionTest, PollingSendsFramedEventsWithoutTheirHeader) {
  auto s = std::make_shared<Session>(hub_, io_, "sid", TransportKind::kPolling, "", "test");
  Connect(*s, R"({"token":"key"})");
  auto waiter = std::make_shared<PollWaiter>(io_.get_executor());
  ASSERT_EQ(s->BeginPoll(waiter), Session::PollStart::kReady);
  EXPECT_TRUE(s->FinishPoll(waiter).starts_with("40{"));
  const std::string text = Text(1);
  const std::string wire = std::string("\x81") + static_cast<char>(text.size()) + text;
  s->Deliver({std::make_shared<const std::string>(wire), false, 2}, 1);
  s->Deliver(Frame(2), 2);
  ASSERT_EQ(s->BeginPoll(waiter), Session::PollStart::kReady);
  EXPECT_EQ(s->FinishPoll(waiter), Text(1) + "\x1e" + Text(2));
}

TEST_F(SessionTest, MalformedSocketIoPacketClosesTheSession) {
  for (std::string bad :
       {"4x", "9", R"(2{"not":"an array"})", R"(51-["a",{"_placeholder":true,"num":5}])"}) {
    auto s = NewSession();
    s->OnPacket({eio::PacketType::kMessage, bad});
    EXPECT_TRUE(s->closed()) << bad;
  }
  auto s = NewSession();
  s->OnPacket(eio::BinaryMessage("unexpected"));
  EXPECT_TRUE(s->closed());
}

}  // namespace
}  // namespace gateway::internal

#include "gateway/session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <boost/json/value.hpp>

namespace gateway::internal {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

std::shared_ptr<const std::string> Shared(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

// A queue left this large by a burst is given back once drained.
constexpr size_t kKeepCapacity = 64;

}  // namespace

void PollWaiter::Wake() {
  asio::post(timer.get_executor(), [self = shared_from_this()] { self->timer.cancel(); });
}

Session::Session(Hub& hub, asio::io_context& io, std::string sid, TransportKind transport,
                 std::string credential, std::string remote)
    : hub_(hub),
      sid_(std::move(sid)),
      credential_(std::move(credential)),
      remote_(std::move(remote)),
      created_(std::chrono::steady_clock::now()),
      strand_(asio::make_strand(io)),
      heartbeat_(strand_),
      transport_(transport) {}

Session::~Session() = default;

std::string Session::OpenPacket(bool upgrades) const {
  const Limits& l = hub_.limits();
  return fmt::format(
      R"(0{{"sid":"{}","upgrades":[{}],"pingInterval":{},"pingTimeout":{},"maxPayload":{}}})", sid_,
      upgrades ? "\"websocket\"" : "", l.ping_interval.count(), l.ping_timeout.count(),
      l.max_payload);
}

void Session::Start() {
  if (transport_ == TransportKind::kWebSocket) SendText(OpenPacket(false));
  asio::post(strand_, [self = shared_from_this()] { self->ScheduleHeartbeat(); });
}

bool Session::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

bool Session::IsPolling() const {
  std::lock_guard lock(mu_);
  return transport_ == TransportKind::kPolling;
}

// ---- heartbeat (on strand_) ----
// Engine.IO v4: the server pings every pingInterval; the client answers
// with a pong within pingTimeout or the session ends. The next ping is
// scheduled from the pong, like engine.io's socket.ts.

void Session::ScheduleHeartbeat() {
  if (closed()) return;
  awaiting_pong_ = false;
  heartbeat_.expires_after(hub_.limits().ping_interval);
  heartbeat_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->OnPingDue();
  });
}

void Session::OnPingDue() {
  bool connected = false;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    connected = connected_;
  }
  if (!connected && std::chrono::steady_clock::now() - created_ > hub_.limits().connect_timeout) {
    Close("no Socket.IO CONNECT within the connect timeout");
    return;
  }
  awaiting_pong_ = true;
  pong_seen_ = false;
  SendText("2");
  heartbeat_.expires_after(hub_.limits().ping_timeout);
  heartbeat_.async_wait([self = shared_from_this()](error_code ec) {
    if (self->pong_seen_) {
      self->ScheduleHeartbeat();
    } else if (!ec) {
      self->Close("ping timeout");
    }
  });
}

void Session::OnPong() {
  asio::post(strand_, [self = shared_from_this()] {
    if (!self->awaiting_pong_) return;
    self->awaiting_pong_ = false;
    self->pong_seen_ = true;
    self->heartbeat_.cancel();
  });
}

// ---- outgoing ----

Session::Push Session::PushLocked(Outgoing out, std::shared_ptr<Sink>* wake) {
  if (closed_) return Push::kClosed;
  if (wake != nullptr && queue_.size() >= hub_.limits().max_queue) return Push::kOverflow;
  queue_.push_back(std::move(out));
  if (!woken_) {
    if (transport_ == TransportKind::kWebSocket && sink_) {
      woken_ = true;
      if (wake != nullptr) *wake = sink_;
    } else if (transport_ == TransportKind::kPolling && poll_) {
      woken_ = true;
      if (wake != nullptr) *wake = poll_;
    }
  }
  return Push::kQueued;
}

void Session::Send(Outgoing out) {
  std::shared_ptr<Sink> wake;
  Push result;
  {
    std::lock_guard lock(mu_);
    result = PushLocked(std::move(out), &wake);
  }
  if (wake) wake->Wake();
  if (result == Push::kOverflow) {
    hub_.CountSlowClient();
    Close(
        fmt::format("outgoing queue full ({} packets): client too slow", hub_.limits().max_queue));
  }
}

void Session::SendText(std::string text) { Send({Shared(std::move(text)), false}); }

void Session::SendSio(const sio::Packet& packet) { SendText("4" + sio::Encode(packet)); }

void Session::Deliver(const Outgoing& frame, int64_t seq,
                      std::vector<std::shared_ptr<Sink>>* wakes) {
  std::shared_ptr<Sink> wake;
  Push result = Push::kQueued;
  {
    std::lock_guard lock(mu_);
    if (closed_ || !connected_ || seq <= last_seq_) return;
    if (replaying_) {
      if (held_.size() >= hub_.limits().max_queue) {
        result = Push::kOverflow;
      } else {
        held_.emplace_back(seq, frame);
        return;
      }
    } else {
      result = PushLocked(frame, &wake);
      last_seq_ = seq;
    }
  }
  if (wake && wakes != nullptr) {
    wakes->push_back(std::move(wake));
  } else if (wake) {
    wake->Wake();
  }
  if (result == Push::kOverflow) {
    hub_.CountSlowClient();
    Close(
        fmt::format("outgoing queue full ({} packets): client too slow", hub_.limits().max_queue));
  }
}

// Replayed events are bounded by the store's retention, not by max_queue:
// a reconnecting client gets everything it asked for that is still kept.
void Session::Replay(std::vector<std::pair<int64_t, Outgoing>> frames) {
  std::shared_ptr<Sink> wake;
  {
    std::lock_guard lock(mu_);
    if (closed_ || !connected_ || !replaying_) return;
    for (auto& [seq, frame] : frames) {
      PushLocked(std::move(frame), nullptr);
      last_seq_ = std::max(last_seq_, seq);
    }
    if (woken_ && !frames.empty()) wake = transport_ == TransportKind::kWebSocket ? sink_ : poll_;
  }
  if (wake) wake->Wake();
}

void Session::FinishReplay(int64_t last_replayed) {
  std::shared_ptr<Sink> wake;
  size_t live = 0;
  {
    std::lock_guard lock(mu_);
    if (closed_ || !connected_ || !replaying_) return;
    replaying_ = false;
    for (auto& [seq, frame] : held_) {
      if (seq <= last_replayed || seq <= last_seq_) continue;  // already replayed
      PushLocked(std::move(frame), nullptr);
      last_seq_ = seq;
      ++live;
    }
    held_ = {};
    if (woken_) wake = transport_ == TransportKind::kWebSocket ? sink_ : poll_;
  }
  spdlog::debug("socket.io sid={}: replay done up to seq {}, then {} live events held meanwhile",
                sid_, last_replayed, live);
  if (wake) wake->Wake();
}

void Session::TakeQueued(std::vector<Outgoing>& out) {
  std::lock_guard lock(mu_);
  out.swap(queue_);
  if (queue_.capacity() > kKeepCapacity) queue_ = {};
  if (out.empty()) woken_ = false;
}

void Session::AttachWebSocket(std::shared_ptr<Sink> sink) {
  std::shared_ptr<Sink> wake;
  {
    std::lock_guard lock(mu_);
    sink_ = std::move(sink);
    if (!queue_.empty() && !woken_) {
      woken_ = true;
      wake = sink_;
    }
  }
  if (wake) wake->Wake();
}

// ---- polling ----

Session::PollStart Session::BeginPoll(const std::shared_ptr<PollWaiter>& waiter) {
  std::lock_guard lock(mu_);
  if (transport_ != TransportKind::kPolling) return PollStart::kGone;
  if (poll_) return PollStart::kOverlap;
  if (!queue_.empty()) return PollStart::kReady;
  if (closed_) return PollStart::kGone;
  if (probed_) return PollStart::kNoop;
  poll_ = waiter;
  woken_ = false;
  return PollStart::kWait;
}

std::string Session::FinishPoll(const std::shared_ptr<PollWaiter>& waiter) {
  std::lock_guard lock(mu_);
  if (poll_ == waiter) {
    poll_.reset();
    woken_ = false;
  }
  if (transport_ != TransportKind::kPolling || queue_.empty()) return "6";
  // Whole packets up to maxPayload bytes, at least one.
  const size_t max = hub_.limits().max_payload;
  std::string body;
  size_t taken = 0;
  for (; taken < queue_.size(); ++taken) {
    const Outgoing& o = queue_[taken];
    const std::string_view packet = o.packet();
    const size_t size = o.binary ? 1 + (packet.size() + 2) / 3 * 4 : packet.size();
    if (taken > 0 && body.size() + 1 + size > max) break;
    if (taken > 0) body += eio::kRecordSeparator;
    if (o.binary) {
      eio::AppendPacket(body, eio::BinaryMessage(packet));
    } else {
      body += packet;
    }
  }
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(taken));
  if (queue_.empty() && queue_.capacity() > kKeepCapacity) queue_ = {};
  return body;
}

// ---- upgrade ----

bool Session::CanUpgrade() {
  std::lock_guard lock(mu_);
  if (closed_ || transport_ != TransportKind::kPolling || upgrading_) return false;
  upgrading_ = true;
  return true;
}

void Session::OnProbe() {
  std::shared_ptr<PollWaiter> poll;
  {
    std::lock_guard lock(mu_);
    if (!upgrading_) return;
    probed_ = true;
    poll = poll_;
    if (poll) poll->noop = true;
  }
  if (poll) poll->Wake();
}

void Session::CompleteUpgrade(std::shared_ptr<Sink> sink) {
  std::shared_ptr<PollWaiter> poll;
  std::shared_ptr<Sink> wake;
  {
    std::lock_guard lock(mu_);
    if (closed_ || !upgrading_) return;
    transport_ = TransportKind::kWebSocket;
    upgrading_ = false;
    probed_ = false;
    sink_ = std::move(sink);
    poll = std::move(poll_);
    if (poll) poll->noop = true;
    woken_ = !queue_.empty();
    if (woken_) wake = sink_;
  }
  spdlog::debug("engine.io sid={}: upgraded to websocket", sid_);
  if (poll) poll->Wake();
  if (wake) wake->Wake();
}

void Session::AbortUpgrade() {
  std::lock_guard lock(mu_);
  upgrading_ = false;
  probed_ = false;
}

// ---- incoming ----

void Session::OnPacket(eio::Packet packet) {
  switch (packet.type) {
    case eio::PacketType::kPong:
      OnPong();
      break;
    case eio::PacketType::kPing:
      SendText("3" + packet.data);
      break;
    case eio::PacketType::kClose:
      Close("client closed the session");
      break;
    case eio::PacketType::kMessage:
      OnMessage(std::move(packet));
      break;
    case eio::PacketType::kNoop:
    case eio::PacketType::kUpgrade:
      break;
    case eio::PacketType::kOpen:
      Close("protocol error: open packet from the client");
      break;
  }
}

void Session::OnMessage(eio::Packet packet) {
  if (packet.binary) {
    bool expected = false;
    std::optional<sio::BinaryAssembler::Complete> complete;
    {
      std::lock_guard lock(mu_);
      expected = assembler_.busy();
      if (expected) complete = assembler_.Add(std::move(packet.data));
    }
    if (!expected) {
      Close("protocol error: binary message without a binary packet");
    } else if (complete) {
      OnSocketIo(std::move(complete->packet), std::move(complete->buffers));
    }
    return;
  }
  bool expecting_binary = false;
  {
    std::lock_guard lock(mu_);
    expecting_binary = assembler_.busy();
  }
  if (expecting_binary) {
    Close("protocol error: text packet while binary attachments were due");
    return;
  }
  auto decoded = sio::Decode(packet.data);
  if (!decoded.ok()) {
    Close("protocol error: " + decoded.status().message());
    return;
  }
  if (decoded->attachments > 0) {
    std::lock_guard lock(mu_);
    assembler_.Start(std::move(decoded).value());
    return;
  }
  OnSocketIo(std::move(decoded).value(), {});
}

void Session::OnSocketIo(sio::Packet packet, std::vector<std::string> buffers) {
  if (packet.nsp != "/") {
    if (packet.type == sio::PacketType::kConnect) {
      sio::Packet refused{sio::PacketType::kConnectError, packet.nsp, std::nullopt,
                          boost::json::object{{"message", "Invalid namespace"}}};
      SendSio(refused);
    }
    return;  // packets for namespaces never joined are dropped
  }
  switch (packet.type) {
    case sio::PacketType::kConnect:
      OnConnect(packet);
      break;
    case sio::PacketType::kDisconnect: {
      bool was_connected = false;
      {
        std::lock_guard lock(mu_);
        was_connected = connected_;
        connected_ = false;
        replaying_ = false;
        held_ = {};
      }
      if (was_connected) hub_.Unsubscribe(this);
      spdlog::debug("socket.io sid={}: client disconnected namespace /", sid_);
      break;
    }
    case sio::PacketType::kEvent:
    case sio::PacketType::kBinaryEvent: {
      bool connected = false;
      {
        std::lock_guard lock(mu_);
        connected = connected_;
      }
      if (connected) OnEvent(packet, std::move(buffers));
      break;
    }
    case sio::PacketType::kAck:
    case sio::PacketType::kBinaryAck:
      break;  // the server never asks for acks
    case sio::PacketType::kConnectError:
      Close("protocol error: CONNECT_ERROR from the client");
      break;
  }
}

void Session::OnConnect(const sio::Packet& packet) {
  std::string_view credential = credential_;
  std::optional<int64_t> since;
  if (packet.data && packet.data->is_object()) {
    const auto& auth = packet.data->as_object();
    if (auto it = auth.find("token"); it != auth.end() && it->value().is_string()) {
      credential = it->value().as_string();
    }
    if (auto it = auth.find("since"); it != auth.end()) {
      const auto& v = it->value();
      if (v.is_int64() && v.as_int64() >= 0) since = v.as_int64();
      if (v.is_uint64()) since = INT64_MAX;
      if (v.is_double() && v.as_double() >= 0 && v.as_double() < 9e18) {
        since = static_cast<int64_t>(v.as_double());
      }
    }
  }
  if (credential.empty() || !hub_.Authenticate(credential)) {
    spdlog::info("socket.io sid={} remote={}: connect refused: {}", sid_, remote_,
                 credential.empty() ? "no credential" : "bad credential");
    SendSio({sio::PacketType::kConnectError, "/", std::nullopt,
             boost::json::object{{"message", "Unauthorized"}}});
    return;
  }
  const std::string socket_id = hub_.NewId();
  std::shared_ptr<Sink> wake;
  {
    std::lock_guard lock(mu_);
    if (closed_ || connected_) return;
    connected_ = true;
    replaying_ = since.has_value();
    sio::Packet ok{sio::PacketType::kConnect, "/", std::nullopt,
                   boost::json::object{{"sid", socket_id}}};
    PushLocked({Shared("4" + sio::Encode(ok)), false}, &wake);
  }
  if (wake) wake->Wake();
  spdlog::debug("socket.io sid={} remote={}: connected{}", sid_, remote_,
                since ? fmt::format(", replay after seq {}", *since) : std::string());
  auto self = shared_from_this();
  hub_.Subscribe(self);
  if (since) hub_.StartReplay(self, *since);
}

void Session::OnEvent(const sio::Packet& packet, std::vector<std::string> buffers) {
  const auto& args = packet.data->as_array();
  const std::string_view name =
      args.front().is_string() ? std::string_view(args.front().as_string()) : std::string_view();
  if (!packet.id) {
    spdlog::debug("socket.io sid={}: event \"{}\" ignored", sid_, name);
    return;
  }
  if (name == "ping") {
    // The built-in round trip: ack {pong: true, seq: <last event seq>}.
    boost::json::array reply{boost::json::object{{"pong", true}, {"seq", hub_.LastSeq()}}};
    SendSio({sio::PacketType::kAck, "/", packet.id, std::move(reply)});
  } else if (name == "echo") {
    // Acks with the event's arguments, binary attachments included.
    boost::json::array reply(args.begin() + 1, args.end());
    if (buffers.empty()) {
      SendSio({sio::PacketType::kAck, "/", packet.id, std::move(reply)});
    } else {
      SendSio({sio::PacketType::kBinaryAck, "/", packet.id, std::move(reply), buffers.size()});
      for (auto& b : buffers) Send({Shared(std::move(b)), true});
    }
  } else {
    spdlog::debug("socket.io sid={}: event \"{}\" has no handler", sid_, name);
  }
}

void Session::Close(std::string_view reason) {
  std::shared_ptr<Sink> sink;
  std::shared_ptr<PollWaiter> poll;
  bool was_connected = false;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    if (transport_ == TransportKind::kPolling) {
      // The pending (or next) poll tells the client.
      queue_.push_back({Shared("1"), false});
    }
    closed_ = true;
    sink = std::move(sink_);
    poll = std::move(poll_);
    was_connected = connected_;
    connected_ = false;
    replaying_ = false;
    held_ = {};
  }
  if (reason.find("too slow") != std::string_view::npos) {
    spdlog::warn("engine.io sid={} remote={}: closed: {}", sid_, remote_, reason);
  } else {
    spdlog::debug("engine.io sid={} remote={}: closed: {}", sid_, remote_, reason);
  }
  if (sink) sink->Shut();
  if (poll) poll->Wake();
  if (was_connected) hub_.Unsubscribe(this);
  hub_.Forget(this);
  asio::post(strand_, [self = shared_from_this()] { self->heartbeat_.cancel(); });
}

}  // namespace gateway::internal

// Internal to the gateway: one Engine.IO session (sid) with the Socket.IO
// socket of namespace "/" on top of it, independent of the transport that
// carries its packets (HTTP long-polling or a WebSocket, see gateway.cc and
// websocket.cc).
//
// Outgoing packets wait in one bounded queue; the active transport (a Sink)
// is woken when the queue becomes non-empty and takes everything queued.
// A session whose queue is full is closed ("client too slow"): a slow
// client never slows the publisher or the other clients.
//
// Threading: every public method may be called from any thread. The
// session's state is guarded by one mutex, never held while calling out
// (Hub, Sink) — except Hub::Authenticate and the pure codecs. The heartbeat
// timer lives on the session's own strand.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/engineio.h"
#include "gateway/socketio.h"

namespace gateway::internal {

// An encoded Engine.IO packet ("42[...]", "2") or, when `binary`, the raw
// bytes of a binary message. Broadcast events are encoded once and shared by
// every session; they also carry their WebSocket frame header in front of
// the packet (`framed` bytes), so that WebSocket connections send the same
// bytes without framing each copy, and polling takes packet() only.
struct Outgoing {
  std::shared_ptr<const std::string> data;
  bool binary = false;
  uint8_t framed = 0;  // bytes of WebSocket frame header at the start of *data

  std::string_view packet() const { return std::string_view(*data).substr(framed); }
};

struct Limits {
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{20000};
  std::chrono::milliseconds connect_timeout{45000};
  size_t max_payload = 1000000;
  size_t max_queue = 1024;
};

class Session;

// What a session needs from the gateway.
class Hub {
 public:
  virtual ~Hub() = default;
  virtual const Limits& limits() const = 0;
  virtual bool Authenticate(std::string_view credential) = 0;
  // Live events start reaching session->Deliver.
  virtual void Subscribe(const std::shared_ptr<Session>& session) = 0;
  virtual void Unsubscribe(const Session* session) = 0;
  // Reads stored events after `since` (off the event loop) and hands them to
  // session->Replay / FinishReplay.
  virtual void StartReplay(const std::shared_ptr<Session>& session, int64_t since) = 0;
  virtual int64_t LastSeq() const = 0;
  // The session closed: forget its sid.
  virtual void Forget(const Session* session) = 0;
  virtual std::string NewId() = 0;
  virtual void CountSlowClient() = 0;
};

// The transport currently taking the session's packets.
class Sink {
 public:
  virtual ~Sink() = default;
  // Packets are queued (or the pending poll should answer). Thread-safe.
  virtual void Wake() = 0;
  // The same, called on a thread running the io_context: a transport may
  // start writing right here instead of queueing a handler (a broadcast
  // wakes every connection from one posted handler).
  virtual void WakeHere() { Wake(); }
  // The session closed. Thread-safe.
  virtual void Shut() = 0;
};

// A pending polling GET: woken by cancelling its timer on its own strand.
class PollWaiter final : public Sink, public std::enable_shared_from_this<PollWaiter> {
 public:
  explicit PollWaiter(boost::asio::any_io_executor executor) : timer(std::move(executor)) {}
  void Wake() override;
  void Shut() override { Wake(); }
  // Touched only on the waiter's strand (the polling request's coroutine).
  boost::asio::steady_timer timer;
  bool noop = false;  // guarded by the session's mutex: answer "6"
};

enum class TransportKind { kPolling, kWebSocket };

class Session final : public std::enable_shared_from_this<Session> {
 public:
  Session(Hub& hub, boost::asio::io_context& io, std::string sid, TransportKind transport,
          std::string credential, std::string remote);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::string& sid() const { return sid_; }
  const std::string& remote() const { return remote_; }

  // The Engine.IO open packet ("0{...}") for this session.
  std::string OpenPacket(bool upgrades) const;
  // Starts the heartbeat. For a WebSocket session, also queues the open
  // packet (a polling session answers the handshake request with it).
  void Start();

  // A packet from the client, over the active transport.
  void OnPacket(eio::Packet packet);
  // Ends the session (idempotent); `reason` goes to the log.
  void Close(std::string_view reason);
  bool closed() const;

  // A broadcast event (already encoded, shared), in seq order. With
  // `wakes`, the sink to wake (if any) is appended there for the caller to
  // wake, instead of being woken here.
  void Deliver(const Outgoing& frame, int64_t seq,
               std::vector<std::shared_ptr<Sink>>* wakes = nullptr);
  // Replay: stored events, in order, then FinishReplay with the last seq
  // replayed (or `since` when none); live events that arrived meanwhile are
  // then queued unless already replayed.
  void Replay(std::vector<std::pair<int64_t, Outgoing>> frames);
  void FinishReplay(int64_t last_replayed);

  // --- WebSocket writer side ---
  // Moves everything queued into `out` (which must be empty); when nothing
  // is queued, the next queued packet wakes the sink again.
  void TakeQueued(std::vector<Outgoing>& out);
  void AttachWebSocket(std::shared_ptr<Sink> sink);  // WebSocket-only session

  // --- Polling ---
  enum class PollStart { kReady, kWait, kNoop, kOverlap, kGone };
  PollStart BeginPoll(const std::shared_ptr<PollWaiter>& waiter);
  // The response body: queued packets up to max_payload (or "6").
  std::string FinishPoll(const std::shared_ptr<PollWaiter>& waiter);
  bool IsPolling() const;

  // --- Upgrade (polling → WebSocket) ---
  // Whether a WebSocket may start probing this session.
  bool CanUpgrade();
  // "2probe" arrived on the new WebSocket: the pending poll answers "6" and
  // later polls answer "6" at once, so the client can pause polling.
  void OnProbe();
  // "5" arrived: the WebSocket carries the session from now on.
  void CompleteUpgrade(std::shared_ptr<Sink> sink);
  void AbortUpgrade();

 private:
  enum class Push { kQueued, kClosed, kOverflow };
  // REQUIRES: mu_ held. Queues and returns the sink to wake (if any).
  Push PushLocked(Outgoing out, std::shared_ptr<Sink>* wake);
  void Send(Outgoing out);
  void SendText(std::string text);
  void SendSio(const sio::Packet& packet);
  void OnMessage(eio::Packet packet);
  void OnSocketIo(sio::Packet packet, std::vector<std::string> buffers);
  void OnConnect(const sio::Packet& packet);
  void OnEvent(const sio::Packet& packet, std::vector<std::string> buffers);
  void ScheduleHeartbeat();
  void OnPingDue();
  void OnPong();

  Hub& hub_;
  const std::string sid_;
  const std::string credential_;  // from the handshake request; may be empty
  const std::string remote_;
  const std::chrono::steady_clock::time_point created_;

  // Heartbeat state, touched only on strand_.
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer heartbeat_;
  bool awaiting_pong_ = false;
  bool pong_seen_ = false;

  mutable std::mutex mu_;
  bool closed_ = false;
  TransportKind transport_;
  bool upgrading_ = false;            // a WebSocket is probing (polling sessions)
  bool probed_ = false;               // it sent "2probe"
  std::shared_ptr<Sink> sink_;        // the WebSocket, once attached
  std::shared_ptr<PollWaiter> poll_;  // the pending GET (polling)
  bool woken_ = false;                // the sink was woken and has not drained yet
  std::vector<Outgoing> queue_;
  // Socket.IO on namespace "/".
  bool connected_ = false;
  bool replaying_ = false;
  std::vector<std::pair<int64_t, Outgoing>> held_;  // live, during replay
  // The largest event seq queued. A live event can reach Deliver after the
  // replay already read it from the store (it was appended before the read
  // but delivered after FinishReplay); this drops it.
  int64_t last_seq_ = 0;
  sio::BinaryAssembler assembler_;
};

}  // namespace gateway::internal

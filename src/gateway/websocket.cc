// The Engine.IO WebSocket transport: Beast does the HTTP upgrade
// (async_accept), then the connection frames the bytes itself on the TCP
// socket (ws_frame.h): one gathered write (sendmsg with an iovec per frame)
// sends every packet queued for the connection, where Beast would need one
// write call, and one send, per message. Broadcast events arrive framed
// once for all connections (Outgoing::framed). Also the probe side of the
// polling → WebSocket upgrade ("2probe" → "3probe", then "5").
//
// Per connection: one read outstanding (asio async_read_some into a 64-byte
// member buffer, then the rest drained with recv into a stack buffer, so an
// idle connection holds no large buffer), at most one gathered write in
// flight, the close handshake of RFC 6455 section 7 with a deadline.
// Everything runs on the connection's strand (the socket's executor).
//
// The only translation unit of wagate_gateway that includes Beast's
// WebSocket headers (they are expensive to compile).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket.hpp>

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>

#include "gateway/engineio.h"
#include "gateway/gateway_core.h"
#include "gateway/ws_frame.h"

namespace gateway::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
// After our close frame, how long the peer has to answer with its own.
constexpr auto kCloseTimeout = std::chrono::seconds(5);
// The pending read of an idle connection: a pong frame (7 bytes) fits.
constexpr size_t kIdleReadSize = 64;
// Reads per readiness before the other connections get a turn.
constexpr int kReadsPerTurn = 8;
constexpr size_t kReadChunk = 16384;
// A message buffer grown past this by a large message is given back.
constexpr size_t kKeepMessageBuffer = 4096;
// Gathered writes per wake before the other connections get a turn.
constexpr int kWritesPerTurn = 4;
constexpr size_t kKeepBatch = 64;

std::string Errno(int error) { return std::strerror(error); }

class WsConnection final : public Sink,
                           public Closable,
                           public std::enable_shared_from_this<WsConnection> {
 public:
  WsConnection(std::shared_ptr<GatewayCore> core, asio::any_io_executor executor,
               std::string remote)
      : core_(std::move(core)),
        executor_(std::move(executor)),
        remote_(std::move(remote)),
        socket_(executor_),
        parser_(core_->limits().max_payload) {}

  void set_id(uint64_t id) { id_ = id; }

  asio::awaitable<void> Run(beast::tcp_stream stream, http::Request req,
                            std::shared_ptr<Session> upgrading, std::string credential);

  void Wake() override {
    asio::post(executor_, [self = shared_from_this()] { self->Flush(); });
  }
  // On an io_context thread, the strand runs Flush at once when it is free.
  void WakeHere() override {
    asio::dispatch(executor_, [self = shared_from_this()] { self->Flush(); });
  }
  void Shut() override {
    asio::post(executor_, [self = shared_from_this()] { self->OnShut(); });
  }
  void ForceClose() override {
    asio::post(executor_, [self = shared_from_this()] {
      if (self->handshake_) {
        error_code ignored;
        beast::get_lowest_layer(*self->handshake_).socket().close(ignored);
      }
      self->CloseSocket();
    });
  }
  // Ends the connection after the co_spawn'ed handshake failed or threw.
  void Abandon() {
    asio::post(executor_, [self = shared_from_this()] {
      self->EndSession("websocket handshake failed");
      self->CloseSocket();
    });
  }

 private:
  // --- reading ---
  void StartRead();
  void OnRead(error_code ec, size_t n);
  // Parses bytes from the client; false once the connection stops reading.
  bool Consume(std::string_view in);
  bool OnMessage();

  // --- writing ---
  void Flush();
  bool Gather();
  void Advance(size_t n);
  void GatherDone();
  void WaitWritable();
  void QueueControl(ws::Opcode opcode, std::string_view payload);

  // --- closing ---
  void OnShut();
  void QueueClose(ws::CloseCode code, std::string_view reason);
  void OnCloseWritten();
  void ArmTimer(std::chrono::steady_clock::duration after);
  void OnTimer();
  void EndSession(std::string_view reason);
  void CloseSocket();

  const std::shared_ptr<GatewayCore> core_;
  const asio::any_io_executor executor_;
  const std::string remote_;
  uint64_t id_ = 0;
  // Everything below is touched only on the connection's strand.
  std::unique_ptr<websocket::stream<beast::tcp_stream>> handshake_;  // during the upgrade only
  tcp::socket socket_;
  std::shared_ptr<Session> session_;
  bool upgraded_ = false;  // the session's packets flow here
  bool ended_ = false;     // the session was told (EndSession)
  bool dead_ = false;      // the socket is closed

  std::array<char, kIdleReadSize> idle_read_;
  ws::FrameParser parser_;

  // The write in flight: control frames first, then the session's packets.
  std::string control_pending_;   // framed control frames not yet gathered
  std::string control_inflight_;  // those in the write in flight
  std::vector<Outgoing> batch_;
  std::vector<std::array<uint8_t, ws::kMaxHeaderSize>> headers_;  // of unframed packets
  std::vector<iovec> iov_;
  size_t iov_pos_ = 0;
  bool writing_ = false;  // waiting for the socket to take more

  bool close_sent_ = false;       // our close frame is queued: nothing after it
  bool close_in_flight_ = false;  // it is in the write in flight
  bool close_written_ = false;
  bool close_received_ = false;                // the peer's close frame, or its failure
  bool failed_ = false;                        // the peer broke the protocol: stop parsing
  std::unique_ptr<asio::steady_timer> timer_;  // probe silence or close deadline
};

asio::awaitable<void> WsConnection::Run(beast::tcp_stream stream, http::Request req,
                                        std::shared_ptr<Session> upgrading,
                                        std::string credential) {
  handshake_ = std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(stream));
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = kHandshakeTimeout;
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  handshake_->set_option(timeouts);
  // permessage-deflate stays off (Beast's default): its zlib state would
  // cost ~300 KiB per connection, and frames could not be shared.
  auto [accept_ec] = co_await handshake_->async_accept(req, kTuple);
  req = {};
  if (accept_ec || dead_) {
    if (upgrading) upgrading->AbortUpgrade();
    spdlog::debug("socket.io remote={}: websocket handshake: {}", remote_,
                  accept_ec ? accept_ec.message() : "closed");
    handshake_.reset();
    CloseSocket();
    co_return;
  }
  // Beast answered the upgrade from the request it was given and read
  // nothing from the socket, so no client bytes are left in its buffers.
  socket_ = std::move(beast::get_lowest_layer(*handshake_).socket());
  handshake_.reset();

  if (upgrading) {
    session_ = std::move(upgrading);
    // Until the upgrade completes, silence ends the probe (and the polls
    // answered "6" at once meanwhile go back to waiting).
    ArmTimer(core_->options().upgrade_timeout);
  } else {
    session_ = core_->CreateSession(TransportKind::kWebSocket, std::move(credential), remote_);
    if (!session_) {
      ended_ = true;
      QueueClose(ws::CloseCode::kTryAgainLater, "too many sessions");
      StartRead();
      co_return;
    }
    upgraded_ = true;
    session_->AttachWebSocket(shared_from_this());
    session_->Start();
    spdlog::debug("engine.io sid={} remote={}: open (websocket)", session_->sid(), remote_);
  }
  StartRead();
}

// ---- reading ----

// asio's async_read_some first tries the read at once, under the reactor's
// lock, so no readiness can slip between a drained socket and the next wait.
void WsConnection::StartRead() {
  if (dead_) return;
  socket_.async_read_some(
      asio::buffer(idle_read_),
      [self = shared_from_this()](error_code ec, size_t n) { self->OnRead(ec, n); });
}

void WsConnection::OnRead(error_code ec, size_t n) {
  if (dead_) return;
  if (ec) {
    EndSession(ec == asio::error::eof ? "websocket closed" : "websocket read: " + ec.message());
    CloseSocket();
    return;
  }
  try {
    if (!Consume({idle_read_.data(), n})) return;
    if (n == idle_read_.size()) {
      // More may be waiting: drain some with a larger buffer on the stack.
      std::array<char, kReadChunk> chunk;
      for (int i = 0; i < kReadsPerTurn; ++i) {
        const ssize_t got =
            ::recv(socket_.native_handle(), chunk.data(), chunk.size(), MSG_DONTWAIT);
        if (got > 0) {
          if (!Consume({chunk.data(), static_cast<size_t>(got)})) return;
          if (static_cast<size_t>(got) < chunk.size()) break;
          continue;
        }
        if (got == 0) {
          EndSession("websocket closed");
          CloseSocket();
          return;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        EndSession("websocket read: " + Errno(errno));
        CloseSocket();
        return;
      }
    }
  } catch (const std::exception& e) {
    spdlog::error("socket.io remote={}: websocket: {}", remote_, e.what());
    EndSession("internal error");
    CloseSocket();
    return;
  }
  StartRead();
}

bool WsConnection::Consume(std::string_view in) {
  if (failed_) return true;  // discard until the peer closes or the deadline
  for (;;) {
    switch (parser_.Next(in)) {
      case ws::FrameParser::Event::kNeedMore:
        return true;
      case ws::FrameParser::Event::kMessage:
        if (close_sent_) break;  // closing: the rest is ignored (RFC 6455 1.4)
        if (!OnMessage()) return !dead_;
        break;
      case ws::FrameParser::Event::kPing:
        if (!close_sent_) QueueControl(ws::Opcode::kPong, parser_.control());
        break;
      case ws::FrameParser::Event::kPong:
        break;
      case ws::FrameParser::Event::kClose: {
        close_received_ = true;
        EndSession("websocket closed");
        if (close_written_) {
          CloseSocket();
          return false;
        }
        // Echo the code (none when the peer gave none), then close.
        const auto code = parser_.close_code();
        if (code == static_cast<uint16_t>(ws::CloseCode::kNoStatus)) {
          if (!close_sent_) {
            close_sent_ = true;
            ArmTimer(kCloseTimeout);
            QueueControl(ws::Opcode::kClose, {});
          }
        } else {
          QueueClose(static_cast<ws::CloseCode>(code), {});
        }
        return true;  // keep reading until our close is out (EOF is fine)
      }
      case ws::FrameParser::Event::kError:
        spdlog::info("socket.io remote={}: websocket protocol error: {}", remote_, parser_.error());
        failed_ = true;
        close_received_ = true;  // no close frame is awaited from a broken peer
        EndSession("websocket protocol error: " + parser_.error());
        QueueClose(parser_.error_code(), parser_.error());
        return !dead_;
    }
  }
}

bool WsConnection::OnMessage() {
  eio::Packet packet;
  if (parser_.binary()) {
    packet = eio::BinaryMessage(parser_.message());
  } else {
    auto decoded = eio::DecodePacket(parser_.message());
    if (!decoded.ok()) {
      EndSession("protocol error: " + decoded.status().message());
      QueueClose(ws::CloseCode::kNormal, {});
      return false;
    }
    packet = std::move(decoded).value();
  }
  parser_.ShrinkTo(kKeepMessageBuffer);
  if (!upgraded_) {
    // The probe of a polling session (engine.io-client's transport test).
    if (packet.type == eio::PacketType::kPing && packet.data == "probe") {
      ArmTimer(core_->options().upgrade_timeout);
      QueueControl(ws::Opcode::kText, "3probe");
      session_->OnProbe();
      return true;
    }
    if (packet.type == eio::PacketType::kUpgrade) {
      upgraded_ = true;
      if (timer_) timer_->cancel();
      session_->CompleteUpgrade(shared_from_this());
      return true;
    }
    EndSession("protocol error: unexpected packet during the upgrade");
    QueueClose(ws::CloseCode::kNormal, {});
    return false;
  }
  session_->OnPacket(std::move(packet));
  return true;
}

// ---- writing ----

void WsConnection::QueueControl(ws::Opcode opcode, std::string_view payload) {
  ws::AppendFrame(control_pending_, opcode, payload);
  Flush();
}

// Writes until the socket is full, everything queued is out, or this
// connection had its turn.
void WsConnection::Flush() {
  for (int turn = 0; turn < kWritesPerTurn; ++turn) {
    if (dead_ || writing_) return;
    if (iov_pos_ >= iov_.size() && !Gather()) return;
    while (iov_pos_ < iov_.size()) {
      msghdr msg{};
      msg.msg_iov = &iov_[iov_pos_];
      msg.msg_iovlen = std::min<size_t>(iov_.size() - iov_pos_, IOV_MAX);
      const ssize_t n = ::sendmsg(socket_.native_handle(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          WaitWritable();
          return;
        }
        EndSession("websocket write: " + Errno(errno));
        CloseSocket();
        return;
      }
      Advance(static_cast<size_t>(n));
    }
    GatherDone();
  }
  // More is queued: come back after the other connections.
  if (!dead_ && !writing_) Wake();
}

// Collects what is due into iov_: pending control frames, then (unless our
// close frame went first) every packet queued by the session.
bool WsConnection::Gather() {
  iov_.clear();
  iov_pos_ = 0;
  control_inflight_.clear();
  control_inflight_.swap(control_pending_);
  if (!close_sent_ && upgraded_ && session_) session_->TakeQueued(batch_);
  if (control_inflight_.empty() && batch_.empty()) return false;
  close_in_flight_ = close_sent_ && !close_written_;
  if (!control_inflight_.empty()) {
    iov_.push_back({control_inflight_.data(), control_inflight_.size()});
  }
  size_t unframed = 0;
  for (const Outgoing& o : batch_) unframed += o.framed == 0 ? 1 : 0;
  headers_.resize(unframed);
  size_t h = 0;
  for (const Outgoing& o : batch_) {
    auto* bytes = const_cast<char*>(o.data->data());
    if (o.framed == 0) {
      const size_t n = ws::EncodeHeader(o.binary ? ws::Opcode::kBinary : ws::Opcode::kText,
                                        o.data->size(), headers_[h].data());
      iov_.push_back({headers_[h++].data(), n});
    }
    iov_.push_back({bytes, o.data->size()});
  }
  return true;
}

void WsConnection::Advance(size_t n) {
  while (n > 0 && iov_pos_ < iov_.size()) {
    iovec& v = iov_[iov_pos_];
    if (n < v.iov_len) {
      v.iov_base = static_cast<char*>(v.iov_base) + n;
      v.iov_len -= n;
      return;
    }
    n -= v.iov_len;
    ++iov_pos_;
  }
}

void WsConnection::GatherDone() {
  batch_.clear();
  iov_.clear();
  iov_pos_ = 0;
  if (batch_.capacity() > kKeepBatch) {
    batch_ = {};
    iov_ = {};
    headers_ = {};
  }
  control_inflight_.clear();
  if (control_inflight_.capacity() > kKeepBatch) control_inflight_ = {};
  if (close_in_flight_) {
    close_in_flight_ = false;
    close_written_ = true;
    OnCloseWritten();
  }
}

// The socket is full (a slow reader): asio's async_write_some tries again
// at once and otherwise waits in the reactor, without a lost wake-up.
void WsConnection::WaitWritable() {
  writing_ = true;
  const iovec& v = iov_[iov_pos_];
  socket_.async_write_some(asio::buffer(v.iov_base, v.iov_len),
                           [self = shared_from_this()](error_code ec, size_t n) {
                             self->writing_ = false;
                             if (self->dead_) return;
                             if (ec) {
                               self->EndSession("websocket write: " + ec.message());
                               self->CloseSocket();
                               return;
                             }
                             self->Advance(n);
                             if (self->iov_pos_ >= self->iov_.size()) self->GatherDone();
                             self->Flush();
                           });
}

// ---- closing ----

// The session closed (slow client, ping timeout, shutdown, ...).
void WsConnection::OnShut() {
  if (dead_) return;
  ended_ = true;  // the session knows already
  if (writing_) {
    // A write that does not finish (a client that stopped reading) must
    // not hold the close back: cut the connection under it.
    CloseSocket();
    return;
  }
  QueueClose(ws::CloseCode::kNormal, {});
}

void WsConnection::QueueClose(ws::CloseCode code, std::string_view reason) {
  if (close_sent_ || dead_) return;
  close_sent_ = true;
  // The whole closing handshake has a deadline: writing our close frame
  // (behind a write that may be stuck) and the peer's answer.
  ArmTimer(kCloseTimeout);
  QueueControl(ws::Opcode::kClose, ws::ClosePayload(code, reason));
}

void WsConnection::OnCloseWritten() {
  // Otherwise the peer's close frame (or EOF) or the deadline ends it.
  if (close_received_) CloseSocket();
}

void WsConnection::ArmTimer(std::chrono::steady_clock::duration after) {
  if (!timer_) timer_ = std::make_unique<asio::steady_timer>(executor_);
  timer_->expires_after(after);
  timer_->async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->OnTimer();
  });
}

void WsConnection::OnTimer() {
  if (dead_) return;
  if (close_sent_) {
    spdlog::debug("socket.io remote={}: closing handshake timed out", remote_);
    CloseSocket();
  } else if (!upgraded_) {
    EndSession("websocket upgrade timed out");
    QueueClose(ws::CloseCode::kNormal, "upgrade timed out");
  }
}

void WsConnection::EndSession(std::string_view reason) {
  if (ended_ || !session_) return;
  ended_ = true;
  if (upgraded_) {
    session_->Close(reason);
  } else {
    session_->AbortUpgrade();
  }
}

void WsConnection::CloseSocket() {
  if (dead_) return;
  dead_ = true;
  error_code ignored;
  socket_.close(ignored);
  if (timer_) timer_->cancel();
  if (!ended_ && session_) EndSession("websocket closed");
  session_.reset();
  batch_ = {};
  core_->RemoveWebSocket(id_);
}

}  // namespace

void StartWebSocket(std::shared_ptr<GatewayCore> core, beast::tcp_stream stream, http::Request req,
                    std::shared_ptr<Session> upgrading, std::string credential,
                    std::string remote) {
  auto executor = stream.get_executor();
  auto connection = std::make_shared<WsConnection>(core, executor, std::move(remote));
  connection->set_id(core->AddWebSocket(connection));
  asio::co_spawn(executor,
                 connection->Run(std::move(stream), std::move(req), std::move(upgrading),
                                 std::move(credential)),
                 [connection](std::exception_ptr error) {
                   if (!error) return;
                   try {
                     std::rethrow_exception(error);
                   } catch (const std::exception& e) {
                     spdlog::error("socket.io websocket: {}", e.what());
                   }
                   connection->Abandon();
                 });
}

}  // namespace gateway::internal

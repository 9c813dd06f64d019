// The Engine.IO WebSocket transport on Beast: the handshake on the stream
// the HTTP server handed over, a reader coroutine, and a writer with one
// write in flight that drains the session's queue. Also the probe side of
// the polling → WebSocket upgrade ("2probe" → "3probe", then "5").
//
// The only translation unit of wagate_gateway that includes Beast's
// WebSocket headers (they are expensive to compile).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>

#include "gateway/engineio.h"
#include "gateway/gateway_core.h"

namespace gateway::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using boost::system::error_code;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
// A read buffer grown past this by a large message is given back.
constexpr size_t kKeepReadBuffer = 4096;
constexpr size_t kKeepBatch = 64;

class WsConnection final : public Sink,
                           public Closable,
                           public std::enable_shared_from_this<WsConnection> {
 public:
  WsConnection(std::shared_ptr<GatewayCore> core, beast::tcp_stream stream)
      : core_(std::move(core)), ws_(std::move(stream)) {}

  asio::awaitable<void> Run(http::Request req, std::shared_ptr<Session> upgrading,
                            std::string credential, std::string remote);

  void Wake() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->MaybeWrite(); });
  }
  void Shut() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      self->shut_ = true;
      // A write that does not finish (a client that stopped reading) must
      // not hold the close back: cut the connection under it.
      if (self->writing_) {
        error_code ec;
        beast::get_lowest_layer(self->ws_).socket().close(ec);
        return;
      }
      self->MaybeWrite();
    });
  }
  void ForceClose() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      error_code ec;
      beast::get_lowest_layer(self->ws_).socket().close(ec);
    });
  }

 private:
  void MaybeWrite();
  void Write(const std::string& data, bool binary);
  void OnWritten(error_code ec);
  void Cork(bool on);
  void EndSession(std::string_view reason);

  std::shared_ptr<GatewayCore> core_;
  websocket::stream<beast::tcp_stream> ws_;
  std::array<char, 256> chunk_;
  std::string message_;
  // Everything below is touched only on the connection's strand.
  std::shared_ptr<Session> session_;
  bool upgraded_ = false;  // the session's packets flow here
  std::vector<Outgoing> batch_;
  size_t next_ = 0;
  std::string control_;  // "3probe", written before anything else
  bool control_sent_ = false;
  bool writing_ = false;
  bool corked_ = false;  // TCP_CORK is set for the current batch
  bool shut_ = false;
  bool closing_ = false;
};

void WsConnection::MaybeWrite() {
  if (writing_ || closing_) return;
  if (!control_.empty() && !control_sent_) {
    control_sent_ = true;
    Write(control_, false);
    return;
  }
  if (shut_) {
    closing_ = true;
    Cork(false);
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](error_code) {});
    return;
  }
  if (next_ >= batch_.size()) {
    batch_.clear();
    next_ = 0;
    if (batch_.capacity() > kKeepBatch) batch_ = {};
    Cork(false);
    if (!session_ || !upgraded_) return;
    session_->TakeQueued(batch_);
    if (batch_.empty()) return;
    // Several messages are due: hold the TCP segments back until the last
    // one is written, so a burst leaves in a few full segments instead of
    // one per message (Beast writes one message per call).
    if (batch_.size() > 1) Cork(true);
  }
  const Outgoing& out = batch_[next_++];
  Write(*out.data, out.binary);
}

void WsConnection::Cork(bool on) {
  if (corked_ == on) return;
  corked_ = on;
  const int value = on ? 1 : 0;
  auto& socket = beast::get_lowest_layer(ws_).socket();
  if (::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_CORK, &value, sizeof value) != 0) {
    corked_ = false;
  }
}

void WsConnection::Write(const std::string& data, bool binary) {
  writing_ = true;
  ws_.binary(binary);
  ws_.async_write(asio::buffer(data),
                  [self = shared_from_this()](error_code ec, size_t) { self->OnWritten(ec); });
}

void WsConnection::OnWritten(error_code ec) {
  writing_ = false;
  if (ec) {
    EndSession("websocket write: " + ec.message());
    return;
  }
  MaybeWrite();
}

void WsConnection::EndSession(std::string_view reason) {
  if (!session_) return;
  if (upgraded_) {
    session_->Close(reason);
  } else {
    session_->AbortUpgrade();
  }
}

asio::awaitable<void> WsConnection::Run(http::Request req, std::shared_ptr<Session> upgrading,
                                        std::string credential, std::string remote) {
  const Limits& limits = core_->limits();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = kHandshakeTimeout;          // also bounds the closing handshake
  timeouts.idle_timeout = websocket::stream_base::none();  // Engine.IO pings instead
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  ws_.read_message_max(limits.max_payload);
  ws_.auto_fragment(false);
  if (upgrading) {
    // Until the upgrade completes, silence ends the probe (and the polls
    // answered "6" at once meanwhile go back to waiting).
    timeouts.idle_timeout = core_->options().upgrade_timeout;
    ws_.set_option(timeouts);
  }
  // permessage-deflate stays off (Beast's default): its zlib state would
  // cost ~300 KiB per connection.
  auto [accept_ec] = co_await ws_.async_accept(req, kTuple);
  req = {};
  if (accept_ec) {
    if (upgrading) upgrading->AbortUpgrade();
    spdlog::debug("socket.io remote={}: websocket handshake: {}", remote, accept_ec.message());
    co_return;
  }
  if (upgrading) {
    session_ = std::move(upgrading);
  } else {
    session_ = core_->CreateSession(TransportKind::kWebSocket, std::move(credential), remote);
    if (!session_) {
      closing_ = true;
      co_await ws_.async_close(websocket::close_code::try_again_later, kTuple);
      co_return;
    }
    upgraded_ = true;
    session_->AttachWebSocket(shared_from_this());
    session_->Start();
    spdlog::debug("engine.io sid={} remote={}: open (websocket)", session_->sid(), remote);
  }

  std::string reason = "websocket closed";
  for (;;) {
    // Frames are read in small chunks into `message_`, so that an idle
    // connection's pending read holds 256 bytes rather than a 1.5 KiB
    // buffer (Beast bounds the message size by read_message_max).
    auto [ec, n] = co_await ws_.async_read_some(asio::buffer(chunk_), kTuple);
    if (ec) {
      if (ec != websocket::error::closed) reason = "websocket read: " + ec.message();
      break;
    }
    message_.append(chunk_.data(), n);
    if (!ws_.is_message_done()) continue;
    eio::Packet packet;
    if (ws_.got_binary()) {
      packet = eio::BinaryMessage(message_);
    } else {
      auto decoded = eio::DecodePacket(message_);
      if (!decoded.ok()) {
        reason = "protocol error: " + decoded.status().message();
        break;
      }
      packet = std::move(decoded).value();
    }
    message_.clear();
    if (message_.capacity() > kKeepReadBuffer) message_.shrink_to_fit();

    if (!upgraded_) {
      // The probe of a polling session (engine.io-client's transport test).
      if (packet.type == eio::PacketType::kPing && packet.data == "probe") {
        control_ = "3probe";
        MaybeWrite();
        session_->OnProbe();
        continue;
      }
      if (packet.type == eio::PacketType::kUpgrade) {
        upgraded_ = true;
        timeouts.idle_timeout = websocket::stream_base::none();
        ws_.set_option(timeouts);
        session_->CompleteUpgrade(shared_from_this());
        continue;
      }
      reason = "protocol error: unexpected packet during the upgrade";
      break;
    }
    session_->OnPacket(std::move(packet));
  }
  EndSession(reason);
  if (!closing_) {
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }
}

}  // namespace

void StartWebSocket(std::shared_ptr<GatewayCore> core, beast::tcp_stream stream, http::Request req,
                    std::shared_ptr<Session> upgrading, std::string credential,
                    std::string remote) {
  auto executor = stream.get_executor();
  auto connection = std::make_shared<WsConnection>(core, std::move(stream));
  const uint64_t id = core->AddWebSocket(connection);
  asio::co_spawn(executor,
                 connection->Run(std::move(req), std::move(upgrading), std::move(credential),
                                 std::move(remote)),
                 [core, id, connection](std::exception_ptr error) {
                   core->RemoveWebSocket(id);
                   if (!error) return;
                   try {
                     std::rethrow_exception(error);
                   } catch (const std::exception& e) {
                     spdlog::error("socket.io websocket: {}", e.what());
                   }
                 });
}

}  // namespace gateway::internal

// The only translation unit of wasim that includes Beast's WebSocket headers.
#include "sim/ws_endpoint.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <memory>

namespace sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct ChatSocket {
  ChatSocket(beast::tcp_stream stream, Simulator& s)
      : ws(std::move(stream)),
        wake(ws.get_executor()),
        delay(ws.get_executor()),
        done(ws.get_executor()),
        conn(std::make_unique<SimConnection>(s, s.NewConnectionId())) {}

  websocket::stream<beast::tcp_stream> ws;
  asio::steady_timer wake;   // the writer sleeps on it; cancel() wakes it
  asio::steady_timer delay;  // fault "delay"
  asio::steady_timer done;   // the reader waits on it for the writer to end
  std::unique_ptr<SimConnection> conn;
  bool reader_done = false;
  bool writer_done = false;
};

void CloseSocket(ChatSocket& s) {
  error_code ignored;
  beast::get_lowest_layer(s.ws).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(s.ws).socket().close(ignored);
}

// Single-threaded: wake() is only ever called while the writer is suspended,
// and the writer re-checks every condition before it sleeps, so no wake-up
// is lost.
asio::awaitable<void> Writer(std::shared_ptr<ChatSocket> s, Simulator& sim) {
  const auto start = Clock::now();
  // Connections still shaking hands or pairing have a deadline; logged-in
  // ones live as long as the client keeps them (it pings every 30 s).
  auto deadline = [&](SimConnection::Phase phase) {
    switch (phase) {
      case SimConnection::Phase::kHandshake:
        return start + std::chrono::milliseconds(sim.limits().handshake_timeout_ms);
      case SimConnection::Phase::kRegistration:
        return start + std::chrono::milliseconds(sim.limits().registration_timeout_ms);
      default:
        return Clock::time_point::max();
    }
  };
  for (;;) {
    SimConnection& conn = *s->conn;
    if (conn.aborted() || s->reader_done) break;
    if (conn.HasOutput()) {
      if (const int64_t ms = sim.faults().delay_ms; ms > 0) {
        s->delay.expires_after(std::chrono::milliseconds(ms));
        co_await s->delay.async_wait(kTuple);
        if (conn.aborted() || s->reader_done) break;
      }
      std::string frame = conn.PopOutput();
      auto [ec, n] = co_await s->ws.async_write(asio::buffer(frame), kTuple);
      if (ec) break;
      continue;
    }
    if (conn.closing()) {
      co_await s->ws.async_close(websocket::close_code::normal, kTuple);
      break;
    }
    const auto until = deadline(conn.phase());
    if (Clock::now() >= until) {
      spdlog::info("wasim conn={}: timed out before finishing the handshake or pairing", conn.id());
      break;
    }
    s->wake.expires_at(until);
    co_await s->wake.async_wait(kTuple);
  }
  CloseSocket(*s);
}

asio::awaitable<void> Refuse(beast::tcp_stream& stream, const http::Request& req,
                             std::string_view why) {
  http::Response res{bhttp::status::service_unavailable, req.version()};
  res.set(bhttp::field::content_type, "text/plain");
  res.keep_alive(false);
  res.body() = std::string(why);
  res.prepare_payload();
  stream.expires_after(std::chrono::seconds(5));
  co_await bhttp::async_write(stream, res, kTuple);
  error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
}

asio::awaitable<void> ServeChat(Simulator& sim, beast::tcp_stream stream, http::Request req) {
  // Refusals cut the TCP connection without an HTTP answer: Baileys listens
  // to the `ws` library's 'unexpected-response' event, which stops `ws` from
  // failing the handshake, so a 503 would leave the client hanging until its
  // 20 s connect timeout; a cut connection fails at once ("socket hang up").
  if (sim.faults().refuse_until_ms > sim.clock().NowMs() ||
      sim.connection_count() >= sim.limits().max_connections) {
    spdlog::info("wasim: refusing a websocket connection ({})",
                 sim.connection_count() >= sim.limits().max_connections ? "connection limit"
                                                                        : "fault refuse");
    error_code ignored;
    stream.socket().close(ignored);
    co_return;
  }
  if (!websocket::is_upgrade(req)) {
    co_await Refuse(stream, req, "websocket only");
    co_return;
  }
  stream.expires_never();
  auto s = std::make_shared<ChatSocket>(std::move(stream), sim);
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds(5);    // also bounds the closing handshake
  timeouts.idle_timeout = websocket::stream_base::none();  // Baileys pings with w:p iqs
  timeouts.keep_alive_pings = false;
  s->ws.set_option(timeouts);
  s->ws.binary(true);
  // Several frames may share one message; leave room for more than one.
  s->ws.read_message_max(2 * sim.limits().max_frame_size + 64);
  auto [accept_ec] = co_await s->ws.async_accept(req, kTuple);
  if (accept_ec) {
    spdlog::debug("wasim: websocket accept: {}", accept_ec.message());
    co_return;
  }
  const uint64_t id = s->conn->id();
  spdlog::debug("wasim conn={}: websocket open", id);
  std::weak_ptr<ChatSocket> weak = s;
  s->conn->SetWake([weak] {
    if (auto locked = weak.lock()) locked->wake.cancel();
  });
  auto executor = s->ws.get_executor();
  asio::co_spawn(executor, Writer(s, sim), [s](std::exception_ptr error) {
    s->writer_done = true;
    s->done.cancel();
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      spdlog::error("wasim conn={}: writer: {}", s->conn->id(), e.what());
    }
  });

  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await s->ws.async_read(buffer, kTuple);
    if (ec) break;
    const auto data = buffer.data();
    s->conn->OnBytes(std::string_view(static_cast<const char*>(data.data()), data.size()));
    buffer.consume(buffer.size());
    if (s->conn->aborted()) break;
  }
  s->reader_done = true;
  s->wake.cancel();
  s->delay.cancel();
  while (!s->writer_done) {
    s->done.expires_at(Clock::time_point::max());
    co_await s->done.async_wait(kTuple);
  }
  spdlog::debug("wasim conn={}: websocket closed", id);
  s->conn.reset();  // detaches from the Simulator now, not when the last ref goes
}

}  // namespace

void AddChatEndpoint(http::Router& router, Simulator& sim) {
  router.AddUpgrade(std::string(kChatPath),
                    [&sim](beast::tcp_stream stream, http::Request req,
                           beast::flat_buffer) -> asio::awaitable<void> {
                      return ServeChat(sim, std::move(stream), std::move(req));
                    });
}

}  // namespace sim

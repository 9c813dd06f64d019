#include "wa/client/transport_ws.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/url/parse.hpp>

#include "base/tls_client.h"

namespace wa::client {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;
using tcp = asio::ip::tcp;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr char kOrigin[] = "https://web.whatsapp.com";

base::Status SocketError(std::string_view what, const error_code& ec) {
  if (ec == beast::error::timeout) return base::DeadlineExceeded(std::string(what) + ": timeout");
  return base::Unavailable(std::string(what) + ": " + ec.message());
}

template <typename Stream>
class WsImpl final : public WsTransport {
 public:
  // `ctx` (null for ws://) must outlive the stream, so the transport owns it.
  template <typename... Args>
  explicit WsImpl(std::shared_ptr<asio::ssl::context> ctx, Args&&... args)
      : ctx_(std::move(ctx)), ws_(std::forward<Args>(args)...) {}

  websocket::stream<Stream>& ws() { return ws_; }

  asio::awaitable<base::Status> Write(std::string data) override {
    ws_.binary(true);
    auto [ec, n] = co_await ws_.async_write(asio::buffer(data), kTuple);
    (void)n;
    if (ec) co_return SocketError("websocket write", ec);
    co_return base::Status::Ok();
  }

  asio::awaitable<base::Result<std::string>> Read() override {
    beast::flat_buffer buffer;
    auto [ec, n] = co_await ws_.async_read(buffer, kTuple);
    (void)n;
    if (ec == websocket::error::message_too_big) {
      co_return base::ResourceExhausted("websocket: message above the size limit");
    }
    if (ec == websocket::error::closed)
      co_return base::Unavailable("websocket closed by the server");
    if (ec) co_return SocketError("websocket read", ec);
    co_return beast::buffers_to_string(buffer.data());
  }

  void Cancel() override {
    error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

 private:
  std::shared_ptr<asio::ssl::context> ctx_;
  websocket::stream<Stream> ws_;
};

void Decorate(websocket::stream_base::timeout timeout, auto& ws, size_t max_message) {
  ws.set_option(timeout);
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::request_type& req) { req.set(beast::http::field::origin, kOrigin); }));
  ws.read_message_max(max_message);
}

}  // namespace

asio::awaitable<base::Result<std::unique_ptr<WsTransport>>> ConnectWebSocket(
    asio::any_io_executor executor, WsOptions options) {
  boost::system::result<boost::urls::url_view> url = boost::urls::parse_uri(options.url);
  if (!url) co_return base::InvalidArgument("websocket: bad url '" + options.url + "'");
  std::string scheme(url->scheme());
  bool tls = scheme == "wss";
  if (!tls && scheme != "ws")
    co_return base::InvalidArgument("websocket: scheme must be ws or wss");
  std::string host(url->host());
  if (host.empty()) co_return base::InvalidArgument("websocket: url without host");
  std::string port = url->has_port() ? std::string(url->port()) : (tls ? "443" : "80");
  std::string target(url->encoded_path());
  if (target.empty()) target = "/";
  if (url->has_query()) target += "?" + std::string(url->encoded_query());
  std::string host_header = url->has_port() ? host + ":" + port : host;

  // The whole connect shares one deadline: the tcp_stream's timer for the
  // TCP and TLS steps, the WebSocket handshake timeout for the upgrade.
  auto deadline = std::chrono::steady_clock::now() + options.timeout;
  auto remaining = [&] {
    return std::max(std::chrono::steady_clock::duration(std::chrono::milliseconds(1)),
                    deadline - std::chrono::steady_clock::now());
  };
  tcp::resolver resolver(executor);
  beast::tcp_stream tcp_stream(executor);
  tcp_stream.expires_after(remaining());
  auto [rec, endpoints] = co_await resolver.async_resolve(host, port, kTuple);
  if (rec) co_return SocketError("websocket: resolve " + host, rec);
  auto [cec, endpoint] = co_await tcp_stream.async_connect(endpoints, kTuple);
  (void)endpoint;
  if (cec) co_return SocketError("websocket: connect " + host_header, cec);
  tcp_stream.socket().set_option(tcp::no_delay(true));

  websocket::stream_base::timeout timeout{.handshake_timeout = remaining(),
                                          .idle_timeout = websocket::stream_base::none(),
                                          .keep_alive_pings = false};
  if (!tls) {
    tcp_stream.expires_never();
    auto impl = std::make_unique<WsImpl<beast::tcp_stream>>(nullptr, std::move(tcp_stream));
    Decorate(timeout, impl->ws(), options.max_message);
    auto [hec] = co_await impl->ws().async_handshake(host_header, target, kTuple);
    if (hec) co_return SocketError("websocket: handshake", hec);
    co_return std::unique_ptr<WsTransport>(std::move(impl));
  }

  base::Result<std::shared_ptr<asio::ssl::context>> made =
      base::NewTlsClientContext(options.ca_file);
  if (!made.ok()) co_return made.status();
  std::shared_ptr<asio::ssl::context> ctx = std::move(*made);
  auto impl = std::make_unique<WsImpl<beast::ssl_stream<beast::tcp_stream>>>(
      ctx, std::move(tcp_stream), *ctx);
  auto& ssl = impl->ws().next_layer();
  if (!SSL_set_tlsext_host_name(ssl.native_handle(), host.c_str())) {
    co_return base::Internal("tls: cannot set SNI");
  }
  ssl.set_verify_callback(asio::ssl::host_name_verification(host));
  auto [tec] = co_await ssl.async_handshake(asio::ssl::stream_base::client, kTuple);
  if (tec) co_return SocketError("tls: handshake with " + host, tec);
  beast::get_lowest_layer(impl->ws()).expires_never();
  Decorate(timeout, impl->ws(), options.max_message);
  auto [hec] = co_await impl->ws().async_handshake(host_header, target, kTuple);
  if (hec) co_return SocketError("websocket: handshake", hec);
  co_return std::unique_ptr<WsTransport>(std::move(impl));
}

}  // namespace wa::client

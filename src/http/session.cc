#include "http/session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "http/responses.h"
#include "http/url.h"

namespace http::internal {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

void ConnectionState::BeginDrain() {
  draining = true;
  // Like Node's closeIdleConnections: nobody is waiting for an answer here.
  if (idle && stream != nullptr) stream->close();
}

void ConnectionState::ForceClose() {
  force_closed = true;
  if (stream != nullptr) stream->close();
  // Reaches what a handler or an upgrade handler awaits (timers, sockets);
  // an Offload in progress finishes first, then the next co_await throws.
  cancel.emit(asio::cancellation_type::terminal);
}

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 8 * 1024;
// After an error response, read and drop what the client still sends (the
// rest of a refused body, say) for a bounded time before closing: closing a
// socket with unread input sends a TCP reset, and the client would then see
// "connection reset" instead of our 413.
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr size_t kLingerBytes = 1 << 20;
constexpr size_t kMaxRequestIdLength = 64;
constexpr std::string_view kRequestIdField = "x-request-id";
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

bool IsSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// A random (version 4) UUID, the form log tools and proxies expect.
std::string NewRequestId(base::Random& random) {
  unsigned char b[16];
  random.Fill(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  return out;
}

std::string FormatRemote(const tcp::socket& socket) {
  error_code ec;
  const tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  if (ep.address().is_v6()) return fmt::format("[{}]:{}", ep.address().to_string(), ep.port());
  return fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

enum class ReadFailure { kSilent, kBadRequest, kHeaderTooLarge, kBodyTooLarge };

ReadFailure Classify(const error_code& ec) {
  if (ec == bhttp::error::header_limit) return ReadFailure::kHeaderTooLarge;
  if (ec == bhttp::error::body_limit) return ReadFailure::kBodyTooLarge;
  // The client went away mid-request: nobody to answer.
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
    return ReadFailure::kSilent;
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return ReadFailure::kBadRequest;
  }
  return ReadFailure::kSilent;  // timeout, reset, closed by Stop
}

bool WantsClose(const Response& res) {
  return bhttp::token_list(res[bhttp::field::connection]).exists("close");
}

bool ExpectsContinue(const Request& req) {
  return req.version() >= 11 && beast::iequals(req[bhttp::field::expect], "100-continue");
}

bool MustNotHaveBody(unsigned status) {
  return status / 100 == 1 || status == 204 || status == 304;
}

// One request's facts for its response, log line and metrics. The views
// point into the request, which outlives the response.
struct Exchange {
  int64_t start_ns = 0;
  std::string_view method;                  // as sent, for the log
  std::string_view method_label = "OTHER";  // bounded, for metrics
  std::string_view path;                    // raw, without the query
  std::string_view route = Metrics::kUnmatchedRoute;
  std::string request_id;
  unsigned version = 11;
  bool head = false;
};

class Session {
 public:
  Session(SessionEnv env, tcp::socket socket, std::shared_ptr<ConnectionState> conn)
      : env_(env),
        stream_(std::move(socket)),
        conn_(std::move(conn)),
        remote_(FormatRemote(stream_.socket())) {
    conn_->stream = &stream_;
  }
  ~Session() {
    conn_->stream = nullptr;
    conn_->idle = false;
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  asio::awaitable<void> Run();

 private:
  enum class Next { kKeepAlive, kClose, kHandedOff };

  asio::awaitable<bool> AwaitRequestBytes(bool first);
  asio::awaitable<Next> ServeOne();
  asio::awaitable<Next> Reject(ReadFailure failure, const error_code& ec, const Exchange& x);
  asio::awaitable<Response> CallHandler(const Handler& handler, Context& ctx, const Exchange& x);
  asio::awaitable<bool> Respond(const Exchange& x, Response& res, bool keep_alive);
  asio::awaitable<void> LingeringClose();
  void Describe(const Request& req, Exchange& x) const;
  void Log(const Exchange& x, unsigned status, double seconds, const error_code& ec) const;

  SessionEnv env_;
  beast::tcp_stream stream_;
  // Persists across requests: it holds pipelined bytes read past one request.
  beast::flat_buffer buffer_;
  std::shared_ptr<ConnectionState> conn_;
  std::string remote_;
};

asio::awaitable<void> Session::Run() {
  bool first = true;
  for (;;) {
    if (!co_await AwaitRequestBytes(first)) break;
    first = false;
    const Next next = co_await ServeOne();
    if (next == Next::kHandedOff) co_return;
    if (next == Next::kClose) break;
  }
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// Waits for the first byte of the next request, under the idle timeout (the
// header timeout for a new connection). This wait is the only state in which
// draining closes a connection at once.
asio::awaitable<bool> Session::AwaitRequestBytes(bool first) {
  if (buffer_.size() > 0) co_return true;  // a pipelined request is already here
  if (conn_->draining) co_return false;
  conn_->idle = true;
  stream_.expires_after(first ? env_.options.header_timeout : env_.options.idle_timeout);
  auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kTuple);
  conn_->idle = false;
  if (ec) co_return false;  // closed, reset, idle timeout or drained: all silent
  buffer_.commit(n);
  co_return true;
}

asio::awaitable<Session::Next> Session::ServeOne() {
  Exchange x;
  x.start_ns = env_.clock.MonotonicNs();
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<size_t>(env_.options.header_limit, std::numeric_limits<std::uint32_t>::max())));
  // Beast checks a declared Content-Length against this as soon as the header
  // is complete, so an oversized body is refused before any of it is read.
  parser.body_limit(env_.options.body_limit);

  stream_.expires_after(env_.options.header_timeout);
  auto [ec, bytes] = co_await bhttp::async_read_header(stream_, buffer_, parser, kTuple);
  if (!ec && !parser.is_done()) {
    if (ExpectsContinue(parser.get())) {
      stream_.expires_after(env_.options.write_timeout);
      auto [wec, wn] = co_await asio::async_write(stream_, asio::buffer(kContinue), kTuple);
      if (wec) co_return Next::kClose;
    }
    stream_.expires_after(env_.options.body_timeout);
    std::tie(ec, bytes) = co_await bhttp::async_read(stream_, buffer_, parser, kTuple);
  }
  if (ec) {
    Describe(parser.get(), x);
    co_return co_await Reject(Classify(ec), ec, x);
  }

  Request req = parser.release();
  Describe(req, x);
  const Target target = SplitTarget(req.target());
  RouteMatch match = env_.router.Match(req.method(), target.path);

  if (match.kind == RouteMatch::Kind::kUpgrade) {
    spdlog::debug("http upgrade id={} method={} path={} route={} remote={}", x.request_id, x.method,
                  x.path, match.route, remote_);
    // The upgrade handler owns the socket from here on, with no deadline left
    // over from our reads.
    stream_.expires_never();
    conn_->stream = nullptr;
    co_await (*match.upgrade)(std::move(stream_), std::move(req), std::move(buffer_));
    co_return Next::kHandedOff;
  }

  Response res;
  switch (match.kind) {
    case RouteMatch::Kind::kNotFound:
      // NestJS: `Cannot ${req.method} ${req.url}`, the URL with its query.
      res = ErrorResponse(bhttp::status::not_found,
                          fmt::format("Cannot {} {}", std::string_view(req.method_string()),
                                      std::string_view(req.target())));
      break;
    case RouteMatch::Kind::kBadRequest:
      res = ErrorResponse(bhttp::status::bad_request, match.message);
      break;
    case RouteMatch::Kind::kHandler: {
      x.route = match.route;
      const std::string path = PercentDecodeLenient(target.path, /*plus_as_space=*/false);
      Context ctx{.req = req,
                  .path = path,
                  .params = std::move(match.params),
                  .query = Query::Parse(target.query),
                  .route = match.route,
                  .request_id = x.request_id,
                  .executor = stream_.get_executor(),
                  .remote = remote_};
      res = co_await CallHandler(*match.handler, ctx, x);
      break;
    }
    case RouteMatch::Kind::kUpgrade:
      break;  // handled above
  }
  co_return co_await Respond(x, res, req.keep_alive()) ? Next::kKeepAlive : Next::kClose;
}

asio::awaitable<Session::Next> Session::Reject(ReadFailure failure, const error_code& ec,
                                               const Exchange& x) {
  Response res;
  switch (failure) {
    case ReadFailure::kSilent:
      co_return Next::kClose;
    case ReadFailure::kBadRequest:
      res = ErrorResponse(bhttp::status::bad_request, "Malformed request: " + ec.message(),
                          /*keep_alive=*/false);
      break;
    case ReadFailure::kHeaderTooLarge:
      res = ErrorResponse(bhttp::status::request_header_fields_too_large,
                          "Request Header Fields Too Large", /*keep_alive=*/false);
      break;
    case ReadFailure::kBodyTooLarge:
      // body-parser's wording, which NestJS clients see for oversized bodies.
      res = ErrorResponse(bhttp::status::payload_too_large, "request entity too large",
                          /*keep_alive=*/false);
      break;
  }
  // The parser cannot resume after an error, so the connection ends here.
  co_await Respond(x, res, /*keep_alive=*/false);
  co_await LingeringClose();
  co_return Next::kClose;
}

asio::awaitable<Response> Session::CallHandler(const Handler& handler, Context& ctx,
                                               const Exchange& x) {
  env_.metrics.RequestStarted();
  Response res;
  std::optional<std::string> failure;
  try {
    res = co_await handler(ctx);
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  env_.metrics.RequestFinished();
  if (failure) {
    if (conn_->force_closed) {
      spdlog::warn("http id={} method={} path={}: aborted by server shutdown", x.request_id,
                   x.method, x.path);
    } else {
      spdlog::error("http id={} method={} path={}: handler failed: {}", x.request_id, x.method,
                    x.path, *failure);
    }
    res = InternalErrorResponse();
  }
  co_return res;
}

asio::awaitable<bool> Session::Respond(const Exchange& x, Response& res, bool keep_alive) {
  keep_alive = keep_alive && !conn_->draining && !WantsClose(res);
  const unsigned status = res.result_int();
  if (MustNotHaveBody(status)) res.body().clear();
  res.version(x.version);
  res.keep_alive(keep_alive);
  res.set(kRequestIdField, x.request_id);
  res.prepare_payload();
  if (x.head && !MustNotHaveBody(status)) {
    // HEAD: the headers of the GET answer, without its body.
    const size_t size = res.body().size();
    res.body().clear();
    res.content_length(size);
  }
  stream_.expires_after(env_.options.write_timeout);
  auto [ec, n] = co_await bhttp::async_write(stream_, res, kTuple);
  const double seconds = static_cast<double>(env_.clock.MonotonicNs() - x.start_ns) / 1e9;
  env_.metrics.Observe(x.route, x.method_label, static_cast<int>(status), seconds);
  Log(x, status, seconds, ec);
  co_return !ec && keep_alive;
}

asio::awaitable<void> Session::LingeringClose() {
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  stream_.expires_after(kLingerTime);
  size_t drained = 0;
  while (drained < kLingerBytes) {
    auto [rec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kTuple);
    if (rec) break;  // the client closed too (or the linger time is up)
    drained += n;
  }
}

void Session::Describe(const Request& req, Exchange& x) const {
  x.method = req.method_string();
  if (x.method.empty()) x.method = "-";
  x.method_label = req.method() == bhttp::verb::unknown ? std::string_view("OTHER")
                                                        : std::string_view(req.method_string());
  x.path = SplitTarget(req.target()).path;
  if (x.path.empty()) x.path = "-";
  x.version = req.version() == 10 ? 10 : 11;
  x.head = req.method() == bhttp::verb::head;
  const std::string_view id = req[kRequestIdField];
  x.request_id = IsSaneRequestId(id) ? std::string(id) : NewRequestId(env_.random);
}

void Session::Log(const Exchange& x, unsigned status, double seconds, const error_code& ec) const {
  spdlog::logger* logger = spdlog::default_logger_raw();
  if (!logger->should_log(spdlog::level::info)) return;
  logger->info("http id={} method={} path={} route={} status={} duration_ms={:.2f} remote={}{}{}",
               x.request_id, x.method, x.path, x.route, status, seconds * 1e3, remote_,
               ec ? " write_error=" : "", ec ? ec.message() : std::string());
}

}  // namespace

asio::awaitable<void> RunSession(SessionEnv env, tcp::socket socket,
                                 std::shared_ptr<ConnectionState> conn) {
  Session session(env, std::move(socket), std::move(conn));
  co_await session.Run();
}

}  // namespace http::internal

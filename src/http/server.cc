#include "http/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/metrics.h"
#include "http/responses.h"
#include "http/router.h"
#include "http/session.h"

namespace http {
namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using internal::ConnectionState;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// After force-closing, how long to wait for sessions to end before calling
// Stop's callback anyway (a handler stuck in a blocking Offload cannot be
// interrupted; the io_context's destruction reclaims it).
constexpr auto kForceCloseWait = std::chrono::seconds(1);
// Pause after an accept error such as EMFILE, instead of spinning on it.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

// The answer for connections past max_connections, written without reading
// the request (best effort: the socket is fresh, so its send buffer has room).
std::string OverCapacityResponse() {
  const Response res = ErrorResponse(boost::beast::http::status::service_unavailable,
                                     "Too many connections", /*keep_alive=*/false);
  return fmt::format(
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: {}\r\nContent-Length: {}\r\n"
      "Connection: close\r\n\r\n{}",
      kJsonContentType, res.body().size(), res.body());
}

}  // namespace

class Server::Impl : public std::enable_shared_from_this<Server::Impl> {
 public:
  Impl(asio::io_context& io, ServerOptions options, const Router& router, Metrics& metrics,
       base::Random& random, const base::Clock& clock)
      : io_(io),
        options_(std::move(options)),
        router_(router),
        metrics_(metrics),
        random_(random),
        clock_(clock),
        strand_(asio::make_strand(io)),
        acceptor_(strand_),
        grace_timer_(strand_),
        force_timer_(strand_) {}

  base::Result<uint16_t> Listen();
  void Start();
  void Stop(std::function<void()> done);
  bool stop_called() const { return stop_called_.load(); }
  size_t connection_count() const {
    std::lock_guard lock(mu_);
    return connections_.size();
  }

 private:
  static asio::awaitable<void> AcceptLoop(std::shared_ptr<Impl> self);
  void StartSession(tcp::socket socket);
  void RejectOverCapacity(tcp::socket& socket);
  void OnSessionEnd(const std::shared_ptr<ConnectionState>& conn, std::exception_ptr error);
  void BeginStop(std::function<void()> done);
  void ForceCloseAll();
  void Finish();
  std::vector<std::shared_ptr<ConnectionState>> Snapshot() const;

  asio::io_context& io_;
  const ServerOptions options_;
  const Router& router_;
  Metrics& metrics_;
  base::Random& random_;
  const base::Clock& clock_;

  // The listener, Stop and the timers run on strand_; the members below up to
  // mu_ are only touched there.
  asio::strand<asio::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;
  asio::steady_timer grace_timer_;
  asio::steady_timer force_timer_;
  bool stop_requested_ = false;
  bool finished_ = false;
  std::vector<std::function<void()>> on_stopped_;

  // Sessions end on their own strands, so the table has a lock.
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, std::shared_ptr<ConnectionState>> connections_;
  uint64_t next_id_ = 1;
  bool draining_ = false;

  std::atomic<bool> stop_called_{false};
};

base::Result<uint16_t> Server::Impl::Listen() {
  const std::string where = fmt::format("listen {}:{}", options_.host, options_.port);
  if (acceptor_.is_open()) return base::FailedPrecondition(where + ": already listening");
  error_code ec;
  tcp::endpoint endpoint;
  const asio::ip::address address = asio::ip::make_address(options_.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options_.port);
  } else {
    tcp::resolver resolver(io_);
    const auto results =
        resolver.resolve(options_.host, std::to_string(options_.port), tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return base::InvalidArgument(
          where + ": cannot resolve host: " + (ec ? ec.message() : std::string("no address")));
    }
    endpoint = results.begin()->endpoint();
  }
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  const tcp::endpoint bound = ec ? tcp::endpoint() : acceptor_.local_endpoint(ec);
  if (ec) {
    error_code ignored;
    acceptor_.close(ignored);
    return base::Unavailable(where + ": " + ec.message());
  }
  spdlog::info("http server listening on {}:{}", bound.address().to_string(), bound.port());
  return bound.port();
}

void Server::Impl::Start() {
  asio::co_spawn(strand_, AcceptLoop(shared_from_this()), [](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      spdlog::critical("http listener failed: {}", e.what());
    } catch (...) {
      spdlog::critical("http listener failed: unknown exception");
    }
  });
}

asio::awaitable<void> Server::Impl::AcceptLoop(std::shared_ptr<Impl> self) {
  asio::steady_timer backoff(self->strand_);
  for (;;) {
    // Each connection gets its own strand: its coroutine never runs on two
    // threads at once, without locks.
    auto [ec, socket] = co_await self->acceptor_.async_accept(asio::make_strand(self->io_), kTuple);
    if (self->stop_requested_ || !self->acceptor_.is_open()) co_return;
    if (ec) {
      spdlog::warn("http accept: {}", ec.message());
      backoff.expires_after(kAcceptBackoff);
      co_await backoff.async_wait(kTuple);
      continue;
    }
    self->StartSession(tcp::socket(std::move(socket)));
  }
}

void Server::Impl::StartSession(tcp::socket socket) {
  std::shared_ptr<ConnectionState> conn;
  {
    std::lock_guard lock(mu_);
    if (connections_.size() < options_.max_connections) {
      conn = std::make_shared<ConnectionState>(next_id_++, socket.get_executor());
      connections_.emplace(conn->id, conn);
    }
  }
  if (!conn) {
    RejectOverCapacity(socket);
    return;
  }
  metrics_.ConnectionOpened();
  error_code ec;
  socket.set_option(tcp::no_delay(true), ec);  // answers are small; don't wait for Nagle
  const internal::SessionEnv env{options_, router_, metrics_, random_, clock_};
  asio::co_spawn(
      conn->strand, internal::RunSession(env, std::move(socket), conn),
      asio::bind_cancellation_slot(conn->cancel.slot(),
                                   [self = shared_from_this(), conn](std::exception_ptr error) {
                                     self->OnSessionEnd(conn, error);
                                   }));
}

void Server::Impl::RejectOverCapacity(tcp::socket& socket) {
  static const std::string kResponse = OverCapacityResponse();
  error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(asio::buffer(kResponse), ec);
  socket.shutdown(tcp::socket::shutdown_send, ec);
  socket.close(ec);
  metrics_.Observe(Metrics::kUnmatchedRoute, "OTHER", 503, 0);
  spdlog::warn("http: refused a connection: {} connections open (max_connections)",
               options_.max_connections);
}

void Server::Impl::OnSessionEnd(const std::shared_ptr<ConnectionState>& conn,
                                std::exception_ptr error) {
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const boost::system::system_error& e) {
      // Cancellation is how ForceClose ends a session; anything else is news.
      if (e.code() == asio::error::operation_aborted) {
        spdlog::debug("http connection {} cancelled", conn->id);
      } else {
        spdlog::warn("http connection {}: {}", conn->id, e.what());
      }
    } catch (const std::exception& e) {
      spdlog::error("http connection {}: {}", conn->id, e.what());
    } catch (...) {
      spdlog::error("http connection {}: unknown exception", conn->id);
    }
  }
  metrics_.ConnectionClosed();
  bool last = false;
  {
    std::lock_guard lock(mu_);
    connections_.erase(conn->id);
    last = draining_ && connections_.empty();
  }
  if (last) asio::post(strand_, [self = shared_from_this()] { self->Finish(); });
}

void Server::Impl::Stop(std::function<void()> done) {
  stop_called_ = true;
  asio::post(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
    self->BeginStop(std::move(done));
  });
}

void Server::Impl::BeginStop(std::function<void()> done) {
  if (done) on_stopped_.push_back(std::move(done));
  if (finished_) {
    Finish();
    return;
  }
  if (stop_requested_) return;
  stop_requested_ = true;
  error_code ec;
  acceptor_.close(ec);  // refuse new connections; ends AcceptLoop
  std::vector<std::shared_ptr<ConnectionState>> conns;
  bool empty = false;
  {
    std::lock_guard lock(mu_);
    draining_ = true;
    empty = connections_.empty();
  }
  conns = Snapshot();
  spdlog::info("http server stopping: {} connections open, grace {} ms", conns.size(),
               options_.shutdown_grace.count());
  for (const auto& conn : conns) asio::post(conn->strand, [conn] { conn->BeginDrain(); });
  if (empty) {
    Finish();
    return;
  }
  grace_timer_.expires_after(options_.shutdown_grace);
  grace_timer_.async_wait([self = shared_from_this()](error_code wait_ec) {
    if (!wait_ec) self->ForceCloseAll();
  });
}

void Server::Impl::ForceCloseAll() {
  if (finished_) return;
  const auto conns = Snapshot();
  spdlog::warn("http server: grace period over, force-closing {} connections", conns.size());
  for (const auto& conn : conns) asio::post(conn->strand, [conn] { conn->ForceClose(); });
  force_timer_.expires_after(kForceCloseWait);
  force_timer_.async_wait([self = shared_from_this()](error_code wait_ec) {
    if (wait_ec) return;
    spdlog::warn("http server: {} connections still busy after force-close; stopping anyway",
                 self->connection_count());
    self->Finish();
  });
}

void Server::Impl::Finish() {
  if (!finished_) {
    finished_ = true;
    grace_timer_.cancel();
    force_timer_.cancel();
    spdlog::info("http server stopped");
  }
  std::vector<std::function<void()>> callbacks = std::move(on_stopped_);
  on_stopped_.clear();
  for (auto& callback : callbacks) callback();
}

std::vector<std::shared_ptr<ConnectionState>> Server::Impl::Snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<ConnectionState>> conns;
  conns.reserve(connections_.size());
  for (const auto& [id, conn] : connections_) conns.push_back(conn);
  return conns;
}

Server::Server(asio::io_context& io, ServerOptions options, const Router& router, Metrics& metrics,
               base::Random& random, const base::Clock& clock)
    : impl_(std::make_shared<Impl>(io, std::move(options), router, metrics, random, clock)) {}

// The Impl lives on in its coroutines until they end; make sure they do, even
// if the owner forgot to Stop.
Server::~Server() {
  if (!impl_->stop_called()) impl_->Stop(nullptr);
}

base::Result<uint16_t> Server::Listen() { return impl_->Listen(); }
void Server::Start() { impl_->Start(); }
void Server::Stop(std::function<void()> done) { impl_->Stop(std::move(done)); }
size_t Server::connection_count() const { return impl_->connection_count(); }

}  // namespace http

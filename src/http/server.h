// Server: an HTTP/1.0 and 1.1 server on Boost.Beast with C++20 coroutines.
//
// One listener coroutine accepts connections; each connection runs one
// coroutine on its own strand that reads a request, answers it, then reads the
// next (keep-alive; pipelined requests are answered strictly in order). Every
// read, write and idle wait has a timeout and every request a size limit.
// Bad input gets a NestJS-shaped error (400, 413, 431) and the connection is
// closed; an exception escaping a handler gets 500. Each response carries an
// x-request-id, is logged at info and observed in Metrics.
//
// Lifecycle: construct, Listen, Start, run the io_context (on any number of
// threads), then Stop(done) from any thread. Stop closes the listening socket
// (new connections are refused), closes idle keep-alive connections at once,
// lets in-flight requests and upgraded connections finish within
// shutdown_grace, then force-closes what remains and calls `done`.
//
// Thread safety: Listen and Start are called once, before or while the
// io_context runs, from one thread. Stop may be called from any thread, more
// than once.
//
// Lifetime: the server's state is shared with its coroutines, so destroying
// the Server object early is safe (if Stop was never called, the destructor
// starts one without a callback). REQUIRES: the io_context, Router, Metrics,
// Random and Clock outlive every coroutine of the server, i.e. until Stop's
// `done` ran or the io_context is destroyed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace http {

class Metrics;
class Router;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 3000;  // 0 picks a free port; Listen returns it
  size_t body_limit = 1 << 20;
  size_t header_limit = 16 << 10;  // request line and header fields together
  // From the first byte of a request to the end of its header (also the wait
  // for the first request of a new connection).
  std::chrono::milliseconds header_timeout = std::chrono::seconds(10);
  // From the end of the header to the end of the body.
  std::chrono::milliseconds body_timeout = std::chrono::seconds(30);
  // Between requests on a keep-alive connection; the connection closes silently.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(60);
  // For writing one response.
  std::chrono::milliseconds write_timeout = std::chrono::seconds(30);
  // Connections past this many get 503 and are closed at once.
  size_t max_connections = 10000;
  std::chrono::milliseconds shutdown_grace = std::chrono::seconds(10);
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, const Router& router, Metrics& metrics,
         base::Random& random = base::SecureRandom::Instance(),
         const base::Clock& clock = base::SystemClock::Instance());
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; returns the bound port (useful with port 0).
  // Errors: InvalidArgument for an unresolvable host, Unavailable when the
  // address cannot be bound ("listen 127.0.0.1:3000: Address already in use").
  base::Result<uint16_t> Listen();

  // Starts accepting. REQUIRES: Listen succeeded.
  void Start();

  // Graceful stop, see the top comment. `done` runs once on an io_context
  // thread when every connection has closed, or shortly after the grace
  // period ended and the rest were force-closed.
  void Stop(std::function<void()> done);

  // Open connections, for tests and diagnostics; thread-safe.
  size_t connection_count() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace http

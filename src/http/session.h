// Internal to the Server (server.cc): one connection's coroutine and the
// state the Server keeps to drain or force-close it. Not part of the public
// API of wagate_http.
//
// Threading: a ConnectionState is created by the listener, then its fields
// below `strand` are only touched on `strand`, where the session coroutine
// runs and where the Server posts BeginDrain and ForceClose.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <cstdint>
#include <memory>

#include "base/clock.h"
#include "base/random.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"

namespace http::internal {

struct ConnectionState {
  ConnectionState(uint64_t id_in, boost::asio::any_io_executor strand_in)
      : id(id_in), strand(std::move(strand_in)) {}

  // Server is draining: close if idle now, else after the current response.
  void BeginDrain();
  // Grace is over: close the socket and cancel whatever the session awaits.
  void ForceClose();

  const uint64_t id;
  const boost::asio::any_io_executor strand;

  // The session's stream while the session owns the socket (not after an
  // upgrade hand-off); null once the session ended.
  boost::beast::tcp_stream* stream = nullptr;
  bool idle = false;      // waiting for the first byte of a request
  bool draining = false;  // answer the current request with Connection: close
  bool force_closed = false;
  // Bound to the session's co_spawn; emitting terminal cancellation aborts the
  // operation the session (or its handler, or an upgrade handler) awaits.
  boost::asio::cancellation_signal cancel;
};

// What a session needs from the Server; all referenced objects outlive it.
struct SessionEnv {
  const ServerOptions& options;
  const Router& router;
  Metrics& metrics;
  base::Random& random;
  const base::Clock& clock;
};

// Serves one accepted connection until it closes or is handed to an upgrade
// handler. REQUIRES: runs on conn->strand.
boost::asio::awaitable<void> RunSession(SessionEnv env, boost::asio::ip::tcp::socket socket,
                                        std::shared_ptr<ConnectionState> conn);

}  // namespace http::internal

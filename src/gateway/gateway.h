// Gateway: the Socket.IO server of wagate (api.md "Socket.IO events"),
// compatible with unmodified socket.io-client 4: Engine.IO v4 on
// /socket.io/ (HTTP long-polling, WebSocket, and the polling → WebSocket
// upgrade) carrying Socket.IO v5 packets on namespace "/". See
// docs/socketio.md for what clients see.
//
// Events come from the service's EventBus: one subscription for the whole
// gateway, fanned out to every connected socket. Each connection has a
// bounded outgoing queue with one write in flight; a client that cannot
// keep up is disconnected (logged), never slowing the publisher or others.
// A client connecting with auth {token, since: N} first receives the stored
// events with seq > N, then live events, without gap or duplicate.
//
// Credentials (auth.token, else the handshake's x-api-key header, Bearer
// header or `token` query parameter) are checked by the injected
// Authenticator; a bad or missing one gets CONNECT_ERROR
// {"message":"Unauthorized"} and no events.
//
// Lifecycle: construct, Start (subscribes to the bus), register Handler()
// with Router::AddUpgrade("/socket.io", ...), run the io_context, then Stop:
// it closes every session and WebSocket itself and calls `done` when they
// are gone (or after shutdown_grace, having force-closed the rest). Stop
// before http::Server::Stop, so polls in flight end at once.
//
// Ownership: borrows io, the bus and the pool; they outlive the Gateway
// and its connections (until Stop's `done` ran or the io_context is gone).
// Thread safety: every method may be called from any thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/random.h"
#include "http/handler.h"
#include "service/event_bus.h"

namespace gateway {

struct GatewayOptions {
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{20000};
  // An Engine.IO session without a Socket.IO CONNECT is closed after this.
  std::chrono::milliseconds connect_timeout{45000};
  // A WebSocket probing a polling session must finish the upgrade ("5")
  // without going silent for longer than this.
  std::chrono::milliseconds upgrade_timeout{10000};
  // Largest Engine.IO message / polling payload, both ways.
  size_t max_payload = 1000000;
  // Outgoing packets waiting per connection; past it the client is dropped.
  size_t max_queue = 1024;
  // Broadcasts wake idle connections at most once per this interval: events
  // closer together than it leave in one write per connection instead of
  // one each (a send per message per client is what costs). An event after
  // a quiet spell goes out at once. 0: wake at every event.
  std::chrono::microseconds flush_interval{2000};
  // Engine.IO sessions at once; more handshakes get 503.
  size_t max_sessions = 20000;
  // Origins allowed to use the polling transport from a browser: exact
  // origins ("https://app.example.com") or "*". Empty: no CORS headers.
  std::vector<std::string> cors_origins;
  // Stored events read per store call during a replay.
  int replay_page = 500;
  std::chrono::milliseconds shutdown_grace{3000};
};

struct GatewayStats {
  size_t sessions = 0;        // Engine.IO sessions open
  size_t websockets = 0;      // WebSocket connections open (probing included)
  size_t subscribed = 0;      // Socket.IO sockets receiving events
  uint64_t slow_clients = 0;  // dropped because their queue was full
  uint64_t events = 0;        // events fanned out
};

namespace internal {
class GatewayCore;
}  // namespace internal

class Gateway {
 public:
  // Whether a credential (API key or JWT) is valid. Called on event-loop
  // threads: must not block.
  using Authenticator = std::function<bool(std::string_view credential)>;

  Gateway(boost::asio::io_context& io, GatewayOptions options, service::EventBus& bus,
          boost::asio::thread_pool& blocking, Authenticator authenticate,
          base::Random& random = base::SecureRandom::Instance());
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  void Start();
  // For Router::AddUpgrade("/socket.io", ...).
  http::UpgradeHandler Handler();
  void Stop(std::function<void()> done);
  GatewayStats stats() const;

 private:
  std::shared_ptr<internal::GatewayCore> core_;
};

}  // namespace gateway

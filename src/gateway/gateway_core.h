// Internal to the gateway: the state shared by the Gateway handle, its
// sessions (as their Hub), the polling handler (gateway.cc) and the
// WebSocket connections (websocket.cc).
//
// Threading: every method may be called from any thread; the tables have
// their own mutexes, never held while calling into a Session.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/random.h"
#include "gateway/gateway.h"
#include "gateway/session.h"
#include "http/handler.h"
#include "service/event_bus.h"

namespace gateway::internal {

// A WebSocket connection as the core sees it: something to force-close at
// the end of a shutdown.
class Closable {
 public:
  virtual ~Closable() = default;
  virtual void ForceClose() = 0;
};

class GatewayCore final : public Hub, public std::enable_shared_from_this<GatewayCore> {
 public:
  GatewayCore(boost::asio::io_context& io, GatewayOptions options, service::EventBus& bus,
              boost::asio::thread_pool& blocking, Gateway::Authenticator authenticate,
              base::Random& random);
  ~GatewayCore() override;

  void Start();
  void Stop(std::function<void()> done);
  GatewayStats stats() const;
  const GatewayOptions& options() const { return options_; }
  boost::asio::io_context& io() { return io_; }

  // The upgrade handler: one HTTP request under /socket.io.
  static boost::asio::awaitable<void> Serve(std::shared_ptr<GatewayCore> self,
                                            boost::beast::tcp_stream stream, http::Request req,
                                            boost::beast::flat_buffer buffer);

  // Null when stopping or at max_sessions.
  std::shared_ptr<Session> CreateSession(TransportKind transport, std::string credential,
                                         std::string remote);
  std::shared_ptr<Session> FindSession(std::string_view sid);

  uint64_t AddWebSocket(std::weak_ptr<Closable> connection);
  void RemoveWebSocket(uint64_t id);

  // Hub
  const Limits& limits() const override { return limits_; }
  bool Authenticate(std::string_view credential) override;
  void Subscribe(const std::shared_ptr<Session>& session) override;
  void Unsubscribe(const Session* session) override;
  void StartReplay(const std::shared_ptr<Session>& session, int64_t since) override;
  int64_t LastSeq() const override { return bus_.last_seq(); }
  void Forget(const Session* session) override;
  std::string NewId() override;
  void CountSlowClient() override { ++slow_clients_; }

 private:
  using Snapshot = std::vector<std::shared_ptr<Session>>;

  void Broadcast(const std::shared_ptr<const service::Event>& event);
  // Wakes the connections in wake_pending_ now, or arms flush_timer_ for
  // the end of the current flush interval. REQUIRES: wake_mu_ not held.
  void ScheduleWakes();
  void WakeAll(std::vector<std::shared_ptr<Sink>> sinks);
  std::shared_ptr<const Snapshot> Subscribers();
  void WaitForConnections(std::chrono::steady_clock::time_point deadline);
  void Finish();

  boost::asio::io_context& io_;
  const GatewayOptions options_;
  Limits limits_;
  service::EventBus& bus_;
  boost::asio::thread_pool& blocking_;
  const Gateway::Authenticator authenticate_;
  base::Random& random_;
  uint64_t listener_ = 0;

  mutable std::mutex sessions_mu_;
  std::unordered_map<std::string, std::shared_ptr<Session>> sessions_;
  bool stopping_ = false;

  // Subscribed sessions, and a copy-on-write snapshot for Broadcast, rebuilt
  // on the first broadcast after a change.
  mutable std::mutex subs_mu_;
  std::unordered_map<const Session*, std::shared_ptr<Session>> subscribers_;
  std::shared_ptr<const Snapshot> snapshot_;

  mutable std::mutex ws_mu_;
  std::unordered_map<uint64_t, std::weak_ptr<Closable>> websockets_;
  uint64_t next_ws_ = 1;

  // Connections to wake after broadcasts, paced by options_.flush_interval.
  std::mutex wake_mu_;
  std::vector<std::shared_ptr<Sink>> wake_pending_;
  bool flush_armed_ = false;  // flush_timer_ will wake wake_pending_
  std::chrono::steady_clock::time_point last_flush_{};

  std::atomic<uint64_t> slow_clients_{0};
  std::atomic<uint64_t> events_{0};

  // Shutdown runs on strand_.
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer stop_timer_;
  boost::asio::steady_timer flush_timer_;  // on strand_
  std::vector<std::function<void()>> on_stopped_;
  bool finished_ = false;
};

// websocket.cc: takes the connection over (the request is a WebSocket
// upgrade for Engine.IO) and returns at once; the connection lives on in its
// own coroutine. `upgrading`: the polling session being upgraded, or null
// for a WebSocket-only session (created after the handshake succeeds).
void StartWebSocket(std::shared_ptr<GatewayCore> core, boost::beast::tcp_stream stream,
                    http::Request req, std::shared_ptr<Session> upgrading, std::string credential,
                    std::string remote);

}  // namespace gateway::internal

// The Gateway handle, the core's tables and fan-out, and the HTTP side of
// Engine.IO: handshake, long-polling GET/POST, CORS, errors.
#include "gateway/gateway.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>

#include "base/encoding.h"
#include "gateway/engineio.h"
#include "gateway/gateway_core.h"
#include "gateway/ws_frame.h"
#include "http/url.h"

namespace gateway {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

namespace internal {
namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kWriteTimeout = std::chrono::seconds(10);
constexpr auto kStopPoll = std::chrono::milliseconds(20);
// Connections woken by one handler after a broadcast.
constexpr size_t kWakeChunk = 512;
// Packets in one polling POST; engine.io-client sends what it has queued.
constexpr size_t kMaxPacketsPerPayload = 1000;
constexpr std::string_view kTextPlain = "text/plain; charset=UTF-8";

std::string Remote(const beast::tcp_stream& stream) {
  error_code ec;
  const auto ep = stream.socket().remote_endpoint(ec);
  if (ec) return "unknown";
  return ep.address().is_v6() ? fmt::format("[{}]:{}", ep.address().to_string(), ep.port())
                              : fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

bool IsWebSocketUpgrade(const http::Request& req) {
  if (req.method() != bhttp::verb::get) return false;
  const std::string_view upgrade = req[bhttp::field::upgrade];
  return beast::iequals(upgrade, "websocket");
}

// The credential of the handshake request: x-api-key, a Bearer token, or
// the `token` query parameter. auth.token in the CONNECT packet wins.
std::string HandshakeCredential(const http::Request& req, const http::Query& query) {
  if (auto it = req.find("x-api-key"); it != req.end()) return std::string(it->value());
  const std::string_view authorization = req[bhttp::field::authorization];
  if (authorization.size() > 7 && beast::iequals(authorization.substr(0, 7), "Bearer ")) {
    return std::string(authorization.substr(7));
  }
  return query.Get("token").value_or("");
}

bool OriginAllowed(const std::vector<std::string>& allowed, std::string_view origin) {
  if (origin.empty()) return false;
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const std::string& a) { return a == "*" || a == origin; });
}

void AddCors(const GatewayOptions& options, const http::Request& req, http::Response& res) {
  const std::string_view origin = req[bhttp::field::origin];
  if (!OriginAllowed(options.cors_origins, origin)) return;
  res.set(bhttp::field::access_control_allow_origin, origin);
  res.set(bhttp::field::access_control_allow_credentials, "true");
  res.set(bhttp::field::vary, "Origin");
}

http::Response Text(const http::Request& req, bhttp::status status, std::string_view content_type,
                    std::string body) {
  http::Response res{status, req.version()};
  res.set(bhttp::field::content_type, content_type);
  res.body() = std::move(body);
  return res;
}

// 42["<name>",<payload>], with its WebSocket frame header in front: built
// once per event and shared by every session (see Outgoing).
Outgoing EventFrame(std::string_view name, std::string_view json) {
  std::string text = "42[";
  text += boost::json::serialize(boost::json::string(name));
  text += ',';
  text += json;
  text += ']';
  uint8_t header[ws::kMaxHeaderSize];
  const size_t n = ws::EncodeHeader(ws::Opcode::kText, text.size(), header);
  std::string wire;
  wire.reserve(n + text.size());
  wire.append(reinterpret_cast<const char*>(header), n);
  wire += text;
  return {std::make_shared<const std::string>(std::move(wire)), false, static_cast<uint8_t>(n)};
}

http::Response EngineError(const http::Request& req, eio::ErrorCode code,
                           bhttp::status status = bhttp::status::bad_request) {
  return Text(req, status, "application/json", eio::ErrorJson(code));
}

}  // namespace

GatewayCore::GatewayCore(asio::io_context& io, GatewayOptions options, service::EventBus& bus,
                         asio::thread_pool& blocking, Gateway::Authenticator authenticate,
                         base::Random& random)
    : io_(io),
      options_(std::move(options)),
      bus_(bus),
      blocking_(blocking),
      authenticate_(std::move(authenticate)),
      random_(random),
      strand_(asio::make_strand(io)),
      stop_timer_(strand_),
      flush_timer_(strand_) {
  limits_.ping_interval = options_.ping_interval;
  limits_.ping_timeout = options_.ping_timeout;
  limits_.connect_timeout = options_.connect_timeout;
  limits_.max_payload = options_.max_payload;
  limits_.max_queue = options_.max_queue;
}

GatewayCore::~GatewayCore() = default;

void GatewayCore::Start() {
  std::weak_ptr<GatewayCore> weak = weak_from_this();
  listener_ = bus_.Subscribe([weak](const std::shared_ptr<const service::Event>& event) {
    if (auto self = weak.lock()) self->Broadcast(event);
  });
}

// One frame per event, shared by every socket.
void GatewayCore::Broadcast(const std::shared_ptr<const service::Event>& event) {
  const Outgoing frame = EventFrame(event->name, event->json);
  ++events_;
  // Snapshot under the lock, deliver outside it.
  const std::shared_ptr<const Snapshot> subscribers = Subscribers();
  std::vector<std::shared_ptr<Sink>> wakes;
  wakes.reserve(subscribers->size());
  for (const auto& session : *subscribers) session->Deliver(frame, event->seq, &wakes);
  if (wakes.empty()) return;
  {
    std::lock_guard lock(wake_mu_);
    if (wake_pending_.empty()) {
      wake_pending_ = std::move(wakes);
    } else {
      wake_pending_.insert(wake_pending_.end(), std::make_move_iterator(wakes.begin()),
                           std::make_move_iterator(wakes.end()));
    }
  }
  ScheduleWakes();
}

void GatewayCore::ScheduleWakes() {
  std::vector<std::shared_ptr<Sink>> now;
  {
    std::lock_guard lock(wake_mu_);
    if (flush_armed_ || wake_pending_.empty()) return;
    const auto t = std::chrono::steady_clock::now();
    const auto due = last_flush_ + options_.flush_interval;
    if (t < due) {
      // Woken less than an interval ago: the next round gathers what comes
      // until then.
      flush_armed_ = true;
      asio::post(strand_, [self = shared_from_this(), due] {
        self->flush_timer_.expires_at(due);
        self->flush_timer_.async_wait([self](error_code ec) {
          if (ec) return;
          {
            std::lock_guard lock(self->wake_mu_);
            self->flush_armed_ = false;
          }
          self->ScheduleWakes();
        });
      });
      return;
    }
    last_flush_ = t;
    now.swap(wake_pending_);
  }
  WakeAll(std::move(now));
}

void GatewayCore::WakeAll(std::vector<std::shared_ptr<Sink>> wakes) {
  // A few handlers wake every connection that had nothing queued, rather
  // than one handler per connection through the scheduler's queue; chunks,
  // so that several I/O threads can share the writing.
  for (size_t begin = 0; begin < wakes.size(); begin += kWakeChunk) {
    const size_t end = std::min(wakes.size(), begin + kWakeChunk);
    std::vector<std::shared_ptr<Sink>> chunk(std::make_move_iterator(wakes.begin() + begin),
                                             std::make_move_iterator(wakes.begin() + end));
    asio::post(io_, [chunk = std::move(chunk)] {
      for (const auto& sink : chunk) sink->WakeHere();
    });
  }
}

std::shared_ptr<const GatewayCore::Snapshot> GatewayCore::Subscribers() {
  std::lock_guard lock(subs_mu_);
  if (!snapshot_) {
    auto fresh = std::make_shared<Snapshot>();
    fresh->reserve(subscribers_.size());
    for (const auto& [key, session] : subscribers_) fresh->push_back(session);
    snapshot_ = std::move(fresh);
  }
  return snapshot_;
}

void GatewayCore::Subscribe(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(subs_mu_);
  subscribers_.emplace(session.get(), session);
  snapshot_.reset();
}

void GatewayCore::Unsubscribe(const Session* session) {
  std::lock_guard lock(subs_mu_);
  if (subscribers_.erase(session) > 0) snapshot_.reset();
}

void GatewayCore::StartReplay(const std::shared_ptr<Session>& session, int64_t since) {
  asio::post(blocking_, [self = shared_from_this(), session, since] {
    int64_t cursor = since;
    int64_t last_replayed = 0;
    size_t count = 0;
    for (;;) {
      if (session->closed()) return;
      auto page = self->bus_.ReadAfter(cursor, self->options_.replay_page);
      if (!page.ok()) {
        spdlog::warn("socket.io sid={}: replay after seq {}: {}", session->sid(), since,
                     page.status().ToString());
        session->Close("replay failed");
        return;
      }
      std::vector<std::pair<int64_t, Outgoing>> frames;
      frames.reserve(page->size());
      for (const auto& e : *page) {
        frames.emplace_back(e.seq, EventFrame(e.name, e.json));
        cursor = last_replayed = e.seq;
      }
      count += frames.size();
      const bool more = page->size() >= static_cast<size_t>(self->options_.replay_page);
      session->Replay(std::move(frames));
      if (!more) break;
    }
    spdlog::debug("socket.io sid={}: replayed {} events after seq {}", session->sid(), count,
                  since);
    session->FinishReplay(last_replayed);
  });
}

bool GatewayCore::Authenticate(std::string_view credential) {
  return authenticate_ && authenticate_(credential);
}

std::string GatewayCore::NewId() { return base::Base64UrlEncode(random_.Bytes(15)); }

std::shared_ptr<Session> GatewayCore::CreateSession(TransportKind transport, std::string credential,
                                                    std::string remote) {
  std::lock_guard lock(sessions_mu_);
  if (stopping_ || sessions_.size() >= options_.max_sessions) return nullptr;
  std::string sid = NewId();
  auto session = std::make_shared<Session>(*this, io_, sid, transport, std::move(credential),
                                           std::move(remote));
  sessions_.emplace(std::move(sid), session);
  return session;
}

std::shared_ptr<Session> GatewayCore::FindSession(std::string_view sid) {
  std::lock_guard lock(sessions_mu_);
  auto it = sessions_.find(std::string(sid));
  return it == sessions_.end() ? nullptr : it->second;
}

void GatewayCore::Forget(const Session* session) {
  std::lock_guard lock(sessions_mu_);
  auto it = sessions_.find(session->sid());
  if (it != sessions_.end() && it->second.get() == session) sessions_.erase(it);
}

uint64_t GatewayCore::AddWebSocket(std::weak_ptr<Closable> connection) {
  std::lock_guard lock(ws_mu_);
  const uint64_t id = next_ws_++;
  websockets_.emplace(id, std::move(connection));
  return id;
}

void GatewayCore::RemoveWebSocket(uint64_t id) {
  std::lock_guard lock(ws_mu_);
  websockets_.erase(id);
}

GatewayStats GatewayCore::stats() const {
  GatewayStats s;
  {
    std::lock_guard lock(sessions_mu_);
    s.sessions = sessions_.size();
  }
  {
    std::lock_guard lock(ws_mu_);
    s.websockets = websockets_.size();
  }
  {
    std::lock_guard lock(subs_mu_);
    s.subscribed = subscribers_.size();
  }
  s.slow_clients = slow_clients_.load();
  s.events = events_.load();
  return s;
}

void GatewayCore::Stop(std::function<void()> done) {
  std::vector<std::shared_ptr<Session>> sessions;
  bool first = false;
  {
    std::lock_guard lock(sessions_mu_);
    first = !stopping_;
    stopping_ = true;
    for (const auto& [sid, session] : sessions_) sessions.push_back(session);
  }
  if (first && listener_ != 0) bus_.Unsubscribe(listener_);
  if (first) spdlog::info("socket.io gateway stopping: {} sessions open", sessions.size());
  for (const auto& session : sessions) session->Close("server shutting down");
  asio::post(strand_, [self = shared_from_this(), done = std::move(done), first]() mutable {
    if (done) self->on_stopped_.push_back(std::move(done));
    if (self->finished_) {
      self->Finish();
    } else if (first) {
      self->WaitForConnections(std::chrono::steady_clock::now() + self->options_.shutdown_grace);
    }
  });
}

// On strand_: polls until every WebSocket has closed, force-closing them
// when the grace period is over.
void GatewayCore::WaitForConnections(std::chrono::steady_clock::time_point deadline) {
  std::vector<std::shared_ptr<Closable>> open;
  {
    std::lock_guard lock(ws_mu_);
    for (const auto& [id, weak] : websockets_) {
      if (auto c = weak.lock()) open.push_back(std::move(c));
    }
  }
  if (open.empty()) {
    Finish();
    return;
  }
  if (std::chrono::steady_clock::now() >= deadline) {
    spdlog::warn("socket.io gateway: force-closing {} websockets", open.size());
    for (const auto& c : open) c->ForceClose();
    Finish();
    return;
  }
  stop_timer_.expires_after(kStopPoll);
  stop_timer_.async_wait([self = shared_from_this(), deadline](error_code ec) {
    if (!ec) self->WaitForConnections(deadline);
  });
}

void GatewayCore::Finish() {
  if (!finished_) {
    finished_ = true;
    spdlog::info("socket.io gateway stopped");
  }
  auto callbacks = std::move(on_stopped_);
  on_stopped_.clear();
  for (auto& callback : callbacks) callback();
}

// ---- HTTP: handshake and long-polling ----

asio::awaitable<void> GatewayCore::Serve(std::shared_ptr<GatewayCore> self,
                                         beast::tcp_stream stream, http::Request req,
                                         beast::flat_buffer buffer) {
  const http::Target target = http::SplitTarget(req.target());
  const http::Query query = http::Query::Parse(target.query);
  std::string remote = Remote(stream);
  const auto& options = self->options_;

  auto respond = [&](http::Response res) -> asio::awaitable<void> {
    AddCors(options, req, res);
    res.keep_alive(false);  // the next request may not be ours: see docs/socketio.md
    res.prepare_payload();
    stream.expires_after(kWriteTimeout);
    // A client that went away gets nothing; there is nobody to tell.
    co_await bhttp::async_write(stream, res, kTuple);
    error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  };

  if (target.path != "/socket.io/" && target.path != "/socket.io") {
    co_await respond(EngineError(req, eio::ErrorCode::kBadRequest));
    co_return;
  }
  if (req.method() == bhttp::verb::options) {
    http::Response res = Text(req, bhttp::status::no_content, kTextPlain, "");
    if (OriginAllowed(options.cors_origins, req[bhttp::field::origin])) {
      res.set(bhttp::field::access_control_allow_methods, "GET, POST, OPTIONS");
      const std::string_view asked = req[bhttp::field::access_control_request_headers];
      res.set(bhttp::field::access_control_allow_headers,
              asked.empty() ? std::string_view("content-type, x-api-key, authorization") : asked);
      res.set(bhttp::field::access_control_max_age, "86400");
    }
    co_await respond(std::move(res));
    co_return;
  }
  if (query.Get("EIO").value_or("") != "4") {
    co_await respond(EngineError(req, eio::ErrorCode::kUnsupportedProtocolVersion));
    co_return;
  }
  const std::string transport = query.Get("transport").value_or("");
  if (transport != "polling" && transport != "websocket") {
    co_await respond(EngineError(req, eio::ErrorCode::kUnknownTransport));
    co_return;
  }
  const std::optional<std::string> sid = query.Get("sid");
  std::shared_ptr<Session> session;
  if (sid) {
    session = self->FindSession(*sid);
    if (!session) {
      co_await respond(EngineError(req, eio::ErrorCode::kUnknownSid));
      co_return;
    }
  }

  if (IsWebSocketUpgrade(req)) {
    if (transport != "websocket" || (session && !session->CanUpgrade())) {
      co_await respond(EngineError(req, eio::ErrorCode::kBadRequest));
      co_return;
    }
    if (buffer.size() > 0) {
      spdlog::debug("socket.io: {} bytes sent before the websocket handshake ignored",
                    buffer.size());
    }
    stream.expires_never();
    std::string credential = HandshakeCredential(req, query);
    StartWebSocket(self, std::move(stream), std::move(req), std::move(session),
                   std::move(credential), std::move(remote));
    co_return;
  }
  if (transport != "polling") {
    co_await respond(EngineError(req, eio::ErrorCode::kBadRequest));
    co_return;
  }

  if (!session) {
    // Handshake.
    if (req.method() != bhttp::verb::get) {
      co_await respond(EngineError(req, eio::ErrorCode::kBadHandshakeMethod));
      co_return;
    }
    session = self->CreateSession(TransportKind::kPolling, HandshakeCredential(req, query), remote);
    if (!session) {
      co_await respond(
          EngineError(req, eio::ErrorCode::kBadRequest, bhttp::status::service_unavailable));
      co_return;
    }
    std::string open = session->OpenPacket(/*upgrades=*/true);
    session->Start();
    spdlog::debug("engine.io sid={} remote={}: open (polling)", session->sid(), remote);
    co_await respond(Text(req, bhttp::status::ok, kTextPlain, std::move(open)));
    co_return;
  }

  if (req.method() == bhttp::verb::get) {
    auto waiter = std::make_shared<PollWaiter>(co_await asio::this_coro::executor);
    std::string body;
    switch (session->BeginPoll(waiter)) {
      case Session::PollStart::kOverlap:
        session->Close("protocol error: overlapping polls");
        co_await respond(EngineError(req, eio::ErrorCode::kBadRequest));
        co_return;
      case Session::PollStart::kGone:
        co_await respond(EngineError(req, eio::ErrorCode::kBadRequest));
        co_return;
      case Session::PollStart::kNoop:
        body = "6";
        break;
      case Session::PollStart::kReady:
        body = session->FinishPoll(waiter);
        break;
      case Session::PollStart::kWait: {
        // The heartbeat queues a ping every ping_interval, so a poll never
        // waits longer than that unless the session is stuck.
        waiter->timer.expires_after(options.ping_interval + options.ping_timeout);
        // Woken (cancelled) by the session, or timed out: either way answer.
        co_await waiter->timer.async_wait(kTuple);
        body = session->FinishPoll(waiter);
        break;
      }
    }
    co_await respond(Text(req, bhttp::status::ok, kTextPlain, std::move(body)));
    co_return;
  }
  if (req.method() == bhttp::verb::post) {
    if (req.body().size() > options.max_payload) {
      session->Close("payload too large");
      co_await respond(
          EngineError(req, eio::ErrorCode::kBadRequest, bhttp::status::payload_too_large));
      co_return;
    }
    auto packets = eio::DecodePayload(req.body(), kMaxPacketsPerPayload);
    if (!packets.ok()) {
      session->Close("protocol error: " + packets.status().message());
      co_await respond(EngineError(req, eio::ErrorCode::kBadRequest));
      co_return;
    }
    for (auto& packet : *packets) session->OnPacket(std::move(packet));
    co_await respond(Text(req, bhttp::status::ok, "text/html", "ok"));
    co_return;
  }
  co_await respond(EngineError(req, eio::ErrorCode::kBadRequest));
}

}  // namespace internal

Gateway::Gateway(asio::io_context& io, GatewayOptions options, service::EventBus& bus,
                 asio::thread_pool& blocking, Authenticator authenticate, base::Random& random)
    : core_(std::make_shared<internal::GatewayCore>(io, std::move(options), bus, blocking,
                                                    std::move(authenticate), random)) {}

Gateway::~Gateway() { core_->Stop(nullptr); }

void Gateway::Start() { core_->Start(); }

http::UpgradeHandler Gateway::Handler() {
  std::weak_ptr<internal::GatewayCore> weak = core_;
  return [weak](beast::tcp_stream stream, http::Request req,
                beast::flat_buffer buffer) -> asio::awaitable<void> {
    auto core = weak.lock();
    if (!core) co_return;
    co_await internal::GatewayCore::Serve(std::move(core), std::move(stream), std::move(req),
                                          std::move(buffer));
  };
}

void Gateway::Stop(std::function<void()> done) { core_->Stop(std::move(done)); }

GatewayStats Gateway::stats() const { return core_->stats(); }

}  // namespace gateway

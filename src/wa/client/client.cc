// Client: the coroutines around the sans-IO parts — connect, Noise
// handshake, then four loops on one strand until the socket ends:
//   reader     frames → nodes → replies to waiting queries, or handlers
//   writer     the bounded outgoing queue, one WebSocket write in flight
//   keepalive  w:p pings, and the liveness check on received frames
//   end        waits for Finish(): the first reason to end wins
// Tasks that wait for the server (the init queries after <success>, pre-key
// uploads, the pairing-code hello, logout) run as child coroutines counted
// in tasks_; Run returns only after every one of them ended.
#include "wa/client/client.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <deque>
#include <map>

#include "base/offload.h"
#include "wa/binary/encoder.h"
#include "wa/binary/frame.h"
#include "wa/client/disconnect.h"
#include "wa/client/dispatch.h"
#include "wa/client/messenger.h"
#include "wa/client/pairing.h"
#include "wa/client/payload.h"
#include "wa/client/prekeys.h"
#include "wa/client/transport_ws.h"
#include "wa/iq/account.h"
#include "wa/iq/iq.h"
#include "wa/iq/pair.h"
#include "wa/iq/pair_code.h"
#include "wa/iq/prekeys.h"
#include "wa/noise/cert_chain.h"
#include "wa/noise/frame.h"
#include "wa/noise/initiator.h"
#include "wa/types/jid.h"

namespace wa::client {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using binary::Node;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// Outgoing queue bounds: a peer that stops reading must not grow us forever.
constexpr size_t kMaxQueuedFrames = 4096;
constexpr size_t kMaxQueuedBytes = size_t{64} << 20;
// Logout waits this long at most for the server's answer before closing.
constexpr std::chrono::milliseconds kLogoutWait{5000};

}  // namespace

class Client::Impl : public std::enable_shared_from_this<Client::Impl>, public MessengerLink {
 public:
  Impl(asio::any_io_executor executor, asio::thread_pool& blocking, ClientConfig config,
       CredsStore& creds_store, store::KeyStore& keys, std::string instance,
       ClientObserver& observer, base::Random& random, const base::Clock& clock,
       MessagingState* messaging, MessageSink* sink)
      : ex_(std::move(executor)),
        blocking_(blocking),
        config_(std::move(config)),
        creds_store_(creds_store),
        keys_(keys),
        instance_(std::move(instance)),
        observer_(observer),
        random_(random),
        clock_(clock),
        end_timer_(ex_),
        out_timer_(ex_),
        qr_timer_(ex_),
        keepalive_timer_(ex_) {
    // Ids of our requests: a random prefix per connection and a counter, so
    // they cannot collide with the server's ids (§7.2: replies match by id).
    id_prefix_ = std::to_string(random_.Uint64() % 100000) + "." +
                 std::to_string(random_.Uint64() % 100000) + "-";
    if (messaging != nullptr && sink != nullptr) {
      messenger_ = std::make_unique<Messenger>(ex_, blocking_, config_, *this, keys_, instance_,
                                               *messaging, *sink, random_, clock_);
    }
  }

  // MessengerLink
  asio::awaitable<base::Result<Node>> LinkQuery(Node iq) override {
    co_return co_await QueryImpl(std::move(iq), std::nullopt);
  }
  base::Status LinkSend(const Node& node) override { return SendNow(node); }
  const Creds& LinkCreds() const override { return creds_; }
  bool LinkOpen() const override { return open_ && !end_ && logged_in_; }

  // Runs `call` on the messenger, on the strand, keeping the Impl alive.
  template <typename R, typename Call>
  static asio::awaitable<std::optional<R>> OnMessenger(std::shared_ptr<Impl> self, Call call) {
    if (!self->messenger_) co_return R(base::FailedPrecondition("messaging not configured"));
    co_return co_await call(*self->messenger_);
  }
  template <typename R, typename Call>
  static asio::awaitable<R> CallMessenger(std::shared_ptr<Impl> self, Call call) {
    asio::any_io_executor ex = self->ex_;
    std::optional<R> result = co_await asio::co_spawn(
        ex, OnMessenger<R>(std::move(self), std::move(call)), asio::use_awaitable);
    co_return std::move(*result);
  }

  asio::any_io_executor executor() const { return ex_; }

  asio::awaitable<Disconnect> Run() {
    if (ran_) co_return Disconnect{DisconnectKind::kClosed, 0, "Run called twice"};
    ran_ = true;
    try {
      co_await RunConnection();
    } catch (const std::exception& e) {
      Finish(Transient(std::string("internal error: ") + e.what()));
    }
    Finish(Transient("connection ended"));
    // Children see end_ and fail fast (their queries were failed by Finish).
    asio::steady_timer wait(ex_);
    while (tasks_ > 0) {
      wait.expires_after(std::chrono::milliseconds(5));
      co_await wait.async_wait(kTuple);
    }
    co_return *end_;
  }

  // Close and Logout take the owning pointer from Client: they may run
  // from any thread, and the posted work must keep the Impl alive.
  static void Close(std::shared_ptr<Impl> self) {
    asio::any_io_executor ex = self->ex_;
    asio::post(ex, [self = std::move(self)] {
      self->Finish({DisconnectKind::kClosed, 0, "closed"});
    });
  }

  static void Logout(std::shared_ptr<Impl> self) {
    asio::any_io_executor ex = self->ex_;
    asio::post(ex, [self = std::move(self)] {
      if (self->end_) return;
      if (!self->logged_in_) {
        self->Finish({DisconnectKind::kLoggedOut, 0, "logged out"});
        return;
      }
      self->Spawn(self->LogoutTask());
    });
  }

  asio::awaitable<base::Result<Node>> QueryImpl(Node iq,
                                                std::optional<std::chrono::milliseconds> timeout) {
    if (!open_ || end_) co_return base::Unavailable("not connected");
    std::string id = iq.GetAttrText("id").value_or("");
    if (id.empty()) {
      id = NextId();
      iq.SetAttr("id", id);
    }
    if (pending_.contains(id)) co_return base::InvalidArgument("query id in use: " + id);
    asio::steady_timer timer(ex_, timeout.value_or(config_.query_timeout));
    Pending pending{.timer = &timer};
    pending_[id] = &pending;
    base::Status sent = SendNow(iq);
    if (sent.ok()) co_await timer.async_wait(kTuple);
    pending_.erase(id);
    if (!sent.ok()) co_return sent;
    if (pending.reply) {
      if (std::optional<iq::IqError> error = iq::FindIqError(*pending.reply)) {
        std::string message = "iq error " + std::to_string(error->code) + ": " + error->text;
        if (error->code == 404) co_return base::NotFound(std::move(message));
        co_return base::FailedPrecondition(std::move(message));
      }
      co_return std::move(*pending.reply);
    }
    if (pending.aborted || end_) co_return base::Unavailable("connection ended");
    co_return base::DeadlineExceeded("no reply to iq " + id);
  }

  asio::awaitable<base::Status> SendImpl(Node node) { co_return SendNow(node); }

  static asio::awaitable<Disconnect> RunOwned(std::shared_ptr<Impl> self) {
    co_return co_await self->Run();
  }
  static asio::awaitable<std::optional<base::Result<Node>>> QueryOwned(std::shared_ptr<Impl> self,
                                                                       Node iq) {
    co_return co_await self->QueryImpl(std::move(iq), std::nullopt);
  }
  static asio::awaitable<base::Status> SendOwned(std::shared_ptr<Impl> self, Node node) {
    co_return co_await self->SendImpl(std::move(node));
  }

 private:
  // Unlinks at the server (bounded wait), then ends as kLoggedOut.
  asio::awaitable<void> LogoutTask() {
    base::Result<Jid> jid = Jid::Parse(creds_.me->jid);
    if (jid.ok()) {
      auto timeout = std::min(config_.query_timeout, kLogoutWait);
      base::Result<Node> reply = co_await QueryImpl(iq::BuildRemoveCompanionDevice(*jid), timeout);
      if (!reply.ok()) spdlog::warn("wa client: logout: {}", reply.status().ToString());
    }
    Finish({DisconnectKind::kLoggedOut, 0, "logged out"});
  }

  struct Pending {
    asio::steady_timer* timer = nullptr;
    std::optional<Node> reply;
    bool aborted = false;
  };

  // ---- connection ----

  asio::awaitable<void> RunConnection() {
    // Creds first: a new device gets fresh keys, persisted before they are
    // shown to anyone (the QR carries them).
    base::Result<std::optional<Creds>> loaded =
        co_await base::Offload(blocking_, [this] { return creds_store_.LoadCreds(); });
    if (!loaded.ok()) co_return Finish(Transient("load creds: " + loaded.status().ToString()));
    if (end_) co_return;
    if (*loaded) {
      creds_ = std::move(**loaded);
    } else {
      base::Result<Creds> fresh = NewCreds(random_);
      if (!fresh.ok()) co_return Finish(Transient("new creds: " + fresh.status().ToString()));
      if (!co_await SaveCreds(*fresh)) co_return;
    }
    bool registering = !creds_.registered;

    // One deadline for TCP, TLS, WebSocket and the Noise handshake.
    auto deadline = std::chrono::steady_clock::now() + config_.connect_timeout;
    WsOptions options{
        .url = config_.url, .ca_file = config_.ca_file, .timeout = config_.connect_timeout};
    base::Result<std::unique_ptr<WsTransport>> ws = co_await ConnectWebSocket(ex_, options);
    if (!ws.ok()) co_return Finish(Transient("connect: " + ws.status().message()));
    ws_ = std::move(*ws);
    if (end_) co_return;  // Close() while connecting
    if (!co_await Handshake(registering, deadline)) co_return;

    open_ = true;
    last_frame_ns_ = clock_.MonotonicNs();
    observer_.OnConnected(registering);
    if (messenger_) {
      co_await (ReadLoop() || WriteLoop() || KeepaliveLoop() || WaitEnd() || messenger_->Run());
    } else {
      co_await (ReadLoop() || WriteLoop() || KeepaliveLoop() || WaitEnd());
    }
  }

  // Noise XX as initiator (§2.2), bounded by what is left of
  // connect_timeout: a watchdog tears the socket down if the server stalls.
  asio::awaitable<bool> Handshake(bool registering,
                                  std::chrono::steady_clock::time_point deadline) {
    asio::steady_timer watchdog(ex_, deadline);
    bool timed_out = false;
    watchdog.async_wait([this, &timed_out](boost::system::error_code ec) {
      if (!ec && ws_) {
        timed_out = true;
        ws_->Cancel();
      }
    });
    bool ok = co_await HandshakeSteps(registering);
    watchdog.cancel();
    // Let the watchdog's handler run before its captures go out of scope.
    co_await asio::post(ex_, asio::use_awaitable);
    if (!ok && timed_out && end_ && end_->kind == DisconnectKind::kTransient) {
      end_->reason = "handshake timed out";
    }
    co_return ok;
  }

  asio::awaitable<bool> HandshakeSteps(bool registering) {
    auto fail = [this](Disconnect d) {
      Finish(std::move(d));
      return false;
    };
    base::Result<crypto::KeyPair> static_key =
        crypto::KeyPair::FromPrivate(creds_.noise_key.private_key);
    if (!static_key.ok()) co_return fail(Transient("noise key: " + static_key.status().message()));
    noise::InitiatorConfig config{
        .static_key = *static_key,
        .trusted_root = config_.root_public_key.value_or(noise::WhatsAppRootPublicKey()),
        .now = static_cast<uint64_t>(clock_.NowMs() / 1000),
        .ephemeral = std::nullopt};
    base::Result<noise::Initiator> initiator = noise::Initiator::Create(config, random_);
    if (!initiator.ok()) co_return fail(Transient("noise: " + initiator.status().message()));
    noise::FrameWriter writer = noise::FrameWriter::Client(creds_.routing_info);

    base::Result<std::string> hello = initiator->WriteClientHello();
    if (!hello.ok()) co_return fail(ClassifyHandshakeError(hello.status()));
    base::Result<std::string> hello_frame = writer.Write(*hello);
    if (!hello_frame.ok()) co_return fail(ClassifyHandshakeError(hello_frame.status()));
    if (base::Status s = co_await ws_->Write(std::move(*hello_frame)); !s.ok()) {
      co_return fail(Transient("handshake: " + s.message()));
    }
    base::Result<std::string> server_hello = co_await ReadOneFrame();
    if (!server_hello.ok())
      co_return fail(Transient("handshake: " + server_hello.status().message()));
    if (base::Status s = initiator->ReadServerHello(*server_hello); !s.ok()) {
      co_return fail(ClassifyHandshakeError(s));
    }
    base::Result<std::string> payload = registering
                                            ? BuildRegistrationPayload(creds_, config_.push_name)
                                            : BuildLoginPayload(creds_, config_.push_name);
    if (!payload.ok()) co_return fail(Transient("client payload: " + payload.status().message()));
    base::Result<std::string> finish = initiator->WriteClientFinish(*payload);
    if (!finish.ok()) co_return fail(ClassifyHandshakeError(finish.status()));
    base::Result<std::string> finish_frame = writer.Write(*finish);
    if (!finish_frame.ok()) co_return fail(ClassifyHandshakeError(finish_frame.status()));
    if (base::Status s = co_await ws_->Write(std::move(*finish_frame)); !s.ok()) {
      co_return fail(Transient("handshake: " + s.message()));
    }
    base::Result<noise::Transport> transport = initiator->Split();
    if (!transport.ok()) co_return fail(ClassifyHandshakeError(transport.status()));
    noise_.emplace(std::move(*transport));
    co_return true;
  }

  // Frames of the handshake phase: the ServerHello (the server may
  // coalesce later frames with it; they stay queued in frames_).
  asio::awaitable<base::Result<std::string>> ReadOneFrame() {
    while (frames_.empty()) {
      base::Result<std::string> message = co_await ws_->Read();
      if (!message.ok()) co_return message.status();
      base::Result<std::vector<std::string>> frames = reader_.Feed(*message);
      if (!frames.ok()) co_return frames.status();
      for (std::string& frame : *frames) frames_.push_back(std::move(frame));
    }
    std::string frame = std::move(frames_.front());
    frames_.pop_front();
    co_return frame;
  }

  // ---- loops ----

  asio::awaitable<void> ReadLoop() {
    while (!end_) {
      if (frames_.empty()) {
        base::Result<std::string> message = co_await ws_->Read();
        if (end_) break;
        if (!message.ok()) {
          Finish(Transient("connection lost: " + message.status().message(), 428));
          break;
        }
        last_frame_ns_ = clock_.MonotonicNs();
        base::Result<std::vector<std::string>> frames = reader_.Feed(*message);
        if (!frames.ok()) {
          Finish(Transient("bad frame: " + frames.status().message()));
          break;
        }
        for (std::string& frame : *frames) frames_.push_back(std::move(frame));
        continue;
      }
      std::string frame = std::move(frames_.front());
      frames_.pop_front();
      base::Result<std::string> plain = noise_->Decrypt(frame);
      if (!plain.ok()) {
        Finish(Transient("bad frame: " + plain.status().message()));
        break;
      }
      base::Result<Node> node = binary::DecodeFrame(*plain);
      if (!node.ok()) {
        Finish(Transient("bad stanza: " + node.status().message()));
        break;
      }
      co_await HandleNode(std::move(*node));
    }
  }

  asio::awaitable<void> WriteLoop() {
    while (!end_) {
      if (out_.empty()) {
        out_timer_.expires_at(asio::steady_timer::time_point::max());
        co_await out_timer_.async_wait(kTuple);
        continue;
      }
      std::string data = std::move(out_.front());
      out_.pop_front();
      out_bytes_ -= data.size();
      base::Status written = co_await ws_->Write(std::move(data));
      if (!written.ok()) Finish(Transient("connection lost: " + written.message(), 428));
    }
  }

  // Pings every keepalive_interval; ends the connection when nothing was
  // received for liveness_timeout (§1.4: Baileys' 408 "connection lost").
  asio::awaitable<void> KeepaliveLoop() {
    auto tick = std::min(config_.keepalive_interval, config_.liveness_timeout) / 4;
    tick = std::max(tick, std::chrono::milliseconds(10));
    int64_t last_ping_ns = clock_.MonotonicNs();
    const int64_t interval_ns = config_.keepalive_interval.count() * 1'000'000;
    const int64_t liveness_ns = config_.liveness_timeout.count() * 1'000'000;
    while (!end_) {
      keepalive_timer_.expires_after(tick);
      co_await keepalive_timer_.async_wait(kTuple);
      if (end_) break;
      int64_t now = clock_.MonotonicNs();
      if (now - last_frame_ns_ > liveness_ns) {
        Finish(Transient("connection lost", 408));
        break;
      }
      if (now - last_ping_ns >= interval_ns) {
        last_ping_ns = now;
        // The reply is not awaited: any frame proves liveness.
        Node ping = iq::BuildPing();
        ping.SetAttr("id", NextId());
        (void)SendNow(ping);
      }
    }
  }

  asio::awaitable<void> WaitEnd() {
    while (!end_) {
      end_timer_.expires_at(asio::steady_timer::time_point::max());
      co_await end_timer_.async_wait(kTuple);
    }
  }

  // ---- dispatch ----

  asio::awaitable<void> HandleNode(Node node) {
    // Replies to our queries first: they are matched by id only (§7.2).
    std::optional<std::string> id = node.GetAttrText("id");
    std::optional<std::string> type = node.GetAttrText("type");
    if (id && node.tag == "iq" && (type == "result" || type == "error")) {
      if (auto it = pending_.find(*id); it != pending_.end()) {
        it->second->reply = std::move(node);
        it->second->timer->cancel();
        co_return;
      }
    }
    if (messenger_ && node.tag == "ack" && messenger_->OnAck(node)) co_return;
    switch (RouteStanza(node)) {
      case Route::kEnd:
        co_return Finish(*ClassifyStanza(node));
      case Route::kServerPing:
        co_return (void) SendNow(iq::ResultReply(*id));
      case Route::kPairDevice:
        co_return co_await OnPairDevice(node);
      case Route::kPairSuccess:
        co_return co_await OnPairSuccess(node);
      case Route::kStrayReply:
        co_return;  // a late reply (its query timed out) or a ping's answer
      case Route::kSuccess:
        co_return co_await OnSuccess(node);
      case Route::kPrimaryHello:
        co_return co_await OnPrimaryHello(node);
      case Route::kPreKeyCount:
        co_return OnPreKeyCountNotification(node);
      case Route::kEdgeRouting:
        co_return co_await OnEdgeRouting(*node.GetChild("edge_routing"));
      case Route::kOfflinePreview:
        (void)SendNow(iq::BuildOfflineBatch());
        break;  // the preview itself is the messaging layer's too
      case Route::kObserver:
        if (messenger_ && logged_in_) {
          // The messaging layer: messages and receipts are handled (and
          // acked) there; notifications it does not consume go on.
          if (node.tag == "message" || node.tag == "receipt") {
            co_return co_await messenger_->Enqueue(std::move(node));
          }
          if (node.tag == "notification" && co_await messenger_->OnNotification(node)) co_return;
        }
        break;
    }
    observer_.OnStanza(node);
    // Notifications and calls nobody consumed are still acked, as every
    // client does: the server redelivers an unacked one at each login.
    if (logged_in_ && (node.tag == "notification" || node.tag == "call")) {
      if (base::Result<Node> ack = iq::BuildAck(node); ack.ok()) (void)SendNow(std::move(*ack));
    }
  }

  // ---- registration (QR, pairing code) ----

  asio::awaitable<void> OnPairDevice(const Node& node) {
    base::Result<iq::PairDevice> parsed = iq::ParsePairDevice(node);
    if (!parsed.ok()) co_return Finish(Transient("bad pair-device: " + parsed.status().message()));
    (void)SendNow(iq::ResultReply(parsed->id));
    if (creds_.registered || qr_.started()) co_return;  // once per connection
    qr_ = QrRotation(std::move(parsed->refs), config_.qr_first_ttl.count(),
                     config_.qr_next_ttl.count());
    if (!config_.pairing_phone.empty()) {
      base::Result<PairingCodeStart> start =
          StartPairingCode(creds_, config_.pairing_phone, random_);
      if (!start.ok()) co_return Finish(Transient("pairing code: " + start.status().message()));
      if (!co_await SaveCreds(start->creds)) co_return;
      observer_.OnPairingCode(start->code, qr_.WindowEndMs(clock_.NowMs()));
      Spawn(CompanionHelloTask(std::move(start->hello)));
    }
    Spawn(RotateQr());
  }

  // The reply names the pairing ref that companion_finish repeats (§6.2).
  asio::awaitable<void> CompanionHelloTask(Node hello) {
    base::Result<Node> reply = co_await QueryImpl(std::move(hello), std::nullopt);
    if (!reply.ok()) {
      spdlog::warn("wa client: companion_hello: {}", reply.status().ToString());
      co_return;
    }
    base::Result<std::optional<std::string>> ref = iq::ParseCompanionHelloResult(*reply);
    if (ref.ok() && *ref) pairing_ref_ = **ref;
  }

  asio::awaitable<void> RotateQr() {
    while (!end_ && !paired_) {
      std::optional<QrRotation::Entry> entry = qr_.Next(clock_.NowMs());
      if (!entry) {
        Finish({DisconnectKind::kQrExhausted, 408, "QR refs attempts ended"});
        co_return;
      }
      if (config_.pairing_phone.empty()) {
        base::Result<std::string> qr = BuildQrString(creds_, entry->ref);
        if (!qr.ok()) co_return Finish(Transient("qr: " + qr.status().message()));
        observer_.OnQr(*qr, entry->expires_at_ms);
      }
      qr_timer_.expires_after(std::chrono::milliseconds(entry->expires_at_ms - clock_.NowMs()));
      co_await qr_timer_.async_wait(kTuple);
    }
  }

  asio::awaitable<void> OnPairSuccess(const Node& node) {
    base::Result<iq::PairSuccess> parsed = iq::ParsePairSuccess(node);
    if (!parsed.ok()) {
      if (std::optional<std::string> id = node.GetAttrText("id")) {
        (void)SendNow(iq::BuildErrorReply(*id, 500, "internal-error"));
      }
      co_return Finish(Transient("bad pair-success: " + parsed.status().message()));
    }
    PairSuccessResult result = HandlePairSuccess(*parsed, creds_, random_);
    if (result.error) {
      (void)SendNow(result.error->error_reply);
      co_return Finish(Transient("pairing failed: " + result.error->status.message()));
    }
    // Persist before replying: once the server has our signature it binds
    // the device, and we must be able to log in as it (§5.4).
    if (!co_await SaveCreds(result.ok->creds)) {
      (void)SendNow(iq::BuildErrorReply(parsed->id, 500, "internal-error"));
      co_return;
    }
    paired_ = true;
    qr_timer_.cancel();
    (void)SendNow(result.ok->reply);
    observer_.OnPaired(result.ok->me);
  }

  asio::awaitable<void> OnPrimaryHello(const Node& node) {
    if (base::Result<Node> ack = iq::BuildAck(node); ack.ok()) (void)SendNow(*ack);
    base::Result<iq::PrimaryHello> hello = iq::ParsePrimaryHello(node);
    if (!hello.ok()) co_return Finish(Transient("bad primary_hello: " + hello.status().message()));
    if (hello->ref.empty()) hello->ref = pairing_ref_;
    base::Result<PairingCodeFinish> finish = HandlePrimaryHello(*hello, creds_, random_);
    if (!finish.ok()) co_return Finish(Transient("pairing code: " + finish.status().message()));
    // The adv secret keys the coming pair-success HMAC: persist it first.
    if (!co_await SaveCreds(finish->creds)) co_return;
    Spawn(CompanionFinishTask(std::move(finish->finish)));
  }

  // Only logged: the phone's pair-success (or nothing) tells how it went.
  asio::awaitable<void> CompanionFinishTask(Node finish) {
    base::Result<Node> reply = co_await QueryImpl(std::move(finish), std::nullopt);
    if (!reply.ok()) spdlog::warn("wa client: companion_finish: {}", reply.status().ToString());
  }

  // ---- login ----

  asio::awaitable<void> OnSuccess(const Node& node) {
    if (!creds_.registered || !creds_.me) {
      co_return Finish(Transient("unexpected <success> while registering"));
    }
    std::string lid = node.GetAttrText("lid").value_or("");
    if (!lid.empty() && lid != creds_.me->lid) {
      Creds updated = creds_;
      updated.me->lid = lid;
      if (!co_await SaveCreds(updated)) co_return;
    }
    // <success t> is the server's clock (unix seconds); the offset dates
    // the unified_session id as Baileys does.
    if (std::optional<std::string> t = node.GetAttrText("t")) {
      int64_t seconds = std::atoll(t->c_str());
      if (seconds > 0) server_offset_ms_ = seconds * 1000 - clock_.NowMs();
    }
    logged_in_ = true;
    Spawn(InitQueries());
  }

  // §7.2: each step waits for its answer; like Baileys, a failed step is
  // logged and the sequence goes on, so a slow server only delays OnOpen.
  asio::awaitable<void> InitQueries() {
    base::Result<Node> count = co_await QueryImpl(iq::BuildPreKeyCountQuery(), std::nullopt);
    base::Result<int> n =
        count.ok() ? iq::ParsePreKeyCount(*count) : base::Result<int>(count.status());
    if (n.ok()) {
      if (uint32_t upload = PreKeysToUpload(*n); upload > 0) co_await UploadPreKeys(upload);
    } else {
      spdlog::warn("wa client: pre-key count: {}", n.status().ToString());
    }
    if (end_) co_return;
    base::Result<Node> passive = co_await QueryImpl(iq::BuildPassiveActive(), std::nullopt);
    if (!passive.ok()) spdlog::warn("wa client: passive active: {}", passive.status().ToString());
    if (end_) co_return;
    base::Result<Node> digest = co_await QueryImpl(iq::BuildDigestQuery(), std::nullopt);
    base::Status digested = digest.ok() ? iq::ParseDigest(*digest) : digest.status();
    if (!digested.ok()) spdlog::warn("wa client: digest: {}", digested.ToString());
    if (end_) co_return;
    (void)SendNow(iq::BuildUnifiedSession(clock_.NowMs() + server_offset_ms_));
    observer_.OnOpen(*creds_.me);
  }

  // Generate, persist (keys, then creds), upload, then mark uploaded.
  asio::awaitable<void> UploadPreKeys(uint32_t count) {
    if (uploading_) co_return;
    uploading_ = true;
    struct Reset {
      bool* flag;
      ~Reset() { *flag = false; }
    } reset{&uploading_};
    Creds base = creds_;
    base::Result<PreKeyBatch> batch =
        co_await base::Offload(blocking_, [&] { return NewPreKeyBatch(base, count, random_); });
    if (!batch.ok()) {
      spdlog::error("wa client: pre-keys: {}", batch.status().ToString());
      co_return;
    }
    base::Status written = co_await base::Offload(
        blocking_, [&] { return keys_.WriteKeys(instance_, batch->writes); });
    if (!written.ok()) {
      spdlog::error("wa client: store pre-keys: {}", written.ToString());
      co_return;
    }
    Creds advanced = creds_;
    advanced.next_prekey_id = std::max(advanced.next_prekey_id, batch->creds.next_prekey_id);
    if (!co_await SaveCreds(advanced)) co_return;
    // Up to three tries with a growing pause, as Baileys does (§7.2): the
    // keys are stored, so a retry re-sends the same batch.
    asio::steady_timer pause(ex_);
    for (int attempt = 0;; ++attempt) {
      base::Result<Node> reply = co_await QueryImpl(batch->upload, std::nullopt);
      if (reply.ok()) break;
      spdlog::warn("wa client: pre-key upload (try {}): {}", attempt + 1,
                   reply.status().ToString());
      if (attempt == 2 || end_) co_return;
      pause.expires_after(std::chrono::seconds(1 << attempt));
      co_await pause.async_wait(kTuple);
      if (end_) co_return;
    }
    Creds uploaded = creds_;
    uploaded.first_unuploaded_prekey_id = batch->creds.next_prekey_id;
    (void)co_await SaveCreds(uploaded);
  }

  void OnPreKeyCountNotification(const Node& node) {
    if (base::Result<Node> ack = iq::BuildAck(node); ack.ok()) (void)SendNow(*ack);
    std::optional<std::string> value = node.GetChild("count")->GetAttrText("value");
    int count = 0;
    if (value) count = std::atoi(value->c_str());
    if (!logged_in_ || count > kMinPreKeyCount) return;
    Spawn(UploadPreKeys(kRefillPreKeyCount));
  }

  asio::awaitable<void> OnEdgeRouting(const Node& routing) {
    const Node* info = routing.GetChild("routing_info");
    std::optional<std::string> bytes = info ? iq::ContentText(*info) : std::nullopt;
    if (!bytes || bytes->empty() || bytes->size() > noise::kMaxRoutingInfoSize) co_return;
    if (*bytes == creds_.routing_info) co_return;
    Creds updated = creds_;
    updated.routing_info = std::move(*bytes);
    (void)co_await SaveCreds(updated);
  }

  // ---- plumbing ----

  // Persists `creds` and adopts them; saves are serialized so that two
  // tasks cannot overwrite each other's change. On failure the connection
  // ends (we cannot go on relying on state we could not store).
  asio::awaitable<bool> SaveCreds(Creds creds) {
    asio::steady_timer wait(ex_);
    while (saving_) {
      wait.expires_after(std::chrono::milliseconds(1));
      co_await wait.async_wait(kTuple);
    }
    saving_ = true;
    base::Status saved =
        co_await base::Offload(blocking_, [&] { return creds_store_.SaveCreds(creds); });
    saving_ = false;
    if (!saved.ok()) {
      Finish(Transient("save creds: " + saved.ToString()));
      co_return false;
    }
    creds_ = std::move(creds);
    co_return true;
  }

  base::Status SendNow(const Node& node) {
    if (!open_ || end_) return base::Unavailable("not connected");
    if (out_.size() >= kMaxQueuedFrames || out_bytes_ >= kMaxQueuedBytes) {
      return base::ResourceExhausted("outgoing queue full");
    }
    base::Result<std::string> payload = binary::EncodeFrame(node);
    if (!payload.ok()) return payload.status();
    base::Result<std::string> sealed = noise_->Encrypt(*payload);
    if (!sealed.ok()) {
      Finish(Transient("encrypt: " + sealed.status().message()));
      return sealed.status();
    }
    base::Result<std::string> frame = noise::EncodeFrame(*sealed);
    if (!frame.ok()) return frame.status();
    out_bytes_ += frame->size();
    out_.push_back(std::move(*frame));
    out_timer_.cancel();
    return base::Status::Ok();
  }

  // Ends the connection for `reason`; the first call wins.
  void Finish(Disconnect reason) {
    if (end_) return;
    end_ = std::move(reason);
    open_ = false;
    for (auto& [id, pending] : pending_) {
      pending->aborted = true;
      pending->timer->cancel();
    }
    if (ws_) ws_->Cancel();
    if (messenger_) messenger_->Abort();
    end_timer_.cancel();
    out_timer_.cancel();
    qr_timer_.cancel();
    keepalive_timer_.cancel();
  }

  // Runs a member coroutine as a counted child; the completion handler
  // keeps the Impl alive until it ends. (Member coroutines, not capturing
  // lambdas: a lambda's captures would die before its coroutine does.)
  void Spawn(asio::awaitable<void> task) {
    ++tasks_;
    asio::co_spawn(ex_, std::move(task), [self = shared_from_this()](std::exception_ptr error) {
      --self->tasks_;
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        self->Finish(Transient(std::string("internal error: ") + e.what()));
      }
    });
  }

  std::string NextId() { return id_prefix_ + std::to_string(++next_id_); }

  asio::any_io_executor ex_;
  asio::thread_pool& blocking_;
  ClientConfig config_;
  CredsStore& creds_store_;
  store::KeyStore& keys_;
  std::string instance_;
  ClientObserver& observer_;
  base::Random& random_;
  const base::Clock& clock_;

  asio::steady_timer end_timer_;
  asio::steady_timer out_timer_;
  asio::steady_timer qr_timer_;
  asio::steady_timer keepalive_timer_;

  Creds creds_;
  std::unique_ptr<WsTransport> ws_;
  std::optional<noise::Transport> noise_;
  noise::FrameReader reader_ = noise::FrameReader::Client();
  std::deque<std::string> frames_;  // received, not yet handled
  std::deque<std::string> out_;     // sealed frames to write
  size_t out_bytes_ = 0;
  std::map<std::string, Pending*> pending_;
  std::string id_prefix_;
  uint64_t next_id_ = 0;
  int64_t last_frame_ns_ = 0;
  int64_t server_offset_ms_ = 0;  // server clock − ours, from <success t>
  QrRotation qr_;
  std::string pairing_ref_;
  std::optional<Disconnect> end_;
  int tasks_ = 0;
  bool ran_ = false;
  bool open_ = false;
  bool logged_in_ = false;
  bool paired_ = false;
  bool saving_ = false;
  bool uploading_ = false;
  // Last member: destroyed first, it refers to the members above.
  std::unique_ptr<Messenger> messenger_;
};

Client::Client(asio::any_io_executor executor, asio::thread_pool& blocking, ClientConfig config,
               CredsStore& creds_store, store::KeyStore& keys, std::string instance,
               ClientObserver& observer, base::Random& random, const base::Clock& clock,
               MessagingState* messaging, MessageSink* sink)
    : impl_(std::make_shared<Impl>(std::move(executor), blocking, std::move(config), creds_store,
                                   keys, std::move(instance), observer, random, clock, messaging,
                                   sink)) {}

Client::~Client() { Impl::Close(impl_); }

// The public calls run their work on the client's executor through
// co_spawn with coroutines whose parameters own the Impl. (Not capturing
// lambda coroutines: GCC 12 mishandles their captures' lifetime and released
// the Impl early.)
asio::awaitable<Disconnect> Client::Run() {
  return asio::co_spawn(impl_->executor(), Impl::RunOwned(impl_), asio::use_awaitable);
}

void Client::Close() { Impl::Close(impl_); }

void Client::Logout() { Impl::Logout(impl_); }

asio::awaitable<base::Result<Node>> Client::Query(Node iq) {
  // co_spawn needs a default-constructible result, hence the optional.
  std::optional<base::Result<Node>> result = co_await asio::co_spawn(
      impl_->executor(), Impl::QueryOwned(impl_, std::move(iq)), asio::use_awaitable);
  co_return std::move(*result);
}

asio::awaitable<base::Status> Client::Send(Node node) {
  return asio::co_spawn(impl_->executor(), Impl::SendOwned(impl_, std::move(node)),
                        asio::use_awaitable);
}

// The messaging calls: lambdas that only start the Messenger's coroutine
// (its parameters own the arguments), not coroutine lambdas (see above).
asio::awaitable<base::Result<SendResult>> Client::SendMessage(SendRequest request) {
  return Impl::CallMessenger<base::Result<SendResult>>(
      impl_,
      [r = std::move(request)](Messenger& m) mutable { return m.SendMessage(std::move(r)); });
}

asio::awaitable<base::Result<UploadedMedia>> Client::UploadMedia(std::string media_type,
                                                                 std::string path) {
  return Impl::CallMessenger<base::Result<UploadedMedia>>(
      impl_, [t = std::move(media_type), p = std::move(path)](Messenger& m) mutable {
        return m.UploadMedia(std::move(t), std::move(p));
      });
}

asio::awaitable<base::Status> Client::DownloadMedia(MediaRef ref, std::string dest_path,
                                                    uint64_t max_bytes) {
  return Impl::CallMessenger<base::Status>(
      impl_, [r = std::move(ref), d = std::move(dest_path), max_bytes](Messenger& m) mutable {
        return m.DownloadMedia(std::move(r), std::move(d), max_bytes);
      });
}

asio::awaitable<base::Status> Client::SendReadReceipt(std::string chat, std::string sender,
                                                      std::vector<std::string> ids) {
  return Impl::CallMessenger<base::Status>(impl_, [c = std::move(chat), s = std::move(sender),
                                                   i = std::move(ids)](Messenger& m) mutable {
    return m.SendReadReceipt(std::move(c), std::move(s), std::move(i));
  });
}

}  // namespace wa::client

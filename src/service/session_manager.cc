#include "service/session_manager.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <utility>

#include "base/offload.h"
#include "service/qr_image.h"

namespace service {
namespace asio = boost::asio;
using wa::client::DisconnectKind;

namespace {

// A restart-required right after another one, without the session opening in
// between, is a server bug or a loop; past this many, back off instead.
constexpr int kMaxRestartsWithoutOpen = 3;

// "ABCD1234" → "ABCD-EFGH" as api.md shows it (and phones display it).
std::string FormatPairingCode(const std::string& code) {
  if (code.size() != 8) return code;
  return code.substr(0, 4) + "-" + code.substr(4);
}

}  // namespace

// The client's callbacks, on the strand: they only update the view.
class SessionManager::Observer final : public wa::client::ClientObserver {
 public:
  explicit Observer(SessionManager& m) : m_(m) {}

  void OnConnected(bool registering) override {
    spdlog::info("session {}: handshake done, {}", m_.instance_,
                 registering ? "registering a new device" : "logging in");
  }

  void OnQr(const std::string& qr, int64_t expires_at_ms) override {
    std::lock_guard lock(m_.mu_);
    m_.view_.qr = qr;
    m_.view_.pairing_code.clear();
    m_.view_.expires_at_ms = expires_at_ms;
    if (m_.view_.status == "qr-ready") {
      // A rotated QR: same state, new code to show.
      m_.cv_.notify_all();
      m_.PublishLocked();
    } else {
      m_.SetStatusLocked("qr-ready");
    }
  }

  void OnPairingCode(const std::string& code, int64_t expires_at_ms) override {
    std::lock_guard lock(m_.mu_);
    m_.view_.pairing_code = FormatPairingCode(code);
    m_.view_.qr.clear();
    m_.view_.expires_at_ms = expires_at_ms;
    m_.SetStatusLocked("pairing");
  }

  void OnPaired(const wa::client::Me& me) override {
    std::lock_guard lock(m_.mu_);
    spdlog::info("session {}: linked as {}", m_.instance_, me.jid);
    m_.SetLinkedLocked(me);
    m_.SetStatusLocked("connecting");
  }

  void OnOpen(const wa::client::Me& me) override {
    std::lock_guard lock(m_.mu_);
    m_.SetLinkedLocked(me);
    m_.backoff_.Reset();
    m_.restarts_without_open_ = 0;
    m_.SetStatusLocked("open");
    if (m_.on_open_ && m_.client_) m_.on_open_(m_.client_);
  }

 private:
  SessionManager& m_;
};

SessionManager::SessionManager(asio::any_io_executor strand, asio::thread_pool& blocking,
                               std::string instance, store::Store& store, EventBus* events,
                               SessionOptions options, base::Random& random,
                               const base::Clock& clock)
    : strand_(std::move(strand)),
      blocking_(blocking),
      instance_(std::move(instance)),
      store_(store),
      events_(events),
      options_(std::move(options)),
      random_(random),
      clock_(clock),
      creds_(instance_, store, clock),
      messaging_(clock),
      observer_(std::make_unique<Observer>(*this)),
      publish_strand_(asio::make_strand(blocking)),
      backoff_(options_.backoff) {
  view_.since_ms = clock_.NowMs();
}

SessionManager::~SessionManager() = default;

base::Status SessionManager::Start() {
  auto creds = creds_.LoadCreds();
  if (!creds.ok()) return creds.status();
  std::lock_guard lock(mu_);
  if (creds->has_value() && (*creds)->registered && (*creds)->me) {
    view_.linked = true;
    view_.me = wa::client::MeToJson(*(*creds)->me);
    if (options_.auto_connect) {
      spdlog::info("session {}: linked as {}, connecting", instance_, (*creds)->me->jid);
      StartLoopLocked("");
    }
  }
  return base::Status();
}

SessionView SessionManager::View() const {
  std::lock_guard lock(mu_);
  return view_;
}

std::shared_ptr<wa::client::Client> SessionManager::OpenClient() const {
  std::lock_guard lock(mu_);
  return view_.status == "open" ? client_ : nullptr;
}

std::string SessionManager::OwnJid() const {
  std::lock_guard lock(mu_);
  if (view_.me.empty()) return "";
  boost::system::error_code ec;
  boost::json::value me = boost::json::parse(view_.me, ec);
  if (ec || !me.is_object() || !me.as_object().contains("jid") ||
      !me.as_object().at("jid").is_string()) {
    return "";
  }
  // "15550100001:7@s.whatsapp.net" → "15550100001@s.whatsapp.net"
  std::string jid(me.as_object().at("jid").as_string());
  const size_t at = jid.find('@');
  const size_t colon = jid.find(':');
  if (colon != std::string::npos && at != std::string::npos && colon < at) {
    jid.erase(colon, at - colon);
  }
  return jid;
}

void SessionManager::SetMessaging(
    wa::client::MessageSink* sink,
    std::function<void(std::shared_ptr<wa::client::Client>)> on_open) {
  std::lock_guard lock(mu_);
  sink_ = sink;
  on_open_ = std::move(on_open);
}

void SessionManager::ClearCodesLocked() {
  view_.qr.clear();
  view_.pairing_code.clear();
  view_.expires_at_ms = 0;
}

void SessionManager::SetLinkedLocked(const wa::client::Me& me) {
  view_.linked = true;
  view_.me = wa::client::MeToJson(me);
  ClearCodesLocked();
  link_ = Link::kNone;
}

void SessionManager::SetStatusLocked(const std::string& status) {
  if (view_.status == status) return;
  std::string reason;
  if (view_.last_disconnect && (status == "closed" || status == "connecting")) {
    reason = " (" + view_.last_disconnect->reason + ")";
  }
  spdlog::info("session {}: {} -> {}{}", instance_, view_.status, status, reason);
  view_.status = status;
  view_.since_ms = clock_.NowMs();
  cv_.notify_all();
  PublishLocked();
}

void SessionManager::PublishLocked() {
  // Built under the lock so events follow state order; stored and delivered
  // on one serial strand of the blocking pool, in that order.
  boost::json::object event;
  event["status"] = view_.status;
  if (view_.status == "qr-ready" && !view_.qr.empty()) event["qr"] = view_.qr;
  if (view_.status == "pairing" && !view_.pairing_code.empty()) {
    event["pairingCode"] = view_.pairing_code;
  }
  if (view_.linked && !view_.me.empty()) {
    boost::system::error_code ec;
    boost::json::value me = boost::json::parse(view_.me, ec);
    if (!ec) event["me"] = std::move(me);
  }
  if ((view_.status == "closed" || view_.status == "connecting") && view_.last_disconnect) {
    event["reason"] = view_.last_disconnect->reason;
  }
  const std::string status = view_.status;
  asio::post(publish_strand_, [this, event = std::move(event), status]() mutable {
    if (const boost::json::value* qr = event.if_contains("qr")) {
      auto image = QrPngDataUrl(std::string_view(qr->as_string()));
      if (image.ok()) event["qrImage"] = *image;
    }
    if (events_ != nullptr) {
      auto published = events_->Publish(kConnectionUpdate, boost::json::serialize(event));
      if (!published.ok()) {
        spdlog::warn("session {}: connection-update not published: {}", instance_,
                     published.status().ToString());
      }
    }
    if (base::Status s = creds_.SaveStatus(status); !s.ok()) {
      spdlog::warn("session {}: status not recorded: {}", instance_, s.ToString());
    }
  });
}

void SessionManager::StartLoopLocked(const std::string& phone) {
  running_ = true;
  stop_ = false;
  logout_requested_ = false;
  link_ = view_.linked ? Link::kNone : (phone.empty() ? Link::kQr : Link::kCode);
  link_phone_ = phone;
  asio::co_spawn(strand_, Loop(phone), asio::detached);
}

bool SessionManager::WaitLocked(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds wait,
                                const std::function<bool()>& done) {
  return cv_.wait_for(lock, wait, done);
}

asio::awaitable<void> SessionManager::Loop(std::string phone) {
  for (;;) {
    std::shared_ptr<wa::client::Client> client;
    {
      std::lock_guard lock(mu_);
      if (stop_) break;
      wa::client::ClientConfig config = options_.client;
      config.pairing_phone = view_.linked ? "" : phone;
      client = std::make_shared<wa::client::Client>(strand_, blocking_, std::move(config), creds_,
                                                    store_, instance_, *observer_, random_, clock_,
                                                    &messaging_, sink_);
      client_ = client;
      ++view_.connect_attempts;
      SetStatusLocked("connecting");
      spdlog::info("session {}: connecting to {} (socket {} since start)", instance_,
                   options_.client.url, view_.connect_attempts);
    }
    wa::client::Disconnect end = co_await client->Run();
    {
      std::lock_guard lock(mu_);
      client_.reset();
    }
    Next next = co_await HandleEnd(end);
    if (next == Next::kStop) break;
    if (next == Next::kBackoff) {
      const auto delay = backoff_.Next(random_);
      spdlog::info("session {}: reconnecting in {} ms (attempt {})", instance_, delay.count(),
                   backoff_.attempts());
      {
        std::lock_guard lock(mu_);
        if (stop_) break;
      }
      wait_timer_ = std::make_shared<asio::steady_timer>(strand_, delay);
      co_await wait_timer_->async_wait(asio::as_tuple(asio::use_awaitable));
      wait_timer_.reset();
    }
  }
  std::function<void()> done;
  {
    std::lock_guard lock(mu_);
    running_ = false;
    stop_ = false;
    logout_requested_ = false;
    link_ = Link::kNone;
    ClearCodesLocked();
    SetStatusLocked("closed");
    cv_.notify_all();
    done = std::move(stopped_);
  }
  if (done) done();
}

asio::awaitable<SessionManager::Next> SessionManager::HandleEnd(const wa::client::Disconnect& end) {
  bool stop = false;
  bool linked = false;
  {
    std::lock_guard lock(mu_);
    view_.last_disconnect = end;
    view_.last_disconnect_ms = clock_.NowMs();
    ClearCodesLocked();
    stop = stop_;
    linked = view_.linked;
  }
  spdlog::info("session {}: connection ended: {} ({}{})", instance_,
               wa::client::DisconnectKindName(end.kind), end.reason,
               end.code != 0 ? ", code " + std::to_string(end.code) : "");
  switch (end.kind) {
    case DisconnectKind::kLoggedOut: {
      // The device is gone at the server: the creds are void. Delete them
      // before saying "closed", so nobody logs in with them again.
      base::Status deleted =
          co_await base::Offload(blocking_, [this] { return creds_.DeleteCredsAndKeys(); });
      if (!deleted.ok()) {
        spdlog::error("session {}: logged out but creds not deleted: {}", instance_,
                      deleted.ToString());
      }
      std::lock_guard lock(mu_);
      view_.linked = false;
      view_.me.clear();
      co_return Next::kStop;
    }
    case DisconnectKind::kRestartRequired:
      if (stop) co_return Next::kStop;
      if (++restarts_without_open_ > kMaxRestartsWithoutOpen) co_return Next::kBackoff;
      co_return Next::kNow;
    case DisconnectKind::kTransient:
      if (stop) co_return Next::kStop;
      // A link in progress cannot resume on a new socket (its refs and
      // codes belong to this one): the user asks for a new QR or code.
      if (!linked) co_return Next::kStop;
      {
        std::lock_guard lock(mu_);
        SetStatusLocked("connecting");
      }
      co_return Next::kBackoff;
    case DisconnectKind::kReplaced:
    case DisconnectKind::kQrExhausted:
    case DisconnectKind::kBadServer:
    case DisconnectKind::kClosed:
      co_return Next::kStop;
  }
  co_return Next::kStop;
}

base::Result<SessionView> SessionManager::Connect(const std::string& phone) {
  std::unique_lock lock(mu_);
  if (view_.status == "open") return view_;
  const Link want = phone.empty() ? Link::kQr : Link::kCode;
  if (view_.linked && !phone.empty()) {
    return base::FailedPrecondition(
        "this instance is linked already; POST /whatsapp/session/disconnect to log out before "
        "linking with a pairing code");
  }
  if (running_ && !view_.linked) {
    if (link_ != want || (want == Link::kCode && link_phone_ != phone)) {
      return base::FailedPrecondition(
          std::string(link_ == Link::kQr ? "a QR code link" : "a pairing-code link") +
          " is in progress; POST /whatsapp/session/disconnect to cancel it first");
    }
  }
  if (!running_) StartLoopLocked(phone);

  auto ready = [&] {
    if (!running_ || view_.status == "open") return true;
    if (view_.linked) return false;  // reconnecting or just paired: wait for open
    return want == Link::kQr ? !view_.qr.empty() : !view_.pairing_code.empty();
  };
  const bool in_time = WaitLocked(lock, options_.connect_wait, ready);
  if (view_.status == "open") return view_;
  if (!view_.linked && want == Link::kQr && !view_.qr.empty()) return view_;
  if (!view_.linked && want == Link::kCode && !view_.pairing_code.empty()) return view_;
  const std::string why = view_.last_disconnect ? view_.last_disconnect->reason : "";
  if (!in_time) {
    return base::DeadlineExceeded(
        "WhatsApp did not answer within " + std::to_string(options_.connect_wait.count() / 1000) +
        " s" + (why.empty() ? "" : " (last error: " + why + ")") + "; still trying");
  }
  return base::Unavailable("WhatsApp connection failed: " + (why.empty() ? "closed" : why));
}

base::Result<SessionView> SessionManager::Disconnect(bool logout) {
  std::unique_lock lock(mu_);
  if (running_) {
    stop_ = true;
    logout_requested_ = logout;
    if (client_) {
      if (logout && view_.status == "open") {
        client_->Logout();
      } else {
        client_->Close();
      }
    }
    asio::post(strand_, [this] {
      if (wait_timer_) wait_timer_->cancel();
    });
    WaitLocked(lock, options_.logout_wait, [&] { return !running_; });
  }
  if (logout) {
    lock.unlock();
    // Whether or not the server confirmed the unlink, the creds go: the user
    // asked for this device to be forgotten.
    base::Status deleted = creds_.DeleteCredsAndKeys();
    lock.lock();
    if (!deleted.ok()) return deleted.WithContext("logout");
    view_.linked = false;
    view_.me.clear();
  }
  if (running_) {
    return base::DeadlineExceeded("the connection did not close within " +
                                  std::to_string(options_.logout_wait.count() / 1000) + " s");
  }
  return view_;
}

void SessionManager::Stop(std::function<void()> done) {
  std::lock_guard lock(mu_);
  stop_ = true;
  if (client_) client_->Close();
  asio::post(strand_, [this] {
    if (wait_timer_) wait_timer_->cancel();
  });
  if (!running_) {
    if (done) asio::post(strand_, std::move(done));
    return;
  }
  stopped_ = std::move(done);
}

}  // namespace service

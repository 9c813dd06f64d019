// SessionManager: the connection lifecycle of one instance [architecture.md
// §4.3]. One state machine
//
//   closed → connecting → qr-ready | pairing → (515 restart) connecting → open
//
// driven by the protocol client (wa::client::Client, one object per socket),
// and one reconnect loop with capped exponential backoff and jitter. What
// happens after a socket ends depends on why (wa::client::DisconnectKind):
//   logged out        → delete creds and keys, closed (a new link is needed)
//   replaced          → closed with the reason; no reconnect fight
//   restart required  → reconnect at once (the normal step after pairing)
//   QR refs exhausted, server failed verification, closed by us → closed
//   anything else     → linked: reconnect after the backoff delay;
//                       still linking: closed (a new QR/code is needed)
// Every state change is logged, recorded in the session record and
// published as a `connection-update` event.
//
// Threading: the loop and the client run on `strand`; the public methods
// marked BLOCKING wait (bounded) for the loop and must run on a blocking
// pool thread, never on the strand. State reads are thread-safe.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"
#include "service/backoff.h"
#include "service/event_bus.h"
#include "service/store_creds.h"
#include "store/store.h"
#include "wa/client/client.h"

namespace boost::asio {
class thread_pool;
}  // namespace boost::asio

namespace service {

struct SessionOptions {
  wa::client::ClientConfig client;
  BackoffOptions backoff;
  // How long POST /session/connect waits for something to show.
  std::chrono::milliseconds connect_wait{20000};
  // How long a logout waits for the server to confirm before it deletes the
  // creds anyway.
  std::chrono::milliseconds logout_wait{10000};
  // Connect at start when the stored creds are linked.
  bool auto_connect = true;
};

// A consistent copy of the state, for the API.
struct SessionView {
  std::string status = "closed";  // closed|connecting|qr-ready|pairing|open
  int64_t since_ms = 0;
  std::string me;             // JSON object text when linked, else empty
  std::string qr;             // while qr-ready
  std::string pairing_code;   // while pairing ("ABCD-EFGH")
  int64_t expires_at_ms = 0;  // of the QR or the code
  std::optional<wa::client::Disconnect> last_disconnect;
  int64_t last_disconnect_ms = 0;
  int64_t connect_attempts = 0;  // sockets opened since start
  bool linked = false;
};

class SessionManager {
 public:
  SessionManager(boost::asio::any_io_executor strand, boost::asio::thread_pool& blocking,
                 std::string instance, store::Store& store, EventBus* events,
                 SessionOptions options, base::Random& random = base::SecureRandom::Instance(),
                 const base::Clock& clock = base::SystemClock::Instance());
  ~SessionManager();
  SessionManager(const SessionManager&) = delete;
  SessionManager& operator=(const SessionManager&) = delete;

  // BLOCKING. Reads the stored session; starts connecting when it is linked
  // and auto_connect is set. Call once, before serving.
  base::Status Start();

  // BLOCKING. POST /session/connect: starts (or joins) a connection and waits
  // up to connect_wait for the open session, the first QR or the pairing
  // code. Empty `phone`: QR. Errors: kFailedPrecondition (409) when another
  // link method is in progress or the instance is linked to another number;
  // kDeadlineExceeded (504) when nothing came in time, kUnavailable (503)
  // when the attempt failed — both with the reason.
  base::Result<SessionView> Connect(const std::string& phone);

  // BLOCKING. POST /session/disconnect. logout: unlink at the server when
  // connected, then delete creds and keys (also when offline). Otherwise only
  // close the socket (the device stays linked). Returns the final view.
  base::Result<SessionView> Disconnect(bool logout);

  SessionView View() const;

  // The live client when the session is open, else null. Thread-safe.
  std::shared_ptr<wa::client::Client> OpenClient() const;
  // The linked account's JID without device ("1555…@s.whatsapp.net"), or
  // "" when not linked. Thread-safe.
  std::string OwnJid() const;
  // Where the client runs; WhatsApp calls are made on it.
  const boost::asio::any_io_executor& strand() const { return strand_; }
  // The state of the messaging layer that outlives one socket.
  wa::client::MessagingState& messaging() { return messaging_; }
  // Where incoming messages go; set before Start. `on_open` runs on the
  // strand each time the session opens (media downloads), with the client.
  void SetMessaging(wa::client::MessageSink* sink,
                    std::function<void(std::shared_ptr<wa::client::Client>)> on_open);

  // Shutdown: closes the socket and stops the loop without waiting; `done`
  // runs on the strand once the loop has ended.
  void Stop(std::function<void()> done);

 private:
  class Observer;
  enum class Link { kNone, kQr, kCode };

  boost::asio::awaitable<void> Loop(std::string phone);
  // After a socket ended: what the loop does next (all on the strand).
  enum class Next { kNow, kBackoff, kStop };
  boost::asio::awaitable<Next> HandleEnd(const wa::client::Disconnect& end);

  // Under mu_: nothing to show (QR, pairing code) any more.
  void ClearCodesLocked();
  // Under mu_: the device is linked as `me`; the link in progress is over.
  void SetLinkedLocked(const wa::client::Me& me);
  // Under mu_: moves to `status`, wakes waiters, queues the event.
  void SetStatusLocked(const std::string& status);
  void PublishLocked();
  void StartLoopLocked(const std::string& phone);
  // Waits on cv_ until `done` holds or the deadline passes; under `lock`.
  bool WaitLocked(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds wait,
                  const std::function<bool()>& done);

  boost::asio::any_io_executor strand_;
  boost::asio::thread_pool& blocking_;
  const std::string instance_;
  store::Store& store_;
  EventBus* const events_;  // may be null (tests)
  SessionOptions options_;
  base::Random& random_;
  const base::Clock& clock_;
  StoreCredsStore creds_;
  wa::client::MessagingState messaging_;
  wa::client::MessageSink* sink_ = nullptr;
  std::function<void(std::shared_ptr<wa::client::Client>)> on_open_;
  std::unique_ptr<Observer> observer_;
  // Serializes the blocking publishes in state order.
  boost::asio::any_io_executor publish_strand_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  SessionView view_;                                       // guarded by mu_
  Link link_ = Link::kNone;                                // guarded by mu_
  std::string link_phone_;                                 // guarded by mu_
  bool running_ = false;                                   // the loop runs; guarded by mu_
  bool stop_ = false;                                      // the loop must end; guarded by mu_
  bool logout_requested_ = false;                          // guarded by mu_
  std::shared_ptr<wa::client::Client> client_;             // the live socket; guarded by mu_
  std::shared_ptr<boost::asio::steady_timer> wait_timer_;  // backoff wait; strand only
  std::function<void()> stopped_;                          // Stop's `done`; guarded by mu_
  Backoff backoff_;                                        // strand only
  int restarts_without_open_ = 0;                          // strand only
};

}  // namespace service

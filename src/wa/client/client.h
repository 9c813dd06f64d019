// Client: one connection to WhatsApp (or wasim) for one instance, from the
// WebSocket to the end of the socket [whatsapp-protocol.md §1–7]. It speaks
// ws:// or wss:// (TLS with the system CAs plus an optional extra CA file),
// runs the Noise handshake as initiator and verifies the server certificate
// chain against the configured root, then registers (QR refs or a pairing
// code) or logs in, answers the server, uploads pre-keys when the server
// holds too few, keeps the socket alive and reports how it ended.
//
// One Client object is one connection attempt: Run() returns when the socket
// is gone, with the classified reason. Reconnecting (backoff, jitter, what to
// do per reason) is the caller's job (service::SessionManager) — the client
// never reconnects by itself.
//
// Persistence: every creds change goes through CredsStore before the client
// relies on it (e.g. pair-success is persisted before pair-device-sign is
// sent). CredsStore calls may block; the client runs them on `blocking`.
//
// Threading: everything runs on `executor` (a strand); the observer is
// called on it too and must not block. Close() and Logout() may be called
// from any thread; Query() and Send() hop to `executor` by themselves.
// `random` is also used on the `blocking` pool (pre-key generation), so it
// must be thread-safe (SecureRandom is). Before the io_context goes, let it
// run the Close() that ~Client posts.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"
#include "store/store.h"
#include "wa/binary/node.h"
#include "wa/client/creds.h"
#include "wa/client/messaging.h"
#include "wa/crypto/curve25519.h"

namespace boost::asio {
class thread_pool;
}  // namespace boost::asio

namespace wa::client {

inline constexpr char kWhatsAppUrl[] = "wss://web.whatsapp.com/ws/chat";

struct ClientConfig {
  std::string url = kWhatsAppUrl;  // ws://host:port/path or wss://…
  // Trusted root of the server certificate chain (§2.3); WhatsApp's by default.
  std::optional<crypto::PublicKey> root_public_key;  // nullopt → WhatsApp's root
  std::string ca_file;  // extra PEM CA for wss:// and media hosts, may be empty
  std::chrono::milliseconds connect_timeout{20000};     // TCP+TLS+WS+ServerHello
  std::chrono::milliseconds keepalive_interval{30000};  // w:p ping period
  std::chrono::milliseconds liveness_timeout{35000};    // no frame for this long → lost
  std::chrono::milliseconds query_timeout{60000};       // one iq round trip
  // QR ref lifetimes (§5.2): the first QR, then each following one.
  std::chrono::milliseconds qr_first_ttl{60000};
  std::chrono::milliseconds qr_next_ttl{20000};
  std::string push_name;  // sent in the ClientPayload when not empty
  // Pairing code instead of QR: the account's phone number, digits only.
  std::string pairing_phone;
};

// Why a connection ended, classified for the reconnect policy [§1.5].
enum class DisconnectKind {
  kLoggedOut,        // 401 / device_removed: creds are void, delete them
  kReplaced,         // 440 conflict replaced: another connection took over
  kRestartRequired,  // 515 after pairing: reconnect at once with the new creds
  kQrExhausted,      // every QR ref expired without a scan (408 "QR refs attempts ended")
  kBadServer,        // the server failed verification (cert chain): not transient
  kClosed,           // Close()/Logout() by us
  kTransient,        // lost connection, timeouts, 5xx, anything else: back off and retry
};

struct Disconnect {
  DisconnectKind kind = DisconnectKind::kTransient;
  int code = 0;        // WhatsApp's stream-error/failure code, or 0
  std::string reason;  // short and human: "connection lost", "stream error 503", …
};

std::string_view DisconnectKindName(DisconnectKind kind);  // "logged-out", "replaced", …

// Reads and writes the creds of this instance; implemented by the service on
// the store. Blocking calls, run on the client's `blocking` pool.
class CredsStore {
 public:
  virtual ~CredsStore() = default;
  virtual base::Result<std::optional<Creds>> LoadCreds() = 0;
  virtual base::Status SaveCreds(const Creds& creds) = 0;
  // Logged out: the creds and every key of the instance go.
  virtual base::Status DeleteCredsAndKeys() = 0;
};

// What the client reports, on its executor; must not block.
class ClientObserver {
 public:
  virtual ~ClientObserver() = default;
  // The handshake succeeded; registering (no creds) or logging in.
  virtual void OnConnected(bool registering) = 0;
  // A QR string to show, valid until expires_at_ms (refs rotate, §5.2).
  virtual void OnQr(const std::string& qr, int64_t expires_at_ms) = 0;
  // The pairing code to type on the phone ("ABCD1234"), once per connection.
  virtual void OnPairingCode(const std::string& code, int64_t expires_at_ms) = 0;
  // pair-success processed and persisted; a 515 restart follows.
  virtual void OnPaired(const Me& me) = 0;
  // Logged in and the init queries answered: the connection is usable.
  virtual void OnOpen(const Me& me) = 0;
  // Every stanza the client does not handle itself (messages, receipts,
  // notifications, offline markers, server iqs other than pings — the
  // messaging layer's), in arrival order. With a MessageSink configured the
  // client consumes (and acks/receipts) <message>, <receipt>, the <ack
  // class='message'> of its sends and the `devices` and contact `encrypt`
  // notifications; other notifications still come here, unacked. The client itself answers server
  // pings, pair-device/pair-success, and acks only the notifications it
  // consumes (link_code_companion_reg; encrypt <count> from the server);
  // everything passed here is the receiver's to ack.
  virtual void OnStanza(const binary::Node& node) { (void)node; }
};

class Client {
 public:
  // `messaging` and `sink` may be null (no messaging: message stanzas go to
  // OnStanza unhandled); when given they outlive the Client.
  Client(boost::asio::any_io_executor executor, boost::asio::thread_pool& blocking,
         ClientConfig config, CredsStore& creds_store, store::KeyStore& keys, std::string instance,
         ClientObserver& observer, base::Random& random = base::SecureRandom::Instance(),
         const base::Clock& clock = base::SystemClock::Instance(),
         MessagingState* messaging = nullptr, MessageSink* sink = nullptr);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Connects and runs until the socket ends; never throws. Call once.
  boost::asio::awaitable<Disconnect> Run();

  // Ends the connection (Run returns kClosed). Thread-safe, idempotent.
  void Close();
  // Unlinks this device at the server (remove-companion-device), then
  // closes; Run returns kLoggedOut. The caller deletes creds and keys.
  // Thread-safe.
  void Logout();

  // An iq round trip on the open connection: sets id (when empty) and waits
  // for the reply with that id, at most query_timeout. Errors: kUnavailable
  // when not connected, kDeadlineExceeded, or the <error code text> of a
  // type='error' reply as kFailedPrecondition/kNotFound with its text.
  boost::asio::awaitable<base::Result<binary::Node>> Query(binary::Node iq);
  // --- Messaging (wa/client/messaging.h). Errors: kUnavailable when the
  // connection is not open.
  //
  // Sends one message: device lists (usync, cached in MessagingState),
  // pre-key bundles for devices without a session, one <enc> per device
  // (our own other devices get the device-sent wrapper; groups use sender
  // keys), then waits for the server's ack. kNotFound when the recipient is
  // not on WhatsApp (no devices), kInvalidArgument for a bad JID,
  // kFailedPrecondition when the server's ack carries an error.
  // Never await it inside MessageSink::OnMessage: the reader waits for
  // OnMessage, which holds the Signal state (it would deadlock).
  boost::asio::awaitable<base::Result<SendResult>> SendMessage(SendRequest request);
  // Encrypts the file at `path` for `media_type` (streaming), uploads it to a
  // media_conn host (HTTPS, CA file honoured) and returns the fields the
  // message needs. The file is read, never held whole in memory.
  boost::asio::awaitable<base::Result<UploadedMedia>> UploadMedia(std::string media_type,
                                                                  std::string path);
  // Downloads `ref` (its url, or direct_path on a media_conn host), checks
  // the enc hash and MAC, decrypts streaming into `dest_path` and checks the
  // plaintext hash and length. At most `max_bytes`; kDataLoss on a bad MAC
  // or hash (the partial file is removed).
  boost::asio::awaitable<base::Status> DownloadMedia(MediaRef ref, std::string dest_path,
                                                     uint64_t max_bytes);
  // Read receipts for messages of `chat` from `sender` (groups: the author).
  boost::asio::awaitable<base::Status> SendReadReceipt(std::string chat, std::string sender,
                                                       std::vector<std::string> ids);

  // Sends a stanza without waiting for an answer.
  boost::asio::awaitable<base::Status> Send(binary::Node node);

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace wa::client

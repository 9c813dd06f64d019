// Messenger: the messaging layer of one Client connection
// [whatsapp-protocol.md §8–10; architecture.md §4.1] — receive pipeline
// (receive.cc), receipts, retries and notifications (receipt.cc), sends
// (send.cc), media upload/download (media_http.cc). Client::Impl owns one
// when a MessagingState and a MessageSink were given, and routes message,
// receipt, notification and message-ack stanzas to it.
//
// Threading: every coroutine runs on the client's strand; Signal work and
// key-store I/O run on the blocking pool (base::Offload). Incoming messages
// are handled one at a time (the reader awaits OnMessage). The Signal state
// has one async lock: a receive holds it from decryption to commit/discard,
// a send from the session check to its commit, so a send never interleaves
// with a buffered (not yet committed) receive.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"
#include "store/store.h"
#include "wa/binary/node.h"
#include "wa/client/client.h"
#include "wa/client/messaging.h"
#include "wa/client/signal_kv.h"
#include "wa/client/stanzas.h"
#include "wa/iq/media_conn.h"
#include "wa/iq/usync.h"
#include "wa/signal/context.h"
#include "wa/signal/session.h"
#include "wa/signal/stores.h"

namespace boost::asio {
class thread_pool;
namespace ssl {
class context;
}  // namespace ssl
}  // namespace boost::asio

namespace wa::client {

// KeyStore type: which devices hold our sender key for a group (id = group
// JID, value = device JIDs, one a line) [§8.10 step 4].
inline constexpr std::string_view kSenderKeyMemoryType = "sender-key-memory";

// What the connection lends the messaging layer.
class MessengerLink {
 public:
  virtual ~MessengerLink() = default;
  virtual boost::asio::awaitable<base::Result<binary::Node>> LinkQuery(binary::Node iq) = 0;
  virtual base::Status LinkSend(const binary::Node& node) = 0;
  virtual const Creds& LinkCreds() const = 0;
  virtual bool LinkOpen() const = 0;
};

class Messenger {
 public:
  Messenger(boost::asio::any_io_executor executor, boost::asio::thread_pool& blocking,
            const ClientConfig& config, MessengerLink& link, store::KeyStore& keys,
            std::string instance, MessagingState& state, MessageSink& sink, base::Random& random,
            const base::Clock& clock);
  ~Messenger();

  // Incoming <message> and <receipt> stanzas (inbound.cc). The reader
  // queues them in arrival order and only waits while kMaxInbound are
  // queued; Run, one more loop of the connection, drains the queue: a run
  // of consecutive messages (up to kMaxBatch) goes through OnMessages as one
  // batch, a run of receipts through OnReceipts. While a batch is being
  // stored the reader keeps reading, so a burst batches itself.
  boost::asio::awaitable<void> Enqueue(binary::Node node);
  boost::asio::awaitable<void> Run();
  static constexpr size_t kMaxInbound = 512;
  static constexpr size_t kMaxBatch = 128;

  // Batch handlers (receive.cc, receipt.cc), in arrival order.
  boost::asio::awaitable<void> OnMessages(std::vector<binary::Node> nodes);
  boost::asio::awaitable<void> OnReceipts(std::vector<binary::Node> nodes);
  // True when handled (and acked); false: pass it on to the observer.
  boost::asio::awaitable<bool> OnNotification(const binary::Node& node);
  // An <ack class='message'>: true when a send waited for it.
  bool OnAck(const binary::Node& node);
  // The connection ended: fail the waiting sends.
  void Abort();

  boost::asio::awaitable<base::Result<SendResult>> SendMessage(SendRequest request);
  boost::asio::awaitable<base::Status> SendReadReceipt(std::string chat, std::string sender,
                                                       std::vector<std::string> ids);
  boost::asio::awaitable<base::Result<UploadedMedia>> UploadMedia(std::string media_type,
                                                                  std::string path);
  boost::asio::awaitable<base::Status> DownloadMedia(MediaRef ref, std::string dest_path,
                                                     uint64_t max_bytes);

 private:
  struct Recipient {
    Jid device;               // as addressed in <to jid>
    signal::Address address;  // LID-resolved Signal address
    bool own = false;         // one of our own other devices
  };
  struct PendingAck {
    boost::asio::steady_timer* timer = nullptr;
    std::optional<binary::Node> ack;
    bool aborted = false;
  };

  // receive.cc
  IncomingMessage Placeholder(const MessageInfo& info, const std::string& error) const;
  void RequestResend(const MessageInfo& info);
  // send.cc
  boost::asio::awaitable<base::Result<std::vector<iq::UsyncUser>>> FetchDevices(
      const std::vector<Jid>& users, bool force);
  boost::asio::awaitable<base::Result<std::vector<Recipient>>> DevicesOf(
      const std::vector<Jid>& users, const OwnIds& own, bool lid_addressing);
  boost::asio::awaitable<base::Status> EnsureSessions(const std::vector<Recipient>& recipients,
                                                      bool force);
  // BLOCKING. Commits the send's Signal state: through request.persist
  // when set (with the caller's own writes), else directly.
  base::Status Persist(const SendRequest& request, OverlayKv& overlay);
  // Moves the PN ↔ LID pairs not yet stored into `overlay` (they commit
  // with it); returns them, for ReturnUnsavedLidMappings if it fails.
  std::vector<std::pair<std::string, std::string>> SaveLidMappings(OverlayKv& overlay);
  // Remembers `sent` (for retry receipts), sends `out` and waits for the
  // server's ack: the end every send shares.
  boost::asio::awaitable<base::Result<SendResult>> Deliver(const OutgoingStanza& out,
                                                           const SendRequest& request,
                                                           MessagingState::Sent sent);
  // `on_queued` runs once the stanza is in the outgoing queue.
  boost::asio::awaitable<base::Result<binary::Node>> SendAndWaitAck(
      binary::Node stanza, const std::string& id, std::function<void()> on_queued = {});
  boost::asio::awaitable<base::Result<SendResult>> SendDirect(const SendRequest& request,
                                                              const Jid& chat, const OwnIds& own);
  boost::asio::awaitable<base::Result<SendResult>> SendGroup(const SendRequest& request,
                                                             const Jid& group, const OwnIds& own);
  // groups.cc
  // The group's members and addressing mode: the cache, else a w:g2 query
  // (cached unless the group epoch moved past `epoch`).
  boost::asio::awaitable<base::Result<MessagingState::GroupInfo>> GroupInfoFor(const Jid& group,
                                                                               uint64_t epoch);
  bool IsGroupMember(const MessagingState::GroupInfo& info, const Jid& device) const;
  // w:gp2: drops the cached metadata; after a remove or leave, our sender
  // key. False: the rotation could not be stored (do not ack).
  boost::asio::awaitable<bool> OnGroupNotification(const binary::Node& node);
  // BLOCKING. REQUIRES: the Signal lock.
  base::Status ForgetOwnSenderKey(const Jid& group, const OwnIds& own);
  // receipt.cc
  boost::asio::awaitable<void> HandleRetry(const binary::Node& node, const ReceiptInfo& receipt);
  // media_http.cc
  boost::asio::awaitable<base::Result<iq::MediaConn>> GetMediaConn(bool force);
  // The TLS context for media hosts (system CAs + config_.ca_file), made
  // on first use. Strand only.
  base::Result<std::shared_ptr<boost::asio::ssl::context>> TlsContext();

 public:
  // Helpers shared by the .cc files.
  base::Result<OwnIds> Own() const;
  signal::LocalIdentity Local() const;
  // The Signal address of a device JID, redirected to its LID when known.
  signal::Address AddressOf(const Jid& device) const;
  // As addressed, without the LID redirect: sender keys are keyed by the
  // identity the sender used in the group [§8.10].
  static signal::Address RawAddress(const Jid& device) {
    return signal::Address::ForUser(device.user(), device.agent(), device.device());
  }
  void LearnMapping(const Jid& a, const Jid& b);
  // One Signal operation at a time (sessions are read-modify-write), waiters
  // served first come, first served: UnlockSignal hands the lock straight to
  // the oldest waiter by cancelling its timer. Strand only.
  boost::asio::awaitable<void> LockSignal();
  void UnlockSignal();

  boost::asio::any_io_executor ex_;
  boost::asio::thread_pool& blocking_;
  const ClientConfig& config_;
  MessengerLink& link_;
  store::KeyStore& keys_;
  std::string instance_;
  MessagingState& state_;
  MessageSink& sink_;
  base::Random& random_;
  const base::Clock& clock_;
  KeyStoreKv kv_;
  std::unique_ptr<signal::Context> context_;
  bool signal_busy_ = false;
  std::deque<std::shared_ptr<boost::asio::steady_timer>> signal_waiters_;
  std::map<std::string, PendingAck*> acks_;
  std::map<std::string, int> retry_counts_;  // incoming ids we asked to resend
  // inbound.cc: the queue between the reader and Run, and their wake-ups.
  std::deque<binary::Node> inbound_;
  boost::asio::steady_timer inbound_ready_;
  boost::asio::steady_timer inbound_space_;
  bool stopped_ = false;
  std::optional<iq::MediaConn> media_conn_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  int64_t media_conn_expires_ms_ = 0;
  uint64_t next_sid_ = 0;
};

// RAII release of Messenger::LockSignal.
struct SignalLockGuard {
  Messenger* m;
  ~SignalLockGuard() { m->UnlockSignal(); }
};

}  // namespace wa::client

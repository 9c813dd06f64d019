// Messenger: the messaging layer of one Client connection
// [whatsapp-protocol.md §8–10; architecture.md §4.1] — receive pipeline
// (receive.cc), receipts, retries and notifications (receipt.cc), sends
// (send.cc), media upload/download (media_http.cc). Client::Impl owns one
// when a MessagingState and a MessageSink were given, and routes message,
// receipt, notification and message-ack stanzas to it.
//
// Threading: every coroutine runs on the client's strand; Signal work and
// key-store I/O run on the blocking pool (base::Offload). Incoming messages
// are handled in batches, in order (Run). The Signal state has one async
// lock: a receive holds it from decryption to commit/discard, a send from
// the session check until its state is staged and its commit queued (see
// send_commits.cc), so a send never interleaves with a buffered (not yet
// committed) receive, and a receive starts from committed state only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
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
    std::optional<base::Status> failed;  // not sent: its commit or the socket failed
  };
  // The Signal state a send advanced, staged in kv_ until its commit ends.
  struct Staged {
    std::vector<signal::KeyWrite> writes;
    uint64_t stage = 0;
    std::vector<std::pair<std::string, std::string>> mappings;  // LID pairs with it
  };
  // A send from its place in the commit queue to the server's ack.
  struct Outgoing {
    Outgoing(boost::asio::any_io_executor ex, std::chrono::steady_clock::duration timeout)
        : timer(std::move(ex), timeout) {}
    boost::asio::steady_timer timer;
    PendingAck pending;
    std::string id;
    std::string chat;
    binary::Node stanza;
    Staged staged;
    std::function<base::Status(const std::function<base::Status()>&)> persist;
    base::Status committed;  // set by CommitSends
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
  // Moves the PN ↔ LID pairs not yet stored into `overlay` (they commit
  // with it); returns them, for ReturnUnsavedLidMappings if it fails.
  std::vector<std::pair<std::string, std::string>> SaveLidMappings(OverlayKv& overlay);

  // send_commits.cc — the send pipeline. Persist, then send, without a
  // store commit inside the Signal lock: a send encrypts, stages its Signal
  // state in kv_ (the next send reads it from there), queues itself
  // (QueueSend) and leaves the lock; one drainer at a time commits the
  // queued sends, several per transaction (MessageSink::InOneTransaction),
  // and sends each stanza once its commit is stored, in queue order —
  // stored order = wire order = encryption order.
  // BLOCKING-free, on the blocking pool under the Signal lock: stages the
  // overlay's writes (with the LID pairs not yet stored).
  Staged StageSend(OverlayKv& overlay);
  // Strand, under the Signal lock: remembers `sent` (for retry receipts),
  // queues the send and calls request.on_queued.
  std::shared_ptr<Outgoing> QueueSend(const OutgoingStanza& out, const SendRequest& request,
                                      MessagingState::Sent sent, Staged staged);
  // After the lock: drains the queue unless another send does, then waits
  // for the server's ack.
  boost::asio::awaitable<base::Result<SendResult>> FinishSend(std::shared_ptr<Outgoing> out);
  boost::asio::awaitable<void> DrainCommits();
  // BLOCKING: the batch's commits in one transaction where the sink has one.
  base::Status CommitSends(const std::vector<std::shared_ptr<Outgoing>>& batch);
  // Until nothing is queued or staged: for every Signal user that writes
  // the state directly (receive, retries, new sessions). Under the lock.
  boost::asio::awaitable<void> FlushCommits();
  static constexpr size_t kMaxCommitBatch = 256;
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
  // the oldest waiter by cancelling its timer. Strand only. `flush`: then
  // waits until the sends' staged state is committed (FlushCommits); only
  // the send pipeline itself locks without.
  boost::asio::awaitable<void> LockSignal(bool flush = true);
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
  KeyStoreKv store_kv_;
  StagedKv kv_{store_kv_};                         // every Signal read and write goes through it
  std::deque<std::shared_ptr<Outgoing>> commits_;  // queued sends, strand only
  bool draining_ = false;
  std::vector<std::shared_ptr<boost::asio::steady_timer>> flush_waiters_;
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

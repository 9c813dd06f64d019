// The messaging seam of wa/client [whatsapp-protocol.md §8–10]: what the
// client hands to the service for every incoming message and receipt, what
// the service asks the client to send, and the state that outlives one
// socket (device lists, recently sent messages for retries).
//
// Persist, then ack [architecture.md §4.1]. For each incoming <message> the
// client, strictly in arrival order and one at a time:
//   1. decrypts it with the Signal state, buffering every Signal write
//      (sessions, pre-key removal, sender keys) instead of writing it;
//   2. co_awaits MessageSink::OnMessage — the service stores the message;
//   3. only when that returned ok: writes the buffered Signal state, then
//      sends the receipt (the server's "ack" for messages).
// A crash before 3 leaves the old Signal state and no receipt: the server
// redelivers, the message decrypts again with the same (old) state and the
// store deduplicates it. Never a Bad MAC after a restart.
// When OnMessage fails, nothing is written or receipted; the client goes on
// with the next stanza (the server redelivers the failed one on reconnect).
// Bursts go through MessageSink::OnMessages instead, the same steps for a
// batch at once (one decrypt hand-off, one store transaction, then the
// receipts), so a 5,000-message offline queue is not 20,000 commits.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace wa::client {

// One incoming message after decryption, addressed as api.md wants it.
struct IncomingMessage {
  std::string id;
  std::string chat;    // chat JID without device: "1555…@s.whatsapp.net", "…@lid", "…@g.us"
  std::string sender;  // author JID without device (== chat for 1:1 from the peer)
  std::string sender_alt;  // the author's other addressing (PN ↔ LID) when the stanza says
  bool from_me = false;    // sent by another device of ours (device-sent message)
  bool is_group = false;
  int64_t timestamp_ms = 0;
  std::string push_name;  // `notify` attribute, may be empty
  bool offline = false;   // delivered from the server's offline queue
  // The decrypted WhatsApp `Message` protobuf (serialized; device-sent
  // wrappers already unwrapped). Empty when undecryptable.
  std::string message;
  // Could not be decrypted: the client has sent the retry receipt; when the
  // resend decrypts, OnMessage is called again with the same id and this false.
  bool undecryptable = false;
  std::string error;  // why it could not be decrypted
  // BLOCKING. Writes the Signal state this message advanced. The sink may
  // call it right after storing the message, in the same blocking section
  // (one thread hand-off per message instead of two); when it does not, the
  // client commits after OnMessage returned ok. Valid during OnMessage only.
  std::function<base::Status()> commit_signal_state;
};

// A receipt for one of our sends (or a read on another device of ours).
struct ReceiptEvent {
  std::string chat;              // chat JID without device
  std::vector<std::string> ids;  // the receipted message ids
  std::string status;            // "delivered" | "read" | "played"
  std::string from;              // the device JID that sent the receipt
  int64_t timestamp_ms = 0;
};

// Implemented by the service. Called on the client's strand, one call at a
// time, in arrival order; may suspend (store writes on the blocking pool).
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  // Persist the message (idempotent on (chat, id)); ok → the client commits
  // the Signal state and receipts it.
  virtual boost::asio::awaitable<base::Status> OnMessage(const IncomingMessage& message) = 0;
  // Move the stored status forward; the client acks the receipt afterwards
  // whatever this returns (a receipt is not worth a redelivery).
  virtual boost::asio::awaitable<void> OnReceipt(const ReceiptEvent& receipt) = 0;

  // Group commit. A burst of consecutive messages (the server's offline
  // queue, a busy chat), in arrival order, decrypted with one Signal state:
  // persist every one as OnMessage would and call `commit_signal_state`
  // (BLOCKING; the state of the whole batch) — together, in one store
  // transaction where the store has them. All or nothing: ok → the client
  // receipts every message; an error → none is receipted, the server
  // redelivers them all. The messages' own commit_signal_state is unset.
  // A sink that does not call commit_signal_state leaves it to the client,
  // which commits right after. Default: OnMessage for each, stopping at the
  // first error (for sinks that do not batch).
  virtual boost::asio::awaitable<base::Status> OnMessages(
      const std::vector<IncomingMessage>& messages,
      const std::function<base::Status()>& commit_signal_state);
  // Consecutive receipts, in order. Default: OnReceipt for each.
  virtual boost::asio::awaitable<void> OnReceipts(const std::vector<ReceiptEvent>& receipts);

  // BLOCKING, on the blocking pool. Runs `body` — the persist steps of the
  // sends queued meanwhile (SendRequest::persist), or their Signal state
  // when they have none — in one store transaction, so a burst of sends
  // costs one commit. Each send inside still succeeds or fails alone (its
  // persist's own transaction nests as a savepoint). Default: no shared
  // transaction, body() as is.
  virtual base::Status InOneTransaction(const std::function<base::Status()>& body) {
    return body();
  }
};

// What the service asks to send.
struct SendRequest {
  std::string to;       // chat JID: user (PN or LID, no device) or group
  std::string id;       // message id; empty: the client makes a fresh "3EB0…" id
  std::string message;  // the WhatsApp `Message` protobuf, serialized
  // Stanza `type`: "text" for text, "media" for media messages.
  std::string type = "text";
  std::string media_type;  // `<enc mediatype=…>` for media: image|video|document|audio…
  // Called on the client's strand once the send is encrypted and queued
  // for its commit, before anything is stored or sent: from then on its
  // place on the wire is fixed (sends commit, then leave, in queue order),
  // so the next send to the same chat may start while this one is stored
  // and waits for its ack (pipelining). Not called when it fails earlier.
  std::function<void()> on_queued;
  // BLOCKING, on the blocking pool, once the message is encrypted and before
  // anything is sent: the caller stores what it must (the pending message)
  // and calls `commit_signal_state` (the Signal state this send advanced)
  // in one transaction of its own — persist, then send, in one commit. It
  // runs inside MessageSink::InOneTransaction with the persist steps of
  // other sends queued at the same time (its own transaction nests). An
  // error fails the send and nothing goes out. Unset: the client commits
  // the state itself.
  std::function<base::Status(const std::function<base::Status()>& commit_signal_state)> persist;
};

struct SendResult {
  std::string id;
  std::string chat;          // as sent (normalised)
  int64_t timestamp_ms = 0;  // the server ack's `t`
};

// Media uploaded to the media host, for the message fields [§10].
struct UploadedMedia {
  std::string url;
  std::string direct_path;
  std::string media_key;        // 32 bytes
  std::string file_sha256;      // of the plaintext
  std::string file_enc_sha256;  // of what was uploaded
  uint64_t file_length = 0;     // plaintext bytes
};

// What a received media message says about its blob.
struct MediaRef {
  std::string media_type;  // image|video|document|audio|sticker (wa::media names)
  std::string url;         // may be empty: direct_path on a media_conn host then
  std::string direct_path;
  std::string media_key;
  std::string file_sha256;
  std::string file_enc_sha256;
  uint64_t file_length = 0;
};

// State of the messaging layer that outlives one socket; one per instance,
// owned by the service and lent to every Client. Thread-safe.
class MessagingState {
 public:
  explicit MessagingState(const base::Clock& clock) : clock_(clock) {}

  // Device lists from usync, cached (the protocol's device-change
  // notifications invalidate; entries also expire).
  struct Devices {
    std::vector<uint32_t> ids;  // device ids of the user, 0 = the phone
    int64_t fetched_ms = 0;
  };
  std::optional<Devices> GetDevices(const std::string& user) const;
  void PutDevices(const std::string& user, Devices devices);
  void InvalidateDevices(const std::string& user);

  // PN user ↔ LID user, learned from usync and message stanzas.
  void PutLidMapping(const std::string& pn_user, const std::string& lid_user);
  std::optional<std::string> LidForPn(const std::string& pn_user) const;
  std::optional<std::string> PnForLid(const std::string& lid_user) const;

  // The PN ↔ LID map is kept in the store (KeyStore type kLidMappingType,
  // id = PN user, value = LID user): new or changed pairs are noted as
  // unsaved; the client writes them with the next Signal state it commits
  // (one transaction) and gives them back when that commit fails. The
  // service loads the stored map at start.
  static constexpr char kLidMappingType[] = "lid-mapping";
  static constexpr int kMaxLidMappings = 40000;
  std::vector<std::pair<std::string, std::string>> TakeUnsavedLidMappings();
  void ReturnUnsavedLidMappings(std::vector<std::pair<std::string, std::string>> pairs);
  // Fills the map from the store (nothing becomes unsaved); call at start.
  void LoadLidMappings(const std::map<std::string, std::string>& pn_to_lid);

  // Recently sent messages, for retry receipts (re-encrypt and resend).
  struct Sent {
    std::string to;
    std::string message;
    std::string type;
    std::string media_type;
    std::string addressing_mode;  // groups: "lid" | "pn" (the sender key's identity)
    int64_t sent_ms = 0;
  };
  void RememberSent(const std::string& id, Sent sent);
  std::optional<Sent> FindSent(const std::string& id) const;

  // Group metadata for sends [§8.10 step 1], so a send to a group is not a
  // w:g2 query each time. A w:gp2 notification for the group drops it (the
  // next send asks again); entries also expire, in case a change went
  // unnoticed. Memory only: after a restart the first send asks.
  struct GroupInfo {
    std::string addressing_mode;            // "lid" | "pn"
    std::vector<std::string> participants;  // user JIDs without device, as listed
    int64_t fetched_ms = 0;
  };
  std::optional<GroupInfo> GetGroup(const std::string& group) const;
  // A send reads GroupEpoch() before it asks the server and passes it here:
  // when the group changed in between (the answer may predate the change),
  // the answer is not cached.
  void PutGroup(const std::string& group, GroupInfo info, uint64_t epoch);
  void InvalidateGroup(const std::string& group);
  // Grows with every InvalidateGroup.
  uint64_t GroupEpoch() const;
  // Whether `group` was invalidated after GroupEpoch() was `epoch`. A send
  // whose group changed between reading its member list and encrypting
  // starts over, so a member removed meanwhile never gets the new sender
  // key. Changes of other groups do not count (when the record of a change
  // was dropped, past kMaxGroups changes, it answers true: safe).
  bool GroupChangedSince(const std::string& group, uint64_t epoch) const;

  // Bounds: the caches drop their oldest entries past these.
  static constexpr size_t kMaxGroups = 2000;
  static constexpr int64_t kGroupTtlMs = 60 * 60 * 1000;
  static constexpr size_t kMaxDeviceUsers = 10000;
  static constexpr size_t kMaxSent = 2000;
  static constexpr int64_t kDeviceTtlMs = 5 * 60 * 1000;

 private:
  // Sets pn ↔ lid (dropping what either was mapped to); false when it was
  // already so. REQUIRES: mu_.
  bool InsertLidMappingLocked(const std::string& pn_user, const std::string& lid_user);
  // REQUIRES: mu_.
  bool GroupChangedSinceLocked(const std::string& group, uint64_t epoch) const;

  const base::Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, Devices> devices_;
  std::map<std::string, std::string> pn_to_lid_;
  std::map<std::string, std::string> lid_to_pn_;
  std::vector<std::pair<std::string, std::string>> unsaved_lid_;  // (pn, lid), oldest first
  std::map<std::string, Sent> sent_;
  std::vector<std::string> sent_order_;
  std::map<std::string, GroupInfo> groups_;
  uint64_t group_epoch_ = 0;
  std::map<std::string, uint64_t> group_changed_at_;  // epoch of each group's last change
  uint64_t forgotten_changes_up_to_ = 0;              // newest epoch dropped from it
};

}  // namespace wa::client

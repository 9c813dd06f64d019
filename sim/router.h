// Router: wasim carries messages between devices [whatsapp-protocol.md §8.6,
// §8.9–§8.12, §13 items 15–19].
//   * <message> from a companion: server <ack class='message'>, then one
//     stanza per target device (1:1 in LID form with sender_pn; own devices
//     with recipient; groups with participant, pairwise <enc> first, then
//     the shared skmsg — fanned out to every member device);
//   * targets are companions (sockets) and the simulated phones (device 0,
//     phone_messaging.cc), which decrypt with real Signal state, record what
//     they got and answer delivery receipts like a device;
//   * per-device pending queue: every stanza for a companion stays queued
//     until the device acknowledges it (a <receipt> for a message, an <ack>
//     for receipts and notifications); live delivery sends it at once, a
//     login (re)sends all of them marked offline='n' before
//     <ib><offline count/>. Saved with the rest of this state in
//     DIR/messaging.json (router_state.cc; main.cc decides when);
//   * receipts go back to the original sender's device, acked with
//     <ack class='receipt'>; retry receipts are forwarded the same way;
//   * groups (groups.cc), the phone's admin send and history sync
//     (phone_messaging.cc).
// Thread safety: none (simulator thread).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sim/accounts.h"
#include "sim/phone_crypto.h"
#include "sim/stanza.h"

namespace sim {

class Simulator;
class SimConnection;

struct RouterLimits {
  // Unacked stanzas per companion: the real server keeps weeks of offline
  // messages; bursts in tests and benchmarks reach tens of thousands.
  size_t max_pending_per_device = 50'000;
  size_t max_index = 50'000;     // message ids remembered for receipts
  size_t max_received = 10'000;  // per phone, oldest dropped
  size_t max_groups = 1000;
  size_t max_group_size = 256;
  size_t max_phone_sent = 5000;  // phone sends kept for retries
};

// What a phone decrypted (GET /admin/accounts/:phone/received).
struct ReceivedMessage {
  std::string id;
  std::string from;         // sender user JID (PN)
  std::string chat;         // the other party (PN user) or the group
  std::string participant;  // group sender (PN user), else empty
  bool from_me = false;     // sent by one of the account's own companions
  int64_t t = 0;
  std::string kind;  // text, image, video, audio, document, sticker, other
  std::string text;  // text or caption
  std::string file_name, mimetype;
  std::optional<std::string> media;  // decrypted bytes
  std::string thumbnail;             // the message's jpegThumbnail (images, videos)
  std::string error;                 // decryption or download problem
};

struct ReceivedReceipt {
  std::string id;
  std::string from;  // the receiving user (PN)
  std::string participant;
  std::string type;  // "" = delivery, read, played, …
  int64_t t = 0;
};

struct Group {
  std::string id;  // user part, e.g. 120363000000000001
  std::string subject;
  std::vector<std::string> phones;  // members; the first is the creator (superadmin)
  int64_t creation = 0;
  // Former members whose phone (device 0) still gets the shared skmsg of
  // later messages, never a pairwise SKDM: a test's stand-in for a removed
  // member who captures ciphertext, to show it cannot read it. Memory only.
  std::vector<std::string> eavesdroppers;
  wa::Jid Jid() const { return wa::Jid(id, std::string(wa::kGroupServer)); }
};

// The admin send request (POST /admin/accounts/:phone/send).
struct SendRequest {
  std::string to;  // phone digits, a user JID or a group JID
  std::string text;
  std::string media_type;  // image, video, audio, document (empty: text)
  std::string data;        // media bytes
  std::string caption, file_name, mimetype;
  // Tests of the retry path: the companions' first copies are corrupted, so
  // they answer retry receipts and the phone resends on a new session.
  bool corrupt = false;
};

class Router {
 public:
  Router(Simulator& sim, RouterLimits limits = {});
  ~Router();

  // --- from companions (SimConnection::OnNode) ---
  // `self` is the sending companion (PN device JID); `reply` sends a stanza
  // back on its connection (the server acks).
  using Reply = std::function<void(const Node&)>;
  void OnMessage(const wa::Jid& self, const Node& message, const Reply& reply);
  void OnReceipt(const wa::Jid& self, const Node& receipt, const Reply& reply);
  void OnAck(const wa::Jid& self, const Node& ack);
  // After a prekey upload: the first one of a device triggers history sync.
  void OnPreKeysUploaded(const wa::Jid& self);
  // After a bundle fetch (`iq` = the request): companions whose one-time
  // pre-keys ran low (< 5) get <notification type='encrypt'><count value/>
  // once until their next upload [§8.8].
  void AfterBundleFetch(const Node& iq);

  // --- delivery ---
  // Queues `stanza` for `device` (PN device JID) and sends it when connected;
  // device 0 goes to the simulated phone.
  void Deliver(const wa::Jid& device, Node stanza);
  // Stanzas still unacked for `device`, in order (sent at login).
  std::vector<Node> Pending(const wa::Jid& device) const;
  size_t PendingCount(const wa::Jid& device) const;
  void ForgetDevice(const wa::Jid& device);

  // --- persistence (router_state.cc) ---
  // The whole messaging state as one JSON file (tmp + rename).
  base::Status Save(const std::string& path);
  // Reads a file written by Save (a missing file is an empty state).
  base::Status Load(const std::string& path);
  // Called after every change (main.cc debounces a Save).
  void SetOnChange(std::function<void()> on_change) { on_change_ = std::move(on_change); }

  // --- phones (phone_messaging.cc) ---
  // Creates the Signal state of every phone that has none yet (before
  // handing out phone pre-keys, whose private halves it must hold).
  void PrimePhones();
  base::Result<std::string> PhoneSend(std::string_view phone, const SendRequest& request);
  const std::deque<ReceivedMessage>& Received(std::string_view phone);
  const std::deque<ReceivedReceipt>& Receipts(std::string_view phone);

  // --- groups (groups.cc) ---
  base::Result<const Group*> CreateGroup(std::string_view subject,
                                         const std::vector<std::string>& phones);
  const Group* FindGroup(const wa::Jid& jid) const;
  std::vector<const Group*> Groups() const;
  // Adds and removes members; every device of the old and new members gets a
  // w:gp2 <add>/<remove> notification; the remaining phones rotate their
  // sender key after a removal (the next message distributes a new one).
  struct MemberChange {
    std::vector<std::string> add, remove;  // phones
    // Who did it (the notification's `participant`); empty: the creator.
    // A member removing itself is a leave [B: messages-recv.ts].
    std::string actor;
    bool eavesdrop = false;  // removed phones become Group::eavesdroppers
  };
  base::Result<const Group*> ChangeMembers(const wa::Jid& group, const MemberChange& change);
  // w:g2 iqs from a companion.
  Node HandleGroupIq(SimConnection& conn, const Node& iq);

 private:
  struct PendingStanza {
    std::string tag, id;
    Node node;
  };
  // What a phone sent, kept for retry receipts.
  struct PhoneSent {
    std::string id, from_phone, peer_phone, group;  // peer_phone or group
    std::string plain;                              // serialized Message
    std::string stanza_type, mediatype;
  };
  struct SentRecord {
    wa::Jid sender;  // PN device JID (device 0 = the phone)
    std::string chat;
  };

  void RouteGroup(const wa::Jid& self, const Account& sender, const Node& message,
                  const Group& group);
  void Remember(const std::string& id, const wa::Jid& sender, std::string chat);
  bool RemovePending(const wa::Jid& device, std::string_view tag, std::string_view id);
  void RouteReceipt(Account& receiver, uint16_t device, const std::vector<std::string>& ids,
                    const std::string& type, const std::string& t, const Node& original);
  void PhoneReceive(Account& account, const Node& stanza);
  void PhoneReceipt(Account& account, const Node& receipt);
  PhoneCrypto* CryptoFor(Account& account);
  // Encrypts and delivers `sent` to every companion concerned, or only to
  // `only` (PN device JID; retries).
  base::Status PhoneFanOut(Account& self, const PhoneSent& sent,
                           const std::optional<wa::Jid>& only);
  void PhoneRetry(Account& self, const Node& receipt);
  void SendHistorySync(Account& account, uint16_t device);
  Node GroupNode(const Group& group) const;
  void NotifyGroup(const Group& group, const std::vector<std::string>& to, const Node& child,
                   std::string_view actor = {});
  void Touch();
  void RecordReceived(Account& account, ReceivedMessage message);
  base::Result<std::string> EncryptedStanzaFor(Account& from, Account& to, uint16_t device,
                                               const std::string& plaintext, Node base,
                                               std::string_view mediatype);

  Simulator& sim_;
  RouterLimits limits_;
  std::map<std::string, std::deque<PendingStanza>, std::less<>> pending_;  // device JID text
  std::map<std::string, SentRecord, std::less<>> index_;
  std::deque<std::string> index_order_;
  std::map<std::string, Group, std::less<>> groups_;  // by JID text
  uint64_t next_group_ = 1;
  std::unique_ptr<wa::signal::Context> signal_;
  std::map<std::string, std::unique_ptr<PhoneCrypto>, std::less<>> crypto_;  // by phone
  std::map<std::string, std::deque<ReceivedMessage>, std::less<>> received_;
  std::map<std::string, std::deque<ReceivedReceipt>, std::less<>> receipts_;
  std::map<std::string, bool, std::less<>> history_sent_;  // device JID text
  std::map<std::string, PhoneSent, std::less<>> sent_;     // by message id
  std::deque<std::string> sent_order_;
  // Phone Signal stores loaded from disk, used when the phone is first needed.
  std::map<std::string, std::vector<wa::signal::KeyWrite>, std::less<>> saved_crypto_;
  std::function<void()> on_change_;
  bool corrupt_ = false;  // SendRequest::corrupt, during the first fan-out
  std::map<std::string, bool, std::less<>> low_notified_;  // device JID text

  friend class RouterTestPeer;
};

// Pure helpers (unit-tested).
// The id of a receipt plus the ids in its <list><item id/>.
std::vector<std::string> ReceiptIds(const Node& receipt);
// The stanza a target device gets for a 1:1 <message> from `sender_device`
// (PN device JID) of `sender`: LID form with addressing_mode='lid' and
// sender_pn for other accounts; `recipient` = chat for own devices. `encs`
// are copied in order.
Node OneToOneStanza(const Node& message, const Account& sender, uint16_t sender_device,
                    bool own_device, std::vector<const Node*> encs, int64_t now_s);

}  // namespace sim

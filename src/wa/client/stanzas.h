// Sans-IO stanzas of the messaging layer [whatsapp-protocol.md §8.5–8.12]:
// parsing incoming <message>/<receipt>, building receipts, retry receipts,
// acks and outgoing <message> stanzas, and the Message protobuf wrappers
// (device-sent, sender-key distribution). No I/O, no Signal state.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/random.h"
#include "base/status.h"
#include "wa/binary/node.h"
#include "wa/types/jid.h"

namespace wa::client {

// Our own addresses, from Creds::me ("user:device@s.whatsapp.net", "user:device@lid").
struct OwnIds {
  Jid pn;   // with device
  Jid lid;  // with device; empty when unknown
  bool IsOwnUser(const Jid& jid) const {
    return (jid.IsPnUser() && jid.user() == pn.user()) ||
           (!lid.IsEmpty() && jid.IsLid() && jid.user() == lid.user());
  }
};
base::Result<OwnIds> ParseOwnIds(std::string_view pn_jid, std::string_view lid_jid);

// What a <message> stanza says about itself (§8.9, §8.10).
struct MessageInfo {
  std::string id;
  Jid from;                        // as sent: sender device (1:1) or group
  std::optional<Jid> participant;  // groups: the author's device
  std::optional<Jid> recipient;    // own-device stanzas: the chat
  std::string type;                // text | media | …
  std::string category;            // "peer" for peer messages
  std::string addressing_mode;     // lid | pn | ""
  std::string notify;
  int64_t timestamp_s = 0;
  bool offline = false;

  Jid author;      // the author's device JID (participant for groups, else from)
  Jid chat;        // chat JID without device
  Jid sender_alt;  // the author's other addressing (user, no device); may be empty
  bool is_group = false;
  bool from_me = false;  // the author is our own user
};
base::Result<MessageInfo> ParseMessageInfo(const binary::Node& message, const OwnIds& own);

// The delivery receipt once a message was handled (§8.9): plain for peers,
// type='sender' with recipient for our own devices' messages, 'peer_msg' for
// category='peer'.
binary::Node BuildDeliveryReceipt(const MessageInfo& info);

// <receipt id to [participant] [recipient] type='retry'><retry count id t v error/>
// <registration/>[keys]</receipt> (§8.12). `keys` is the <keys> node or nullopt.
binary::Node BuildRetryReceipt(const MessageInfo& info, int count, uint32_t registration_id,
                               std::optional<binary::Node> keys);

// <ack class='message' id to type error='500'/> after a retry receipt, and
// the nack of a duplicate counter (487).
binary::Node BuildMessageNack(const MessageInfo& info, const Jid& own_pn, int error);

// A receipt from the server (§8.11).
struct ReceiptInfo {
  std::vector<std::string> ids;  // id first, then the <list> items
  Jid from;
  std::optional<Jid> participant;
  std::optional<Jid> recipient;
  std::string type;  // "" = delivered, read, read-self, played, retry, sender, …
  int64_t timestamp_s = 0;
};
base::Result<ReceiptInfo> ParseReceipt(const binary::Node& receipt);
// <ack class='receipt' id to [type] [participant] [recipient]/>.
binary::Node BuildReceiptAck(const binary::Node& receipt);

// <retry count id t/> and <registration>, <keys> of a retry receipt.
struct RetryRequest {
  int count = 1;
  uint32_t registration_id = 0;
  bool has_keys = false;
  std::string identity;  // 32 bytes when has_keys
  uint32_t signed_pre_key_id = 0;
  std::string signed_pre_key;
  std::string signed_pre_key_signature;
  std::optional<uint32_t> pre_key_id;
  std::string pre_key;
};
base::Result<RetryRequest> ParseRetry(const binary::Node& receipt);

// <receipt id=first to=chat [participant] type='read' t><list><item id/>…</list></receipt>.
binary::Node BuildReadReceipt(const Jid& chat, const std::optional<Jid>& participant,
                              const std::vector<std::string>& ids, int64_t now_s);

// One device's ciphertext in an outgoing message.
struct DeviceEnc {
  Jid device;
  std::string type;  // pkmsg | msg
  std::string ciphertext;
};
struct OutgoingStanza {
  std::string id;
  Jid to;
  std::string type = "text";
  std::string media_type;
  std::string addressing_mode;  // groups: "lid" | "pn"
  std::vector<DeviceEnc> participants;
  std::optional<std::string> skmsg;            // groups: the shared ciphertext
  std::optional<std::string> device_identity;  // when any pkmsg (or retry)
};
binary::Node BuildMessageStanza(const OutgoingStanza& out);

// "3EB0" + 18 upper-case hex digits.
std::string NewMessageId(base::Random& random);

// Message protobuf helpers (bytes in, bytes out).
// Message{deviceSentMessage{destinationJid, message}, messageContextInfo}.
base::Result<std::string> WrapDeviceSent(std::string_view message, std::string_view destination);
struct Unwrapped {
  std::string message;      // the inner message (or the message itself)
  std::string destination;  // set when it was a device-sent wrapper
  // Sender-key distribution carried along (group id, distribution bytes).
  std::string skdm_group;
  std::string skdm;
  bool protocol_only = false;  // nothing but an SKDM (and context info)
};
base::Result<Unwrapped> UnwrapMessage(std::string_view message);
// Message{senderKeyDistributionMessage{groupId, axolotl…}} merged into `message`
// (empty `message`: just the SKDM).
base::Result<std::string> WithSenderKeyDistribution(std::string_view message,
                                                    std::string_view group,
                                                    std::string_view distribution);

}  // namespace wa::client

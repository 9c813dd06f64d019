#include "wa/client/stanzas.h"

#include <charconv>
#include <cstdlib>

#include "wa/iq/iq.h"
#include "wa/proto/codec.h"
#include "wa/proto/wa_message.pb.h"

namespace wa::client {

using binary::Node;

namespace {

std::optional<Jid> JidAttr(const Node& node, std::string_view key) {
  base::Result<Jid> jid = node.GetAttrAsJid(key);
  if (!jid.ok() || jid->IsEmpty()) return std::nullopt;
  return *jid;
}

int64_t IntAttr(const Node& node, std::string_view key) {
  std::optional<std::string> text = node.GetAttrText(key);
  if (!text) return 0;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  (void)end;
  return ec == std::errc() ? value : 0;
}

std::optional<std::string> ChildBytes(const Node& parent, std::string_view tag) {
  const Node* child = parent.GetChild(tag);
  if (child == nullptr) return std::nullopt;
  return iq::ContentText(*child);
}

}  // namespace

base::Result<OwnIds> ParseOwnIds(std::string_view pn_jid, std::string_view lid_jid) {
  OwnIds own;
  WAGATE_ASSIGN_OR_RETURN(own.pn, Jid::Parse(pn_jid));
  if (!lid_jid.empty()) {
    WAGATE_ASSIGN_OR_RETURN(own.lid, Jid::Parse(lid_jid));
  }
  return own;
}

base::Result<MessageInfo> ParseMessageInfo(const Node& message, const OwnIds& own) {
  MessageInfo info;
  info.id = message.GetAttrText("id").value_or("");
  if (info.id.empty()) return base::InvalidArgument("message without id");
  std::optional<Jid> from = JidAttr(message, "from");
  if (!from) return base::InvalidArgument("message without a valid from");
  info.from = *from;
  info.participant = JidAttr(message, "participant");
  info.recipient = JidAttr(message, "recipient");
  info.type = message.GetAttrText("type").value_or("");
  info.category = message.GetAttrText("category").value_or("");
  info.addressing_mode = message.GetAttrText("addressing_mode").value_or("");
  info.notify = message.GetAttrText("notify").value_or("");
  info.timestamp_s = IntAttr(message, "t");
  info.offline = message.HasAttr("offline");

  info.is_group = info.from.IsGroup();
  if (info.is_group || info.from.IsBroadcast()) {
    if (!info.participant) return base::InvalidArgument("group message without participant");
    info.author = *info.participant;
    info.chat = info.from.ToNonAd();
  } else {
    info.author = info.from;
    info.chat = info.from.NormalizedUser();
  }
  info.from_me = own.IsOwnUser(info.author);
  if (info.from_me && !info.is_group && info.recipient) info.chat = info.recipient->ToNonAd();

  // The author's other addressing [§8.9].
  bool lid = info.addressing_mode == "lid" || (info.addressing_mode.empty() && info.author.IsLid());
  const char* const pn_keys[] = {"participant_pn", "sender_pn", "peer_recipient_pn"};
  const char* const lid_keys[] = {"participant_lid", "sender_lid", "peer_recipient_lid"};
  for (const char* key : lid ? pn_keys : lid_keys) {
    if (std::optional<Jid> alt = JidAttr(message, key)) {
      info.sender_alt = alt->ToNonAd();
      break;
    }
  }
  return info;
}

Node BuildDeliveryReceipt(const MessageInfo& info) {
  Node receipt("receipt");
  receipt.SetAttr("id", info.id);
  receipt.SetAttr("to", info.from);
  if (info.is_group) receipt.SetAttr("participant", info.author);
  if (info.category == "peer") {
    receipt.SetAttr("type", "peer_msg");
  } else if (info.from_me) {
    if (!info.is_group && info.recipient) receipt.SetAttr("recipient", info.chat);
    receipt.SetAttr("type", "sender");
  }
  return receipt;
}

Node BuildRetryReceipt(const MessageInfo& info, int count, uint32_t registration_id,
                       std::optional<Node> keys) {
  Node receipt("receipt");
  receipt.SetAttr("id", info.id);
  receipt.SetAttr("type", "retry");
  receipt.SetAttr("to", info.from);
  if (info.is_group) receipt.SetAttr("participant", info.author);
  if (info.recipient) receipt.SetAttr("recipient", *info.recipient);
  Node retry("retry");
  retry.SetAttr("count", std::to_string(count));
  retry.SetAttr("id", info.id);
  retry.SetAttr("t", std::to_string(info.timestamp_s));
  retry.SetAttr("v", "1");
  retry.SetAttr("error", "0");
  receipt.AddChild(std::move(retry));
  receipt.AddChild(iq::BytesNode("registration", iq::EncodeBigEndian(registration_id, 4)));
  if (keys) receipt.AddChild(std::move(*keys));
  return receipt;
}

Node BuildMessageNack(const MessageInfo& info, const Jid& own_pn, int error) {
  Node ack("ack");
  ack.SetAttr("id", info.id);
  ack.SetAttr("to", info.from);
  ack.SetAttr("class", "message");
  if (!info.type.empty()) ack.SetAttr("type", info.type);
  if (info.participant) ack.SetAttr("participant", *info.participant);
  ack.SetAttr("from", own_pn);
  ack.SetAttr("error", std::to_string(error));
  return ack;
}

base::Result<ReceiptInfo> ParseReceipt(const Node& receipt) {
  ReceiptInfo info;
  std::string id = receipt.GetAttrText("id").value_or("");
  if (id.empty()) return base::InvalidArgument("receipt without id");
  info.ids.push_back(std::move(id));
  std::optional<Jid> from = JidAttr(receipt, "from");
  if (!from) return base::InvalidArgument("receipt without a valid from");
  info.from = *from;
  info.participant = JidAttr(receipt, "participant");
  info.recipient = JidAttr(receipt, "recipient");
  info.type = receipt.GetAttrText("type").value_or("");
  info.timestamp_s = IntAttr(receipt, "t");
  if (const Node* list = receipt.GetChild("list")) {
    for (const Node* item : list->GetChildren("item")) {
      std::string item_id = item->GetAttrText("id").value_or("");
      if (!item_id.empty() && item_id != info.ids.front()) info.ids.push_back(std::move(item_id));
    }
  }
  return info;
}

Node BuildReceiptAck(const Node& receipt) {
  Node ack("ack");
  ack.SetAttr("id", receipt.GetAttrText("id").value_or(""));
  if (std::optional<Jid> from = JidAttr(receipt, "from")) ack.SetAttr("to", *from);
  ack.SetAttr("class", "receipt");
  for (const char* key : {"type", "participant", "recipient"}) {
    if (const binary::AttrValue* value = receipt.FindAttr(key)) {
      if (const Jid* jid = std::get_if<Jid>(value)) {
        ack.SetAttr(key, *jid);
      } else {
        ack.SetAttr(key, std::get<binary::Str>(*value));
      }
    }
  }
  return ack;
}

base::Result<RetryRequest> ParseRetry(const Node& receipt) {
  RetryRequest out;
  const Node* retry = receipt.GetChild("retry");
  if (retry == nullptr) return base::InvalidArgument("retry receipt without <retry>");
  out.count = static_cast<int>(IntAttr(*retry, "count"));
  if (out.count < 1) out.count = 1;
  if (std::optional<std::string> reg = ChildBytes(receipt, "registration")) {
    base::Result<uint32_t> id = iq::DecodeBigEndian(*reg);
    if (id.ok()) out.registration_id = *id;
  }
  const Node* keys = receipt.GetChild("keys");
  if (keys == nullptr) return out;
  std::optional<std::string> identity = ChildBytes(*keys, "identity");
  const Node* skey = keys->GetChild("skey");
  if (!identity || identity->size() != 32 || skey == nullptr) return out;
  std::optional<std::string> skey_id = ChildBytes(*skey, "id");
  std::optional<std::string> skey_value = ChildBytes(*skey, "value");
  std::optional<std::string> skey_sig = ChildBytes(*skey, "signature");
  if (!skey_id || !skey_value || skey_value->size() != 32 || !skey_sig || skey_sig->size() != 64) {
    return out;
  }
  base::Result<uint32_t> spk_id = iq::DecodeBigEndian(*skey_id);
  if (!spk_id.ok()) return out;
  out.identity = *identity;
  out.signed_pre_key_id = *spk_id;
  out.signed_pre_key = *skey_value;
  out.signed_pre_key_signature = *skey_sig;
  if (const Node* key = keys->GetChild("key")) {
    std::optional<std::string> key_id = ChildBytes(*key, "id");
    std::optional<std::string> key_value = ChildBytes(*key, "value");
    if (key_id && key_value && key_value->size() == 32) {
      base::Result<uint32_t> id = iq::DecodeBigEndian(*key_id);
      if (id.ok()) {
        out.pre_key_id = *id;
        out.pre_key = *key_value;
      }
    }
  }
  out.has_keys = out.registration_id != 0;
  return out;
}

Node BuildReadReceipt(const Jid& chat, const std::optional<Jid>& participant,
                      const std::vector<std::string>& ids, int64_t now_s) {
  Node receipt("receipt");
  receipt.SetAttr("id", ids.empty() ? std::string() : ids.front());
  receipt.SetAttr("to", chat);
  if (participant) receipt.SetAttr("participant", *participant);
  receipt.SetAttr("type", "read");
  receipt.SetAttr("t", std::to_string(now_s));
  if (ids.size() > 1) {
    Node list("list");
    for (size_t i = 1; i < ids.size(); ++i) list.AddChild(Node("item", {{"id", ids[i]}}));
    receipt.AddChild(std::move(list));
  }
  return receipt;
}

namespace {

Node EncNode(std::string_view type, std::string ciphertext, std::string_view media_type) {
  Node enc("enc");
  enc.SetAttr("v", "2");
  enc.SetAttr("type", std::string(type));
  if (!media_type.empty()) enc.SetAttr("mediatype", std::string(media_type));
  enc.content = binary::Bytes(std::move(ciphertext));
  return enc;
}

}  // namespace

Node BuildMessageStanza(const OutgoingStanza& out) {
  Node message("message");
  message.SetAttr("id", out.id);
  message.SetAttr("to", out.to);
  message.SetAttr("type", out.type);
  if (!out.addressing_mode.empty()) message.SetAttr("addressing_mode", out.addressing_mode);
  if (out.skmsg) message.AddChild(EncNode("skmsg", *out.skmsg, out.media_type));
  if (!out.participants.empty()) {
    Node participants("participants");
    for (const DeviceEnc& device : out.participants) {
      Node to("to");
      to.SetAttr("jid", device.device);
      // SKDM-only copies in groups carry no mediatype (they are not the media).
      to.AddChild(EncNode(device.type, device.ciphertext, out.skmsg ? "" : out.media_type));
      participants.AddChild(std::move(to));
    }
    message.AddChild(std::move(participants));
  }
  if (out.device_identity) {
    message.AddChild(iq::BytesNode("device-identity", *out.device_identity));
  }
  return message;
}

std::string NewMessageId(base::Random& random) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string id = "3EB0";
  for (int i = 0; i < 18; ++i) id.push_back(kHex[random.Uint64() & 0x0F]);
  return id;
}

base::Result<std::string> WrapDeviceSent(std::string_view message, std::string_view destination) {
  WAGATE_ASSIGN_OR_RETURN(proto::Message original, proto::Parse<proto::Message>(message));
  proto::Message wrapped;
  wrapped.mutable_device_sent_message()->set_destination_jid(std::string(destination));
  if (original.has_message_context_info()) {
    *wrapped.mutable_message_context_info() = original.message_context_info();
  }
  *wrapped.mutable_device_sent_message()->mutable_message() = std::move(original);
  return proto::Serialize(wrapped);
}

base::Result<Unwrapped> UnwrapMessage(std::string_view message) {
  WAGATE_ASSIGN_OR_RETURN(proto::Message parsed, proto::Parse<proto::Message>(message));
  Unwrapped out;
  if (parsed.has_device_sent_message()) {
    const proto::Message::DeviceSentMessage& sent = parsed.device_sent_message();
    out.destination = sent.destination_jid();
    proto::Message inner = sent.message();
    if (!inner.has_message_context_info() && parsed.has_message_context_info()) {
      *inner.mutable_message_context_info() = parsed.message_context_info();
    }
    parsed = std::move(inner);
  }
  if (parsed.has_sender_key_distribution_message()) {
    out.skdm_group = parsed.sender_key_distribution_message().group_id();
    out.skdm = parsed.sender_key_distribution_message().axolotl_sender_key_distribution_message();
    // Protocol-only when the SKDM (and context info) is all there is.
    proto::Message rest = parsed;
    rest.clear_sender_key_distribution_message();
    rest.clear_message_context_info();
    out.protocol_only = rest.ByteSizeLong() == 0;
  }
  WAGATE_ASSIGN_OR_RETURN(out.message, proto::Serialize(parsed));
  return out;
}

base::Result<std::string> WithSenderKeyDistribution(std::string_view message,
                                                    std::string_view group,
                                                    std::string_view distribution) {
  proto::Message parsed;
  if (!message.empty()) {
    WAGATE_ASSIGN_OR_RETURN(parsed, proto::Parse<proto::Message>(message));
  }
  auto* skdm = parsed.mutable_sender_key_distribution_message();
  skdm->set_group_id(std::string(group));
  skdm->set_axolotl_sender_key_distribution_message(std::string(distribution));
  return proto::Serialize(parsed);
}

}  // namespace wa::client

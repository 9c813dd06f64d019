// Receipts for our sends, retry receipts, notifications, server acks and
// read receipts [whatsapp-protocol.md §8.6, §8.11, §8.12].
#include <spdlog/spdlog.h>

#include <boost/asio/thread_pool.hpp>

#include "base/offload.h"
#include "wa/client/messenger.h"
#include "wa/iq/bundles.h"
#include "wa/iq/iq.h"
#include "wa/signal/group.h"
#include "wa/signal/padding.h"

namespace wa::client {

namespace asio = boost::asio;
using binary::Node;

asio::awaitable<void> Messenger::OnReceipts(std::vector<Node> nodes) {
  std::vector<ReceiptEvent> events;
  for (const Node& node : nodes) {
    base::Result<ReceiptInfo> parsed = ParseReceipt(node);
    if (!parsed.ok()) {
      spdlog::warn("wa messaging: bad receipt: {}", parsed.status().ToString());
      continue;
    }
    const ReceiptInfo& receipt = *parsed;
    std::string status;
    if (receipt.type.empty() || receipt.type == "inactive") {
      status = "delivered";
    } else if (receipt.type == "read" || receipt.type == "read-self") {
      status = "read";
    } else if (receipt.type == "played" || receipt.type == "played-self") {
      status = "played";
    } else if (receipt.type == "retry") {
      co_await HandleRetry(node, receipt);
    }
    if (status.empty()) continue;
    ReceiptEvent event;
    Jid chat = receipt.from.ToNonAd();
    if (!receipt.from.IsGroup() && receipt.recipient) chat = receipt.recipient->ToNonAd();
    event.chat = chat.ToString();
    event.ids = receipt.ids;
    event.status = status;
    event.from = (receipt.participant ? *receipt.participant : receipt.from).ToString();
    event.timestamp_ms = receipt.timestamp_s * 1000;
    events.push_back(std::move(event));
  }
  // The statuses of the whole run in one go, then every ack.
  if (!events.empty()) co_await sink_.OnReceipts(events);
  for (const Node& node : nodes) {
    if (node.GetAttrText("id")) (void)link_.LinkSend(BuildReceiptAck(node));
  }
}

// Re-encrypts a recent send for the one device that could not decrypt it
// and resends it to that device alone: one direct <enc count> (whatsmeow's
// form, which wasim delivers as is), device_fanout='false' for 1:1, and for
// groups `participant` with our sender key merged into the message [§8.12].
asio::awaitable<void> Messenger::HandleRetry(const Node& node, const ReceiptInfo& receipt) {
  base::Result<RetryRequest> retry = ParseRetry(node);
  if (!retry.ok()) co_return;
  std::optional<MessagingState::Sent> sent = state_.FindSent(receipt.ids.front());
  if (!sent) {
    spdlog::info("wa messaging: retry for unknown message {}", receipt.ids.front());
    co_return;
  }
  base::Result<OwnIds> own = Own();
  if (!own.ok()) co_return;
  base::Result<Jid> chat = Jid::Parse(sent->to);
  if (!chat.ok()) co_return;
  Jid device = receipt.from.IsGroup() && receipt.participant ? *receipt.participant : receipt.from;
  Recipient recipient{
      .device = device, .address = AddressOf(device), .own = own->IsOwnUser(device)};
  if (chat->IsGroup()) {
    // Our current sender key goes with the resend: only to a member. A
    // device removed since the message was sent must not get it.
    base::Result<MessagingState::GroupInfo> info =
        co_await GroupInfoFor(*chat, state_.GroupEpoch());
    if (!info.ok() || !IsGroupMember(*info, device)) {
      spdlog::info("wa messaging: retry for {} from {}, not a member of {}: ignored",
                   receipt.ids.front(), device.ToString(), chat->ToString());
      co_return;
    }
  }

  co_await LockSignal();
  SignalLockGuard unlock{this};
  if (retry->has_keys) {
    signal::PreKeyBundle bundle;
    bundle.registration_id = retry->registration_id;
    bundle.device_id = device.device();
    bundle.identity_key = retry->identity;
    bundle.signed_pre_key_id = retry->signed_pre_key_id;
    bundle.signed_pre_key_public = retry->signed_pre_key;
    bundle.signed_pre_key_signature = retry->signed_pre_key_signature;
    if (retry->pre_key_id) {
      bundle.pre_key_id = retry->pre_key_id;
      bundle.pre_key_public = retry->pre_key;
    }
    signal::LocalIdentity local = Local();
    base::Status built = co_await base::Offload(blocking_, [&]() -> base::Status {
      OverlayKv overlay(kv_);
      WAGATE_ASSIGN_OR_RETURN(auto stores, signal::Stores::Create(*context_, overlay, local));
      WAGATE_RETURN_IF_ERROR(signal::ProcessPreKeyBundle(*stores, recipient.address, bundle));
      return overlay.Commit();
    });
    if (!built.ok()) {
      spdlog::warn("wa messaging: retry keys: {}", built.ToString());
      co_return;
    }
  } else {
    std::vector<Recipient> one(1, recipient);
    base::Status sessions = co_await EnsureSessions(one, /*force=*/true);
    if (!sessions.ok()) {
      spdlog::warn("wa messaging: retry bundle: {}", sessions.ToString());
      co_return;
    }
  }

  std::string direct_plain = sent->message;
  if (recipient.own && !chat->IsGroup()) {
    base::Result<std::string> wrapped = WrapDeviceSent(sent->message, sent->to);
    if (!wrapped.ok()) co_return;
    direct_plain = std::move(*wrapped);
  }
  if (chat->IsGroup()) {
    // The direct copy carries our sender key too, so later skmsgs decrypt.
    base::Result<std::string> with_skdm =
        co_await base::Offload(blocking_, [&]() -> base::Result<std::string> {
          OverlayKv overlay(kv_);
          WAGATE_ASSIGN_OR_RETURN(auto stores, signal::Stores::Create(*context_, overlay, Local()));
          Jid me = sent->addressing_mode == "lid" && !own->lid.IsEmpty() ? own->lid : own->pn;
          signal::SenderKeyName name{chat->ToString(), RawAddress(me)};
          WAGATE_ASSIGN_OR_RETURN(std::string skdm,
                                  signal::CreateSenderKeyDistribution(*stores, name));
          WAGATE_RETURN_IF_ERROR(overlay.Commit());
          return WithSenderKeyDistribution(direct_plain, chat->ToString(), skdm);
        });
    if (with_skdm.ok()) direct_plain = std::move(*with_skdm);
  }
  signal::LocalIdentity local = Local();
  base::Result<signal::EncryptedMessage> encrypted =
      co_await base::Offload(blocking_, [&]() -> base::Result<signal::EncryptedMessage> {
        OverlayKv overlay(kv_);
        WAGATE_ASSIGN_OR_RETURN(auto stores, signal::Stores::Create(*context_, overlay, local));
        WAGATE_ASSIGN_OR_RETURN(
            signal::EncryptedMessage enc,
            signal::Encrypt(*stores, recipient.address, signal::Pad(direct_plain, random_)));
        WAGATE_RETURN_IF_ERROR(overlay.Commit());
        return enc;
      });
  if (!encrypted.ok()) {
    spdlog::warn("wa messaging: retry encrypt: {}", encrypted.status().ToString());
    co_return;
  }
  Node stanza("message");
  stanza.SetAttr("id", receipt.ids.front());
  if (chat->IsGroup()) {
    stanza.SetAttr("to", *chat);
    stanza.SetAttr("participant", device);
  } else {
    stanza.SetAttr("to", device);
    if (recipient.own && device.IsPnUser()) stanza.SetAttr("recipient", *chat);
  }
  stanza.SetAttr("type", sent->type.empty() ? "text" : sent->type);
  if (!chat->IsGroup()) stanza.SetAttr("device_fanout", "false");
  Node enc("enc");
  enc.SetAttr("v", "2");
  enc.SetAttr("type", std::string(signal::MessageTypeName(encrypted->type)));
  enc.SetAttr("count", std::to_string(retry->count));
  enc.content = binary::Bytes(std::move(encrypted->ciphertext));
  stanza.AddChild(std::move(enc));
  stanza.AddChild(iq::BytesNode("device-identity", link_.LinkCreds().account));
  (void)link_.LinkSend(stanza);
}

asio::awaitable<bool> Messenger::OnNotification(const Node& node) {
  std::string type = node.GetAttrText("type").value_or("");
  base::Result<Jid> from = node.GetAttrAsJid("from");
  if (type == "devices" && from.ok()) {
    // Device list changed: forget the cached list (refetched on the next send).
    state_.InvalidateDevices(from->ToNonAd().ToString());
    for (const Node& child : node.children()) {
      for (const Node& device : child.children()) {
        base::Result<Jid> jid = device.GetAttrAsJid("jid");
        base::Result<Jid> lid = device.GetAttrAsJid("lid");
        if (jid.ok() && lid.ok()) LearnMapping(jid->ToNonAd(), lid->ToNonAd());
      }
    }
  } else if (type == "encrypt" && from.ok() && !from->IsServer()) {
    // A contact's identity changed: drop the sessions with its known devices
    // and the device list, so the next send fetches new bundles (a pkmsg
    // from the peer replaces a session by itself, TOFU).
    Jid user = from->ToNonAd();
    std::optional<MessagingState::Devices> known = state_.GetDevices(user.ToString());
    state_.InvalidateDevices(user.ToString());
    if (node.GetChild("identity") != nullptr && known && context_ != nullptr &&
        (user.IsPnUser() || user.IsLid())) {
      std::vector<signal::Address> addresses;
      for (uint32_t id : known->ids) {
        addresses.push_back(AddressOf(id == 0 ? user : user.WithDeviceOf(uint16_t(id))));
      }
      co_await LockSignal();
      SignalLockGuard unlock{this};
      signal::LocalIdentity local = Local();
      base::Status dropped = co_await base::Offload(blocking_, [&]() -> base::Status {
        WAGATE_ASSIGN_OR_RETURN(auto stores, signal::Stores::Create(*context_, kv_, local));
        for (const signal::Address& address : addresses) {
          WAGATE_RETURN_IF_ERROR(stores->DeleteSession(address));
        }
        return base::Status::Ok();
      });
      if (!dropped.ok()) spdlog::warn("wa messaging: identity change: {}", dropped.ToString());
    }
  } else if (type == "w:gp2") {
    if (!co_await OnGroupNotification(node)) co_return true;  // not acked: redelivered
  } else {
    co_return false;
  }
  if (base::Result<Node> ack = iq::BuildAck(node); ack.ok()) (void)link_.LinkSend(*ack);
  co_return true;
}

bool Messenger::OnAck(const Node& node) {
  if (node.GetAttrText("class") != "message") return false;
  std::optional<std::string> id = node.GetAttrText("id");
  if (!id) return false;
  auto it = acks_.find(*id);
  if (it == acks_.end()) return false;
  it->second->ack = node;
  it->second->timer->cancel();
  return true;
}

void Messenger::Abort() {
  for (auto& [id, pending] : acks_) {
    pending->aborted = true;
    pending->timer->cancel();
  }
  // Queued stanzas were never receipted: the server redelivers them.
  stopped_ = true;
  inbound_.clear();
  inbound_ready_.cancel();
  inbound_space_.cancel();
}

asio::awaitable<base::Status> Messenger::SendReadReceipt(std::string chat, std::string sender,
                                                         std::vector<std::string> ids) {
  if (!link_.LinkOpen()) co_return base::Unavailable("not connected");
  if (ids.empty()) co_return base::InvalidArgument("no message ids");
  base::Result<Jid> chat_jid = Jid::Parse(chat);
  if (!chat_jid.ok()) co_return chat_jid.status();
  std::optional<Jid> participant;
  if (chat_jid->IsGroup()) {
    base::Result<Jid> author = Jid::Parse(sender);
    if (!author.ok()) co_return author.status();
    participant = *author;
  }
  // A message being stored holds the Signal lock until its delivery receipt
  // is out: waiting for the lock keeps "read" from overtaking "delivered"
  // when the caller reacts to the message at once (new-message → read).
  co_await LockSignal();
  SignalLockGuard unlock{this};
  co_return link_.LinkSend(
      BuildReadReceipt(chat_jid->NormalizedUser(), participant, ids, clock_.NowMs() / 1000));
}

}  // namespace wa::client

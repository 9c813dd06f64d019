// Shared by the messaging io tests (messaging_io_test.cc, groups_io_test.cc):
// a sink that records, the scripted server's stanzas, the peer's side of
// Signal, and the MessagingIo fixture on top of the loopback harness.
#pragma once

#include <gtest/gtest.h>

#include "wa/client/client.h"
#include "wa/client/client_test_harness.h"
#include "wa/iq/iq.h"
#include "wa/proto/wa_message.pb.h"
#include "wa/signal/group.h"
#include "wa/signal/padding.h"
#include "wa/signal/test_util.h"

namespace wa::client::msgtest {

using namespace iotest;  // NOLINT
using signal::testing::Party;

// Stores what the client hands over; answers with the queued statuses.
class TestSink final : public MessageSink {
 public:
  asio::awaitable<base::Status> OnMessage(const IncomingMessage& message) override {
    messages.push_back(message);
    if (on_message) on_message(message);
    base::Status status = base::Status::Ok();
    if (!statuses.empty()) {
      status = statuses.front();
      statuses.pop_front();
    }
    co_return status;
  }
  asio::awaitable<void> OnReceipt(const ReceiptEvent& receipt) override {
    receipts.push_back(receipt);
    co_return;
  }
  std::vector<IncomingMessage> messages;
  std::vector<ReceiptEvent> receipts;
  std::deque<base::Status> statuses;
  std::function<void(const IncomingMessage&)> on_message;
};

inline std::string TextMessage(const std::string& text) {
  proto::Message message;
  message.set_conversation(text);
  return proto::Serialize(message).value();
}

inline std::string TextOf(const std::string& bytes) {
  return proto::Parse<proto::Message>(bytes).value().conversation();
}

// What the client publishes: its Signal bundle (no one-time pre-key).
inline signal::PreKeyBundle ClientBundle(const Creds& creds) {
  signal::PreKeyBundle bundle;
  bundle.registration_id = creds.registration_id;
  bundle.device_id = 7;
  bundle.identity_key = creds.identity.public_key;
  bundle.signed_pre_key_id = creds.signed_prekey.id;
  bundle.signed_pre_key_public = creds.signed_prekey.key_pair.public_key;
  bundle.signed_pre_key_signature = creds.signed_prekey.signature;
  return bundle;
}

inline const signal::Address kClientAddress{"15550100001", 7};

inline Node EncMessage(const std::string& id, const std::string& from, const std::string& type,
                       const std::string& ciphertext) {
  Node message("message", {{"id", id}, {"t", "1790000100"}, {"type", "text"}, {"notify", "Bob"}});
  message.SetAttr("from", Jid::Parse(from).value());
  message.AddChild(Node("enc", {{"v", "2"}, {"type", type}}, binary::Bytes(ciphertext)));
  return message;
}

inline Node UsyncReply(const std::string& id,
                       const std::vector<std::pair<std::string, std::vector<int>>>& users) {
  Node list("list");
  for (const auto& [jid, devices] : users) {
    Node device_list("device-list");
    for (int d : devices) {
      Node device("device", {{"id", std::to_string(d)}});
      if (d != 0) device.SetAttr("key-index", "1");
      device_list.AddChild(std::move(device));
    }
    Node user("user");
    user.SetAttr("jid", Jid::Parse(jid).value());
    user.AddChild(Node("devices", {}, std::vector<Node>{std::move(device_list)}));
    list.AddChild(std::move(user));
  }
  Node usync("usync", {{"sid", "x"}, {"index", "0"}, {"last", "true"}});
  usync.AddChild(Node("result"));
  usync.AddChild(std::move(list));
  return ResultIq(id, {std::move(usync)});
}

inline Node BundleUser(const Jid& jid, const Party& party) {
  Node user("user");
  user.SetAttr("jid", jid);
  user.AddChild(iq::BytesNode("registration", iq::EncodeBigEndian(party.local.registration_id, 4)));
  user.AddChild(iq::BytesNode("type", std::string(1, '\x05')));
  user.AddChild(iq::BytesNode("identity", party.local.identity.public_key));
  Node skey("skey");
  skey.AddChild(iq::BytesNode("id", iq::EncodeBigEndian(party.signed_pre_key.id, 3)));
  skey.AddChild(iq::BytesNode("value", party.signed_pre_key.key_pair.public_key));
  skey.AddChild(iq::BytesNode("signature", party.signed_pre_key.signature));
  user.AddChild(std::move(skey));
  Node key("key");
  key.AddChild(iq::BytesNode("id", iq::EncodeBigEndian(party.pre_keys[0].id, 3)));
  key.AddChild(iq::BytesNode("value", party.pre_keys[0].key_pair.public_key));
  user.AddChild(std::move(key));
  return user;
}

inline Node MessageAck(const std::string& id, const std::string& to) {
  Node ack("ack", {{"class", "message"}, {"id", id}, {"t", "1790000200"}});
  ack.SetAttr("from", Jid::Parse(to).value());
  return ack;
}

// Built outside coroutines (GCC 12 and initializer lists, see the harness).
inline Node PeerAndOwnDevices(const std::string& id) {
  return UsyncReply(id,
                    {{"15550100002@s.whatsapp.net", {0}}, {"15550100001@s.whatsapp.net", {0, 7}}});
}

inline Node PeerAndPhoneBundles(const std::string& id, const Party& peer, const Party& phone) {
  Node list("list");
  list.AddChild(BundleUser(Jid::Parse("15550100002@s.whatsapp.net").value(), peer));
  list.AddChild(BundleUser(Jid::Parse("15550100001@s.whatsapp.net").value(), phone));
  return ResultIq(id, {std::move(list)});
}

// The <enc> addressed to `device` in an outgoing <message>.
inline const Node* EncFor(const Node& message, const std::string& device) {
  const Node* participants = message.GetChild("participants");
  if (participants == nullptr) return nullptr;
  for (const Node* to : participants->GetChildren("to")) {
    if (to->GetAttrText("jid") == device) return to->GetChild("enc");
  }
  return nullptr;
}

inline std::string Decrypted(Party& party, const signal::Address& from, const Node& enc) {
  signal::MessageType type = enc.GetAttrText("type") == "pkmsg" ? signal::MessageType::kPreKey
                                                                : signal::MessageType::kWhisper;
  base::Result<std::string> plain = signal::Decrypt(*party.stores, from, type, enc.bytes()->view());
  if (!plain.ok()) return "decrypt: " + plain.status().ToString();
  base::Result<std::string> unpadded = signal::Unpad(*plain);
  return unpadded.ok() ? *unpadded : "unpad failed";
}

inline asio::awaitable<void> SendOne(Client& client, SendRequest request,
                                     std::optional<base::Result<SendResult>>* out) {
  *out = co_await client.SendMessage(std::move(request));
}

class MessagingIo : public ClientIo {
 protected:
  MessagingIo() { creds_.Set(LoggedInCreds()); }

  base::FakeClock clock_;
  MessagingState state_{clock_};
  TestSink sink_;
  Party peer_{11, signal::Address{"15550100002", 0}};
  Party own_phone_{12, signal::Address{"15550100001", 0}};
};

}  // namespace wa::client::msgtest

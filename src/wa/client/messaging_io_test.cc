// The messaging layer over loopback: the scripted server plays WhatsApp and
// relays for scripted peers, each a second Signal party built on wa/signal.
#include <gtest/gtest.h>

#include "wa/client/client.h"
#include "wa/client/client_test_harness.h"
#include "wa/iq/iq.h"
#include "wa/proto/wa_message.pb.h"
#include "wa/signal/group.h"
#include "wa/signal/padding.h"
#include "wa/signal/test_util.h"

namespace wa::client {
namespace {

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

std::string TextMessage(const std::string& text) {
  proto::Message message;
  message.set_conversation(text);
  return proto::Serialize(message).value();
}

std::string TextOf(const std::string& bytes) {
  return proto::Parse<proto::Message>(bytes).value().conversation();
}

// What the client publishes: its Signal bundle (no one-time pre-key).
signal::PreKeyBundle ClientBundle(const Creds& creds) {
  signal::PreKeyBundle bundle;
  bundle.registration_id = creds.registration_id;
  bundle.device_id = 7;
  bundle.identity_key = creds.identity.public_key;
  bundle.signed_pre_key_id = creds.signed_prekey.id;
  bundle.signed_pre_key_public = creds.signed_prekey.key_pair.public_key;
  bundle.signed_pre_key_signature = creds.signed_prekey.signature;
  return bundle;
}

const signal::Address kClientAddress{"15550100001", 7};

Node EncMessage(const std::string& id, const std::string& from, const std::string& type,
                const std::string& ciphertext) {
  Node message("message", {{"id", id}, {"t", "1790000100"}, {"type", "text"}, {"notify", "Bob"}});
  message.SetAttr("from", Jid::Parse(from).value());
  message.AddChild(Node("enc", {{"v", "2"}, {"type", type}}, binary::Bytes(ciphertext)));
  return message;
}

Node UsyncReply(const std::string& id,
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

Node BundleUser(const Jid& jid, const Party& party) {
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

Node MessageAck(const std::string& id, const std::string& to) {
  Node ack("ack", {{"class", "message"}, {"id", id}, {"t", "1790000200"}});
  ack.SetAttr("from", Jid::Parse(to).value());
  return ack;
}

// Built outside coroutines (GCC 12 and initializer lists, see the harness).
Node PeerAndOwnDevices(const std::string& id) {
  return UsyncReply(id,
                    {{"15550100002@s.whatsapp.net", {0}}, {"15550100001@s.whatsapp.net", {0, 7}}});
}

Node PeerAndPhoneBundles(const std::string& id, const Party& peer, const Party& phone) {
  Node list("list");
  list.AddChild(BundleUser(Jid::Parse("15550100002@s.whatsapp.net").value(), peer));
  list.AddChild(BundleUser(Jid::Parse("15550100001@s.whatsapp.net").value(), phone));
  return ResultIq(id, {std::move(list)});
}

// The <enc> addressed to `device` in an outgoing <message>.
const Node* EncFor(const Node& message, const std::string& device) {
  const Node* participants = message.GetChild("participants");
  if (participants == nullptr) return nullptr;
  for (const Node* to : participants->GetChildren("to")) {
    if (to->GetAttrText("jid") == device) return to->GetChild("enc");
  }
  return nullptr;
}

std::string Decrypted(Party& party, const signal::Address& from, const Node& enc) {
  signal::MessageType type = enc.GetAttrText("type") == "pkmsg" ? signal::MessageType::kPreKey
                                                                : signal::MessageType::kWhisper;
  base::Result<std::string> plain = signal::Decrypt(*party.stores, from, type, enc.bytes()->view());
  if (!plain.ok()) return "decrypt: " + plain.status().ToString();
  base::Result<std::string> unpadded = signal::Unpad(*plain);
  return unpadded.ok() ? *unpadded : "unpad failed";
}

constexpr char kGroup[] = "120363000000000001@g.us";

// A group message from the peer: its SKDM pairwise (pkmsg), then the skmsg.
Node GroupMessage(Party& peer, const Creds& client_creds, const std::string& text) {
  signal::SenderKeyName name{kGroup, peer.address};
  std::string skdm = signal::CreateSenderKeyDistribution(*peer.stores, name).value();
  proto::Message carrier;
  carrier.mutable_sender_key_distribution_message()->set_group_id(kGroup);
  carrier.mutable_sender_key_distribution_message()->set_axolotl_sender_key_distribution_message(
      skdm);
  EXPECT_TRUE(
      signal::ProcessPreKeyBundle(*peer.stores, kClientAddress, ClientBundle(client_creds)).ok());
  signal::EncryptedMessage pairwise =
      signal::Encrypt(*peer.stores, kClientAddress,
                      signal::Pad(proto::Serialize(carrier).value(), peer.random))
          .value();
  std::string skmsg =
      signal::GroupEncrypt(*peer.stores, name, signal::Pad(TextMessage(text), peer.random)).value();
  Node message("message", {{"id", "G1"}, {"t", "1790000300"}, {"type", "text"}});
  message.SetAttr("from", Jid::Parse(kGroup).value());
  message.SetAttr("participant", Jid::Parse("15550100002@s.whatsapp.net").value());
  message.AddChild(
      Node("enc", {{"v", "2"}, {"type", "pkmsg"}}, binary::Bytes(pairwise.ciphertext)));
  message.AddChild(Node("enc", {{"v", "2"}, {"type", "skmsg"}}, binary::Bytes(skmsg)));
  return message;
}

Node GroupMetadata(const std::string& id) {
  Node group("group", {{"id", "120363000000000001"}, {"subject", "G"}, {"addressing_mode", "pn"}});
  group.AddChild(Node("participant", {{"jid", "15550100002@s.whatsapp.net"}}));
  group.AddChild(Node("participant", {{"jid", "15550100001@s.whatsapp.net"}, {"type", "admin"}}));
  Node reply = ResultIq(id, {std::move(group)});
  reply.SetAttr("from", Jid::Parse(kGroup).value());
  return reply;
}

Node PeerAndSelfOnly(const std::string& id) {
  return UsyncReply(id, {{"15550100002@s.whatsapp.net", {0}}, {"15550100001@s.whatsapp.net", {7}}});
}

Node PeerBundle(const std::string& id, const Party& peer) {
  Node list("list");
  list.AddChild(BundleUser(Jid::Parse("15550100002@s.whatsapp.net").value(), peer));
  return ResultIq(id, {std::move(list)});
}

// The group text in `message` as the peer reads it (SKDM first when present;
// its bytes in `skdm` when asked).
std::string PeerReadsGroup(Party& peer, const Node& message, std::string* skdm = nullptr) {
  if (const Node* enc = EncFor(message, "15550100002@s.whatsapp.net")) {
    std::string carrier = Decrypted(peer, kClientAddress, *enc);
    proto::Message parsed = proto::Parse<proto::Message>(carrier).value();
    const std::string& distribution =
        parsed.sender_key_distribution_message().axolotl_sender_key_distribution_message();
    if (skdm != nullptr) *skdm = distribution;
    base::Status processed =
        signal::ProcessSenderKeyDistribution(*peer.stores, {kGroup, kClientAddress}, distribution);
    if (!processed.ok()) return "skdm: " + processed.ToString();
  }
  const Node* skmsg = message.GetChild("enc");
  if (skmsg == nullptr || skmsg->GetAttrText("type") != "skmsg") return "no skmsg";
  base::Result<std::string> plain =
      signal::GroupDecrypt(*peer.stores, {kGroup, kClientAddress}, skmsg->bytes()->view());
  if (!plain.ok()) return "group decrypt: " + plain.status().ToString();
  return TextOf(signal::Unpad(*plain).value());
}

// <receipt type='retry'> from the peer's device 0 with its keys (count 2).
Node RetryFromPeer(const Party& peer) {
  Node receipt("receipt", {{"id", "3EB0R"}, {"type", "retry"}, {"t", "1790000400"}});
  receipt.SetAttr("from", Jid::Parse("15550100002@s.whatsapp.net").value());
  receipt.AddChild(Node("retry", {{"count", "2"}, {"id", "3EB0R"}, {"t", "1"}, {"v", "1"}}));
  receipt.AddChild(
      iq::BytesNode("registration", iq::EncodeBigEndian(peer.local.registration_id, 4)));
  Node keys("keys");
  keys.AddChild(iq::BytesNode("type", std::string(1, '\x05')));
  keys.AddChild(iq::BytesNode("identity", peer.local.identity.public_key));
  Node key("key");
  key.AddChild(iq::BytesNode("id", iq::EncodeBigEndian(peer.pre_keys[1].id, 3)));
  key.AddChild(iq::BytesNode("value", peer.pre_keys[1].key_pair.public_key));
  keys.AddChild(std::move(key));
  Node skey("skey");
  skey.AddChild(iq::BytesNode("id", iq::EncodeBigEndian(peer.signed_pre_key.id, 3)));
  skey.AddChild(iq::BytesNode("value", peer.signed_pre_key.key_pair.public_key));
  skey.AddChild(iq::BytesNode("signature", peer.signed_pre_key.signature));
  keys.AddChild(std::move(skey));
  receipt.AddChild(std::move(keys));
  return receipt;
}

Node ReadReceiptFromPeer() {
  Node receipt("receipt", {{"id", "3EB0A"}, {"type", "read"}, {"t", "1790000500"}});
  receipt.SetAttr("from", Jid::Parse("15550100002:3@s.whatsapp.net").value());
  receipt.AddChild(Node("list", {}, std::vector<Node>{Node("item", {{"id", "3EB0B"}})}));
  return receipt;
}

Node DeliveryReceiptFromPeer() {
  Node receipt("receipt", {{"id", "3EB0C"}, {"t", "1790000501"}});
  receipt.SetAttr("from", Jid::Parse("15550100002@s.whatsapp.net").value());
  return receipt;
}

Node DevicesNotification() {
  Node notification("notification", {{"id", "n9"}, {"type", "devices"}, {"t", "1"}});
  notification.SetAttr("from", Jid::Parse("15550100002@s.whatsapp.net").value());
  return notification;
}

// wasim's addressing: a peer's message from its LID device with sender_pn.
Node LidMessageFromPeer(const std::string& ciphertext) {
  Node message = EncMessage("L1", "100000000000002:3@lid", "pkmsg", ciphertext);
  message.SetAttr("addressing_mode", "lid");
  message.SetAttr("sender_pn", Jid::Parse("15550100002:3@s.whatsapp.net").value());
  return message;
}

Node PeerDevice3WithLid(const std::string& id) {
  Node reply =
      UsyncReply(id, {{"15550100002@s.whatsapp.net", {3}}, {"15550100001@s.whatsapp.net", {7}}});
  Node* user = reply.GetChild("usync")->GetChild("list")->GetChild("user");
  Node lid("lid");
  lid.SetAttr("val", Jid::Parse("100000000000002@lid").value());
  user->AddChild(std::move(lid));
  return reply;
}

Node NobodyThere(const std::string& id) {
  return UsyncReply(id, {{"15550100009@s.whatsapp.net", {}}, {"15550100001@s.whatsapp.net", {7}}});
}

std::vector<std::string> TwoIds() { return {"A1", "A2"}; }

SendRequest ToNobody() {
  return SendRequest{.to = "15550100009@s.whatsapp.net", .message = TextMessage("x")};
}

asio::awaitable<void> ReadThenSend(Client& client, std::optional<base::Status>* read,
                                   std::optional<base::Result<SendResult>>* sent) {
  *read = co_await client.SendReadReceipt("15550100002@s.whatsapp.net", "", TwoIds());
  *sent = co_await client.SendMessage(ToNobody());
}

Node LidFromPeer(const signal::EncryptedMessage& enc) {
  Node message = EncMessage("L3", "100000000000002@lid",
                            std::string(signal::MessageTypeName(enc.type)), enc.ciphertext);
  message.SetAttr("addressing_mode", "lid");
  message.SetAttr("sender_pn", Jid::Parse("15550100002@s.whatsapp.net").value());
  return message;
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

// Persist, then ack: a failed OnMessage leaves no receipt and no Signal
// state, so the redelivery decrypts again; the receipt follows the ok.
TEST_F(MessagingIo, ReceiptOnlyAfterTheSinkStoredIt) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  sink_.statuses.push_back(base::Unavailable("store down"));
  std::vector<size_t> sessions_seen;
  sink_.on_message = [&](const IncomingMessage&) {
    sessions_seen.push_back(keys_->GetKeys("inst", "session", {"15550100002.0"})->size());
  };
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> first_reply, second_reply;
  size_t messages_at_receipt = 0;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    EXPECT_TRUE(
        signal::ProcessPreKeyBundle(*peer_.stores, kClientAddress, ClientBundle(*creds_.creds()))
            .ok());
    signal::EncryptedMessage enc = signal::Encrypt(*peer_.stores, kClientAddress,
                                                   signal::Pad(TextMessage("hello"), peer_.random))
                                       .value();
    EXPECT_EQ(enc.type, signal::MessageType::kPreKey);
    Node stanza = EncMessage("M1", "15550100002@s.whatsapp.net", "pkmsg", enc.ciphertext);
    co_await conn.Send(stanza);  // the sink fails this one
    co_await conn.Send(stanza);  // the redelivery
    first_reply = co_await conn.Receive();
    messages_at_receipt = sink_.messages.size();
    co_await conn.Send(ServerPing());
    second_reply = co_await conn.Receive();
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_EQ(sink_.messages.size(), 2u);
  EXPECT_EQ(messages_at_receipt, 2u);
  for (const IncomingMessage& m : sink_.messages) {
    EXPECT_EQ(TextOf(m.message), "hello");
    EXPECT_EQ(m.id, "M1");
    EXPECT_EQ(m.chat, "15550100002@s.whatsapp.net");
    EXPECT_EQ(m.sender, "15550100002@s.whatsapp.net");
    EXPECT_EQ(m.push_name, "Bob");
    EXPECT_EQ(m.timestamp_ms, 1790000100000);
    EXPECT_FALSE(m.from_me);
    EXPECT_FALSE(m.undecryptable);
  }
  // Nothing was written while the sink ran, both times.
  EXPECT_EQ(sessions_seen, (std::vector<size_t>{0, 0}));
  EXPECT_EQ(keys_->GetKeys("inst", "session", {"15550100002.0"})->size(), 1u);
  ASSERT_TRUE(first_reply);
  EXPECT_EQ(first_reply->DebugString(), "<receipt id='M1' to='15550100002@s.whatsapp.net'/>");
  ASSERT_TRUE(second_reply);
  EXPECT_EQ(second_reply->tag, "iq");  // the pong: no second receipt
}

TEST_F(MessagingIo, UndecryptableSendsARetryReceiptAndAPlaceholder) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> retry, nack;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    co_await conn.Send(EncMessage("M2", "15550100002@s.whatsapp.net", "msg", "garbage"));
    retry = co_await conn.Receive();
    nack = co_await conn.Receive();
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_EQ(sink_.messages.size(), 1u);
  EXPECT_TRUE(sink_.messages[0].undecryptable);
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->tag, "receipt");
  EXPECT_EQ(retry->GetAttrText("type"), "retry");
  ASSERT_NE(retry->GetChild("retry"), nullptr);
  EXPECT_EQ(retry->GetChild("retry")->GetAttrText("count"), "1");
  ASSERT_TRUE(nack);
  EXPECT_EQ(nack->tag, "ack");
  EXPECT_EQ(nack->GetAttrText("error"), "500");
}

asio::awaitable<void> SendOne(Client& client, SendRequest request,
                              std::optional<base::Result<SendResult>>* out) {
  *out = co_await client.SendMessage(std::move(request));
}

// usync for peer and own user, bundles for the devices without a session,
// one pkmsg per device (device-sent for our phone), then the server's ack.
TEST_F(MessagingIo, SendsToPeerAndOwnPhone) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  std::optional<base::Result<SendResult>> result;
  SendRequest request{
      .to = "15550100002@s.whatsapp.net", .id = "3EB0TEST", .message = TextMessage("hi")};
  observer_.on_open = [&] {
    asio::co_spawn(io_, SendOne(*client, request, &result), asio::detached);
  };
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> usync, bundles, message;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    usync = co_await conn.Receive();
    if (!usync) co_return;
    co_await conn.Send(PeerAndOwnDevices(*usync->GetAttrText("id")));
    bundles = co_await conn.Receive();
    if (!bundles) co_return;
    co_await conn.Send(PeerAndPhoneBundles(*bundles->GetAttrText("id"), peer_, own_phone_));
    message = co_await conn.Receive();
    if (!message) co_return;
    co_await conn.Send(MessageAck("3EB0TEST", "15550100002@s.whatsapp.net"));
    for (int i = 0; i < 200 && !result; ++i) {
      asio::steady_timer wait(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
      co_await wait.async_wait(kTuple);
    }
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_TRUE(result);
  ASSERT_TRUE(result->ok()) << result->status().ToString();
  EXPECT_EQ((*result)->id, "3EB0TEST");
  EXPECT_EQ((*result)->timestamp_ms, 1790000200000);
  ASSERT_TRUE(usync);
  EXPECT_EQ(usync->GetAttrText("xmlns"), "usync");
  ASSERT_TRUE(bundles);
  EXPECT_EQ(bundles->GetAttrText("xmlns"), "encrypt");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->tag, "message");
  EXPECT_EQ(message->GetAttrText("to"), "15550100002@s.whatsapp.net");
  EXPECT_NE(message->GetChild("device-identity"), nullptr);
  const Node* to_peer = EncFor(*message, "15550100002@s.whatsapp.net");
  const Node* to_phone = EncFor(*message, "15550100001@s.whatsapp.net");
  ASSERT_NE(to_peer, nullptr) << message->DebugString();
  ASSERT_NE(to_phone, nullptr) << message->DebugString();
  EXPECT_EQ(EncFor(*message, "15550100001:7@s.whatsapp.net"), nullptr);
  EXPECT_EQ(TextOf(Decrypted(peer_, kClientAddress, *to_peer)), "hi");
  proto::Message wrapped =
      proto::Parse<proto::Message>(Decrypted(own_phone_, kClientAddress, *to_phone)).value();
  EXPECT_EQ(wrapped.device_sent_message().destination_jid(), "15550100002@s.whatsapp.net");
  EXPECT_EQ(wrapped.device_sent_message().message().conversation(), "hi");
  EXPECT_TRUE(state_.FindSent("3EB0TEST"));
  EXPECT_TRUE(state_.GetDevices("15550100002@s.whatsapp.net"));
}

TEST_F(MessagingIo, ReceivesAGroupMessageWithItsSenderKey) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> receipt;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    co_await conn.Send(GroupMessage(peer_, *creds_.creds(), "hello group"));
    receipt = co_await conn.Receive();
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_EQ(sink_.messages.size(), 1u);
  const IncomingMessage& m = sink_.messages[0];
  EXPECT_EQ(TextOf(m.message), "hello group");
  EXPECT_EQ(m.chat, kGroup);
  EXPECT_EQ(m.sender, "15550100002@s.whatsapp.net");
  EXPECT_TRUE(m.is_group);
  ASSERT_TRUE(receipt);
  EXPECT_EQ(receipt->DebugString(),
            "<receipt id='G1' to='120363000000000001@g.us' "
            "participant='15550100002@s.whatsapp.net'/>");
  EXPECT_EQ(
      keys_->GetKeys("inst", "sender-key", {std::string(kGroup) + "::15550100002::0"})->size(), 1u);
}

// First send: metadata, usync, bundle, SKDM pairwise + skmsg. Second send:
// the metadata is cached and the device already has our sender key, so only
// the skmsg.
TEST_F(MessagingIo, SendsToAGroupWithSenderKeys) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  std::optional<base::Result<SendResult>> first, second;
  SendRequest one{.to = kGroup, .id = "3EB0G1", .message = TextMessage("one")};
  SendRequest two{.to = kGroup, .id = "3EB0G2", .message = TextMessage("two")};
  observer_.on_open = [&] { asio::co_spawn(io_, SendOne(*client, one, &first), asio::detached); };
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> m1, m2;
  std::string read1, read2;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    std::optional<Node> meta = co_await conn.Receive();
    if (!meta || meta->GetAttrText("xmlns") != "w:g2") co_return;
    co_await conn.Send(GroupMetadata(*meta->GetAttrText("id")));
    std::optional<Node> usync = co_await conn.Receive();
    if (!usync) co_return;
    co_await conn.Send(PeerAndSelfOnly(*usync->GetAttrText("id")));
    std::optional<Node> bundles = co_await conn.Receive();
    if (!bundles) co_return;
    co_await conn.Send(PeerBundle(*bundles->GetAttrText("id"), peer_));
    m1 = co_await conn.Receive();
    if (!m1) co_return;
    read1 = PeerReadsGroup(peer_, *m1);
    co_await conn.Send(MessageAck("3EB0G1", kGroup));
    asio::co_spawn(co_await asio::this_coro::executor, SendOne(*client, two, &second),
                   asio::detached);
    // The metadata is cached: no w:g2 query this time.
    m2 = co_await conn.Receive();
    if (!m2) co_return;
    read2 = PeerReadsGroup(peer_, *m2);
    co_await conn.Send(MessageAck("3EB0G2", kGroup));
    for (int i = 0; i < 200 && !second; ++i) {
      asio::steady_timer wait(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
      co_await wait.async_wait(kTuple);
    }
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->ok()) << first->status().ToString();
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->ok()) << second->status().ToString();
  ASSERT_TRUE(m1);
  EXPECT_EQ(m1->GetAttrText("addressing_mode"), "pn");
  EXPECT_NE(m1->GetChild("participants"), nullptr);
  EXPECT_NE(m1->GetChild("device-identity"), nullptr);
  EXPECT_EQ(read1, "one");
  ASSERT_TRUE(m2);
  EXPECT_EQ(m2->GetChild("participants"), nullptr) << m2->DebugString();
  EXPECT_EQ(read2, "two");
}

Node RemovedFromGroup() {
  Node notification("notification", {{"id", "gp1"}, {"type", "w:gp2"}, {"t", "1790000600"}});
  notification.SetAttr("from", Jid::Parse(kGroup).value());
  notification.SetAttr("participant", Jid::Parse("15550100001@s.whatsapp.net").value());
  Node participant("participant");
  participant.SetAttr("jid", Jid::Parse("15550100003@s.whatsapp.net").value());
  notification.AddChild(Node("remove", {}, std::vector<Node>{std::move(participant)}));
  return notification;
}

// The key id of a SenderKeyDistributionMessage: `0x33 ‖ proto{id = 1 …}`.
uint64_t KeyIdOf(const std::string& skdm) {
  if (skdm.size() < 3 || skdm[1] != 0x08) return 0;
  uint64_t id = 0;
  for (size_t i = 2, shift = 0; i < skdm.size() && shift < 64; ++i, shift += 7) {
    id |= uint64_t(uint8_t(skdm[i]) & 0x7f) << shift;
    if ((uint8_t(skdm[i]) & 0x80) == 0) break;
  }
  return id;
}

// A w:gp2 remove: acked, the cached metadata dropped (the next send asks
// again) and our sender key replaced: the next send carries a new SKDM
// (another key id) to the devices still in the group.
TEST_F(MessagingIo, GroupRemovalRotatesTheSenderKey) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  std::optional<base::Result<SendResult>> first, second;
  SendRequest one{.to = kGroup, .id = "3EB0R1", .message = TextMessage("one")};
  SendRequest two{.to = kGroup, .id = "3EB0R2", .message = TextMessage("two")};
  observer_.on_open = [&] { asio::co_spawn(io_, SendOne(*client, one, &first), asio::detached); };
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> m2, ack, meta2;
  std::string read1, read2, skdm1, skdm2;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    std::optional<Node> meta = co_await conn.Receive();
    if (!meta || meta->GetAttrText("xmlns") != "w:g2") co_return;
    co_await conn.Send(GroupMetadata(*meta->GetAttrText("id")));
    std::optional<Node> usync = co_await conn.Receive();
    if (!usync) co_return;
    co_await conn.Send(PeerAndSelfOnly(*usync->GetAttrText("id")));
    std::optional<Node> bundles = co_await conn.Receive();
    if (!bundles) co_return;
    co_await conn.Send(PeerBundle(*bundles->GetAttrText("id"), peer_));
    std::optional<Node> m1 = co_await conn.Receive();
    if (!m1) co_return;
    read1 = PeerReadsGroup(peer_, *m1, &skdm1);
    co_await conn.Send(MessageAck("3EB0R1", kGroup));

    co_await conn.Send(RemovedFromGroup());
    ack = co_await conn.Receive();
    asio::co_spawn(co_await asio::this_coro::executor, SendOne(*client, two, &second),
                   asio::detached);
    meta2 = co_await conn.Receive();
    if (!meta2 || meta2->GetAttrText("xmlns") != "w:g2") co_return;
    co_await conn.Send(GroupMetadata(*meta2->GetAttrText("id")));
    m2 = co_await conn.Receive();
    if (!m2) co_return;
    read2 = PeerReadsGroup(peer_, *m2, &skdm2);
    co_await conn.Send(MessageAck("3EB0R2", kGroup));
    for (int i = 0; i < 200 && !second; ++i) {
      asio::steady_timer wait(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
      co_await wait.async_wait(kTuple);
    }
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->ok()) << first->status().ToString();
  EXPECT_TRUE(second->ok()) << second->status().ToString();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->DebugString(),
            "<ack id='gp1' to='120363000000000001@g.us' class='notification' type='w:gp2'/>");
  EXPECT_TRUE(meta2) << "the cache was not invalidated";
  EXPECT_EQ(read1, "one");
  ASSERT_TRUE(m2);
  ASSERT_NE(m2->GetChild("participants"), nullptr) << m2->DebugString();
  EXPECT_EQ(read2, "two");
  ASSERT_NE(KeyIdOf(skdm1), 0u);
  EXPECT_NE(KeyIdOf(skdm1), KeyIdOf(skdm2)) << "the sender key was not rotated";
  EXPECT_TRUE(observer_.stanzas.empty());
}

// A retry receipt with keys: the client rebuilds the session from them and
// resends the message to that one device.
TEST_F(MessagingIo, RetryReceiptResendsToTheDevice) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  state_.RememberSent(
      "3EB0R",
      {.to = "15550100002@s.whatsapp.net", .message = TextMessage("again"), .type = "text"});
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> resend, ack;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    co_await conn.Send(RetryFromPeer(peer_));
    resend = co_await conn.Receive();
    ack = co_await conn.Receive();
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_TRUE(resend);
  EXPECT_EQ(resend->tag, "message");
  EXPECT_EQ(resend->GetAttrText("device_fanout"), "false");
  EXPECT_EQ(resend->GetAttrText("id"), "3EB0R");
  const Node* direct = resend->GetChild("enc");
  ASSERT_NE(direct, nullptr);
  EXPECT_EQ(direct->GetAttrText("count"), "2");
  EXPECT_EQ(resend->GetChild("participants"), nullptr);
  EXPECT_EQ(resend->GetAttrText("to"), "15550100002@s.whatsapp.net");
  EXPECT_EQ(TextOf(Decrypted(peer_, kClientAddress, *direct)), "again");
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->GetAttrText("class"), "receipt");
  EXPECT_EQ(ack->GetAttrText("type"), "retry");
}

// Receipts for our sends reach the sink and are acked; a devices
// notification drops the cached list and is acked.
TEST_F(MessagingIo, ReceiptsAndDeviceNotifications) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  state_.PutDevices("15550100002@s.whatsapp.net", {.ids = {0}, .fetched_ms = 0});
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> ack1, ack2, ack3;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    co_await conn.Send(ReadReceiptFromPeer());
    ack1 = co_await conn.Receive();
    co_await conn.Send(DeliveryReceiptFromPeer());
    ack2 = co_await conn.Receive();
    co_await conn.Send(DevicesNotification());
    ack3 = co_await conn.Receive();
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_EQ(sink_.receipts.size(), 2u);
  EXPECT_EQ(sink_.receipts[0].status, "read");
  EXPECT_EQ(sink_.receipts[0].ids, (std::vector<std::string>{"3EB0A", "3EB0B"}));
  EXPECT_EQ(sink_.receipts[0].chat, "15550100002@s.whatsapp.net");
  EXPECT_EQ(sink_.receipts[0].from, "15550100002:3@s.whatsapp.net");
  EXPECT_EQ(sink_.receipts[0].timestamp_ms, 1790000500000);
  EXPECT_EQ(sink_.receipts[1].status, "delivered");
  ASSERT_TRUE(ack1);
  EXPECT_EQ(ack1->DebugString(),
            "<ack id='3EB0A' to='15550100002:3@s.whatsapp.net' class='receipt' type='read'/>");
  ASSERT_TRUE(ack2);
  EXPECT_EQ(ack2->GetAttrText("class"), "receipt");
  ASSERT_TRUE(ack3);
  EXPECT_EQ(ack3->GetAttrText("class"), "notification");
  EXPECT_FALSE(state_.GetDevices("15550100002@s.whatsapp.net"));
  EXPECT_TRUE(observer_.stanzas.empty());
}

// A LID-addressed message teaches PN ↔ LID; a reply to the PN chat then
// uses the LID-keyed session (a `msg`, no bundle fetch) [§8.3].
TEST_F(MessagingIo, ReplyToPnChatUsesTheLidSession) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  std::optional<base::Result<SendResult>> result;
  SendRequest request{
      .to = "15550100002@s.whatsapp.net", .id = "3EB0LID", .message = TextMessage("back")};
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> receipt, message;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    EXPECT_TRUE(
        signal::ProcessPreKeyBundle(*peer_.stores, kClientAddress, ClientBundle(*creds_.creds()))
            .ok());
    signal::EncryptedMessage enc =
        signal::Encrypt(*peer_.stores, kClientAddress,
                        signal::Pad(TextMessage("from lid"), peer_.random))
            .value();
    co_await conn.Send(LidMessageFromPeer(enc.ciphertext));
    receipt = co_await conn.Receive();
    asio::co_spawn(co_await asio::this_coro::executor, SendOne(*client, request, &result),
                   asio::detached);
    std::optional<Node> usync = co_await conn.Receive();
    if (!usync) co_return;
    co_await conn.Send(PeerDevice3WithLid(*usync->GetAttrText("id")));
    message = co_await conn.Receive();  // no bundle fetch before it
    if (!message) co_return;
    co_await conn.Send(MessageAck("3EB0LID", "15550100002@s.whatsapp.net"));
    for (int i = 0; i < 200 && !result; ++i) {
      asio::steady_timer wait(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
      co_await wait.async_wait(kTuple);
    }
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_EQ(sink_.messages.size(), 1u);
  EXPECT_EQ(sink_.messages[0].chat, "100000000000002@lid");
  EXPECT_EQ(sink_.messages[0].sender_alt, "15550100002@s.whatsapp.net");
  EXPECT_EQ(state_.LidForPn("15550100002"), "100000000000002");
  ASSERT_TRUE(receipt);
  EXPECT_EQ(receipt->GetAttrText("to"), "100000000000002:3@lid");
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->ok()) << result->status().ToString();
  ASSERT_TRUE(message);
  EXPECT_EQ(message->tag, "message") << message->DebugString();
  const Node* enc = EncFor(*message, "15550100002:3@s.whatsapp.net");
  ASSERT_NE(enc, nullptr) << message->DebugString();
  EXPECT_EQ(enc->GetAttrText("type"), "msg");
  EXPECT_EQ(message->GetChild("device-identity"), nullptr);
  EXPECT_EQ(TextOf(Decrypted(peer_, kClientAddress, *enc)), "back");
}

TEST_F(MessagingIo, ReadReceiptAndUnknownRecipient) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  std::optional<base::Status> read;
  std::optional<base::Result<SendResult>> sent;
  observer_.on_open = [&] {
    asio::co_spawn(io_, ReadThenSend(*client, &read, &sent), asio::detached);
  };
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> receipt;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    receipt = co_await conn.Receive();
    std::optional<Node> usync = co_await conn.Receive();
    if (!usync) co_return;
    co_await conn.Send(NobodyThere(*usync->GetAttrText("id")));
    for (int i = 0; i < 200 && !sent; ++i) {
      asio::steady_timer wait(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
      co_await wait.async_wait(kTuple);
    }
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_TRUE(read);
  EXPECT_TRUE(read->ok()) << read->ToString();
  ASSERT_TRUE(receipt);
  EXPECT_EQ(receipt->GetAttrText("type"), "read");
  EXPECT_EQ(receipt->GetAttrText("id"), "A1");
  EXPECT_EQ(receipt->GetAttrText("to"), "15550100002@s.whatsapp.net");
  ASSERT_NE(receipt->GetChild("list"), nullptr);
  ASSERT_TRUE(sent);
  ASSERT_FALSE(sent->ok());
  EXPECT_EQ(sent->status().code(), base::Code::kNotFound);
  EXPECT_NE(sent->status().message().find("is not on WhatsApp"), std::string::npos);
}

// A session made while the peer was PN-addressed moves to its LID address
// when a LID-addressed stanza (with sender_pn) reveals the mapping.
TEST_F(MessagingIo, PnSessionMovesToTheLidAddress) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> r1, r2;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    EXPECT_TRUE(
        signal::ProcessPreKeyBundle(*peer_.stores, kClientAddress, ClientBundle(*creds_.creds()))
            .ok());
    signal::EncryptedMessage first =
        signal::Encrypt(*peer_.stores, kClientAddress,
                        signal::Pad(TextMessage("as pn"), peer_.random))
            .value();
    co_await conn.Send(EncMessage("P1", "15550100002@s.whatsapp.net", "pkmsg", first.ciphertext));
    r1 = co_await conn.Receive();
    // Still a pkmsg (the client never answered), on the same session: it
    // decrypts only where the session is, so the migration is what is tested.
    signal::EncryptedMessage second =
        signal::Encrypt(*peer_.stores, kClientAddress,
                        signal::Pad(TextMessage("as lid"), peer_.random))
            .value();
    co_await conn.Send(LidFromPeer(second));
    r2 = co_await conn.Receive();
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_EQ(sink_.messages.size(), 2u);
  EXPECT_EQ(TextOf(sink_.messages[0].message), "as pn");
  EXPECT_FALSE(sink_.messages[1].undecryptable) << sink_.messages[1].error;
  EXPECT_EQ(TextOf(sink_.messages[1].message), "as lid");
  EXPECT_EQ(keys_->GetKeys("inst", "session", {"15550100002.0"})->size(), 0u);
  EXPECT_EQ(keys_->GetKeys("inst", "session", {"100000000000002_1.0"})->size(), 1u);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->GetAttrText("to"), "100000000000002@lid");
}

}  // namespace
}  // namespace wa::client

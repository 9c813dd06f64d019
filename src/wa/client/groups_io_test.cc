// Groups over loopback: receiving with the peer's sender key, sending with
// ours (metadata cached), and the rotation after a member is removed.
#include "wa/client/messaging_io_test_util.h"

namespace wa::client {
namespace {

using namespace msgtest;  // NOLINT

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

// The server's side of a first send to kGroup before its message arrives:
// the member list, the device list and the peer's bundle.
asio::awaitable<bool> FirstGroupSendSetup(ServerConn& conn, const Party& peer) {
  std::optional<Node> meta = co_await conn.Receive();
  if (!meta || meta->GetAttrText("xmlns") != "w:g2") co_return false;
  co_await conn.Send(GroupMetadata(*meta->GetAttrText("id")));
  std::optional<Node> usync = co_await conn.Receive();
  if (!usync) co_return false;
  co_await conn.Send(PeerAndSelfOnly(*usync->GetAttrText("id")));
  std::optional<Node> bundles = co_await conn.Receive();
  if (!bundles) co_return false;
  co_await conn.Send(PeerBundle(*bundles->GetAttrText("id"), peer));
  co_return true;
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
    if (!co_await FirstGroupSendSetup(conn, peer_)) co_return;
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
    if (!co_await FirstGroupSendSetup(conn, peer_)) co_return;
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

}  // namespace
}  // namespace wa::client
